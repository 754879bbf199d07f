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

-- The UI's vendor filter (backoffice.queue.finder) reads this column instead of every payload
-- (a payload is stored out of line: reading one costs far more than reading the row). A trigger
-- keeps it, when an item arrives or its payload changes; claims and completions, which do not
-- set the payload, do not run it (a generated column would be computed again on every update).
ALTER TABLE items ADD COLUMN vendor TEXT;
CREATE FUNCTION items_vendor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.vendor := NEW.payload #>> '{document,fields,seller_name,value}';
    RETURN NEW;
END;
$$;
CREATE TRIGGER items_vendor BEFORE INSERT OR UPDATE OF payload ON items
    FOR EACH ROW EXECUTE FUNCTION items_vendor();
UPDATE items SET payload = payload WHERE payload #>> '{document,fields,seller_name,value}' IS NOT NULL;
