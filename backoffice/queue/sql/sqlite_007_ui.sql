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

-- The UI's vendor filter (backoffice.queue.finder) reads this index instead of every payload:
-- a virtual column takes no room in the table, and claims and completions, which do not change
-- the payload, do not touch the index. A payload only Python's json module reads (Infinity) has
-- no vendor here rather than refusing the item.
ALTER TABLE items ADD COLUMN vendor TEXT GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.seller_name.value') END) VIRTUAL;
CREATE INDEX items_by_vendor ON items (vendor);
