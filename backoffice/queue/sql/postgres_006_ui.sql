-- The supervisor UI's users, their sessions and sign-ins (backoffice.queue.users), as on SQLite.
CREATE TABLE users (
    name        TEXT PRIMARY KEY,
    password    TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,
    roles       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE user_sessions (
    token_hash  TEXT PRIMARY KEY,
    name        TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    expires     DOUBLE PRECISION NOT NULL,
    seen        DOUBLE PRECISION NOT NULL DEFAULT 0,
    notice      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE sign_ins (
    at          DOUBLE PRECISION NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    agent       TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX sign_ins_name ON sign_ins (name, at);
CREATE INDEX sign_ins_address ON sign_ins (address, at);
CREATE INDEX sign_ins_at ON sign_ins (at);
CREATE INDEX user_sessions_by_name ON user_sessions (name);

-- The UI's vendor filter, search and sorts (backoffice.queue.finder) read these instead of every payload
-- (a payload is large: reading one costs far more than reading a row). Triggers keep them when
-- an item arrives or its payload changes; claims and completions, which do not set the payload,
-- do not run them (generated columns would be computed again on every update).
-- The vendors and the texts the search looks in (backoffice.queue.finder.SEARCHED, in that
-- order) are a narrow table of their own, which a filter on any status scans whole; an index on
-- items would be written by every claim and completion.
CREATE TABLE item_texts (
    item_id     BIGINT PRIMARY KEY,  -- items are never deleted
    vendor      TEXT,
    texts       TEXT NOT NULL
);
CREATE FUNCTION items_texts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    found TEXT := NEW.payload #>> '{document,fields,seller_name,value}';
    texts TEXT := COALESCE(NEW.payload #>> '{file}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,invoice_number,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,order_reference,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,seller_name,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,buyer_name,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,order_number,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{document,fields,employee_name,value}', '')
        || ' ' || COALESCE(NEW.payload #>> '{mail,subject}', '')
        || ' ' || COALESCE(NEW.payload #>> '{mail,from}', '');
BEGIN
    IF found IS NOT NULL OR btrim(texts) <> '' THEN
        INSERT INTO item_texts (item_id, vendor, texts) VALUES (NEW.id, found, texts)
            ON CONFLICT (item_id) DO UPDATE SET vendor = excluded.vendor, texts = excluded.texts;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM item_texts WHERE item_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER items_texts AFTER INSERT OR UPDATE OF payload ON items
    FOR EACH ROW EXECUTE FUNCTION items_texts();
-- The sorts' columns, with indexes that hold only the exception queue, which claims and
-- completions never enter.
ALTER TABLE items ADD COLUMN amount DOUBLE PRECISION, ADD COLUMN doc_date TEXT, ADD COLUMN doc_number TEXT,
    ADD COLUMN assignee TEXT;
CREATE FUNCTION items_fields() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total TEXT := NEW.payload #>> '{document,fields,grand_total,value}';
BEGIN
    NEW.amount := CASE WHEN total ~ '^\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\s*$'
                       THEN total::double precision END;
    NEW.doc_date := NEW.payload #>> '{document,fields,issue_date,value}';
    NEW.doc_number := NEW.payload #>> '{document,fields,invoice_number,value}';
    NEW.assignee := NEW.payload #>> '{assignee}';
    RETURN NEW;
END;
$$;
CREATE TRIGGER items_fields BEFORE INSERT OR UPDATE OF payload ON items
    FOR EACH ROW EXECUTE FUNCTION items_fields();
UPDATE items SET payload = payload WHERE payload ?| ARRAY['document', 'assignee', 'file', 'mail'];
CREATE INDEX items_exceptions_by_amount ON items (amount DESC NULLS LAST, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_date ON items (doc_date COLLATE "C" DESC NULLS LAST, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_number ON items (doc_number COLLATE "C", id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_assignee ON items (assignee COLLATE "C", id) WHERE status = 'exception';
