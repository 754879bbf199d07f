-- The work queue on SQLite. Times are UTC seconds since the epoch (REAL).
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    bot           TEXT    NOT NULL,
    source_key    TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'processing', 'retrying', 'exception', 'done', 'cancelled')),
    payload       TEXT    NOT NULL DEFAULT '{}',
    files         TEXT    NOT NULL DEFAULT '[]',
    parent_id     INTEGER REFERENCES items (id),
    priority      INTEGER NOT NULL DEFAULT 0,
    deadline      REAL,
    not_before    REAL    NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5,
    lease_owner   TEXT,
    lease_expires REAL,
    reason        TEXT,
    error_code    TEXT,
    refs          TEXT    NOT NULL DEFAULT '{}',
    created_at    REAL    NOT NULL,
    updated_at    REAL    NOT NULL,
    UNIQUE (bot, source_key)
);
CREATE INDEX items_claimable ON items (priority DESC, id) WHERE status IN ('pending', 'retrying');
CREATE INDEX items_leases ON items (lease_expires) WHERE status = 'processing';
CREATE INDEX items_by_status ON items (status, id);
CREATE INDEX items_by_bot ON items (bot, status, id);
CREATE INDEX items_by_parent ON items (parent_id) WHERE parent_id IS NOT NULL;

-- Append-only history of every transition and human action.
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    at          REAL    NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    why         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX journal_by_item ON journal (item_id, id);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE (ABORT, 'the journal is append-only'); END;
