-- Layouts learned from people's corrections (backoffice.learning): one row per layout, its
-- fingerprint and field rules as JSON in `body`; `item_id`, `taught_by` and `at` name the last
-- lesson; `reads` counts the documents read with it, `corrected` the later ones a person still
-- corrected. `layout_journal` keeps every change (who, which item, which fields) and outlives
-- the layouts; `layout_generation` changes with every change so runners reload only then.
CREATE TABLE learned_layouts (
    id        BIGSERIAL PRIMARY KEY,
    kind      TEXT    NOT NULL,
    senders   TEXT    NOT NULL DEFAULT '{}',
    body      TEXT    NOT NULL,
    item_id   BIGINT,
    taught_by TEXT    NOT NULL DEFAULT '',
    at        TEXT    NOT NULL DEFAULT '',
    reads     INTEGER NOT NULL DEFAULT 0,
    corrected INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE layout_journal (
    seq       BIGSERIAL PRIMARY KEY,
    layout_id BIGINT  NOT NULL,
    at        TEXT    NOT NULL,
    actor     TEXT    NOT NULL,
    item_id   BIGINT,
    action    TEXT    NOT NULL,
    fields    TEXT    NOT NULL DEFAULT '[]',
    why       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX layout_journal_layout ON layout_journal (layout_id, seq);
CREATE TRIGGER layout_journal_no_change BEFORE UPDATE OR DELETE ON layout_journal
    FOR EACH ROW EXECUTE FUNCTION journal_append_only();
CREATE TRIGGER layout_journal_no_truncate BEFORE TRUNCATE ON layout_journal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_append_only();
CREATE TABLE layout_generation (n BIGINT NOT NULL);
INSERT INTO layout_generation (n) VALUES (0);
