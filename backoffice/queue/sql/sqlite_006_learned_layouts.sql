-- Layouts learned from people's corrections (backoffice.learning): one row per layout, its
-- fingerprint and field rules as JSON in `body`; `item_id`, `taught_by` and `at` name the last
-- lesson; `reads` counts the documents read with it, `corrected` the later ones a person still
-- corrected. `layout_journal` keeps every change (who, which item, which fields) and outlives
-- the layouts; `layout_generation` changes with every change so runners reload only then.
CREATE TABLE learned_layouts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: the journal names ids
    kind      TEXT    NOT NULL,
    senders   TEXT    NOT NULL DEFAULT '{}',
    body      TEXT    NOT NULL,
    item_id   INTEGER,
    taught_by TEXT    NOT NULL DEFAULT '',
    at        TEXT    NOT NULL DEFAULT '',
    reads     INTEGER NOT NULL DEFAULT 0,
    corrected INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE layout_journal (
    seq       INTEGER PRIMARY KEY,
    layout_id INTEGER NOT NULL,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    item_id   INTEGER,
    action    TEXT    NOT NULL,
    fields    TEXT    NOT NULL DEFAULT '[]',
    why       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX layout_journal_layout ON layout_journal (layout_id, seq);
CREATE TRIGGER layout_journal_no_update BEFORE UPDATE ON layout_journal
BEGIN SELECT RAISE (ABORT, 'the layout journal is append-only'); END;
CREATE TRIGGER layout_journal_no_delete BEFORE DELETE ON layout_journal
BEGIN SELECT RAISE (ABORT, 'the layout journal is append-only'); END;
CREATE TABLE layout_generation (n INTEGER NOT NULL);
INSERT INTO layout_generation (n) VALUES (0);
