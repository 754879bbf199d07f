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
