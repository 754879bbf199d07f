-- The supervisor UI: its users, their sessions and sign-ins (backoffice.queue.users). Releases
-- before this migration made these tables when the UI first opened the file, with the columns
-- roles, seen and notice added at the end: IF NOT EXISTS keeps those, and a new file gets the
-- same columns in the same order.
CREATE TABLE IF NOT EXISTS users (
    name        TEXT PRIMARY KEY,
    password    TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    roles       TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS user_sessions (
    token_hash  TEXT PRIMARY KEY,
    name        TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    expires     REAL NOT NULL,
    seen        REAL NOT NULL DEFAULT 0,
    notice      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS sign_ins (
    at          REAL NOT NULL,
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    agent       TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sign_ins_name ON sign_ins (name, at);
CREATE INDEX IF NOT EXISTS sign_ins_address ON sign_ins (address, at);
CREATE INDEX IF NOT EXISTS sign_ins_at ON sign_ins (at);
CREATE INDEX IF NOT EXISTS user_sessions_by_name ON user_sessions (name);

-- The UI's vendor filter and sorts (backoffice.queue.finder) read these indexes instead of every
-- payload: a virtual column takes no room in the table, and claims and completions, which do
-- not change the payload, do not touch the vendor's index; the sorts' indexes hold only the
-- exception queue, which claims and completions never enter. A payload only Python's json
-- module reads (Infinity) has no values here rather than refusing the item.
ALTER TABLE items ADD COLUMN vendor TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.seller_name.value') END) VIRTUAL;
CREATE INDEX items_by_vendor ON items (vendor);
ALTER TABLE items ADD COLUMN amount REAL GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN CAST(json_extract(payload, '$.document.fields.grand_total.value') AS REAL) END) VIRTUAL;
ALTER TABLE items ADD COLUMN doc_date TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.issue_date.value') END) VIRTUAL;
ALTER TABLE items ADD COLUMN doc_number TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.invoice_number.value') END) VIRTUAL;
ALTER TABLE items ADD COLUMN assignee TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN json_extract(payload, '$.assignee') END) VIRTUAL;
CREATE INDEX items_exceptions_by_amount ON items (amount, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_date ON items (doc_date, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_number ON items (doc_number, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_assignee ON items (assignee, id) WHERE status = 'exception';
