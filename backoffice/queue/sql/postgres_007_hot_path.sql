-- A claim (pending -> processing) and a completion (processing -> done) change `status`, so
-- PostgreSQL writes a new version of the row and an entry in every index of `items` that the
-- new version belongs to (no in-place HOT update is possible while any index names `status`).
-- Before this migration a claim added 5 index entries and a completion 4, and each journal row
-- ran a foreign-key trigger. Measured with bench/queue.py and EXPLAIN (ANALYZE, BUFFERS).

-- The list indexes cover only the states a person or a finder looks for among few rows
-- (pending, retrying, exception, cancelled). In-flight items are found through items_leases
-- (partial on processing); done items, the bulk, through the primary key (id order) with a
-- filter. A claim now adds entries to the primary key, (bot, source_key) and items_leases; a
-- completion to the first two only.
DROP INDEX IF EXISTS items_by_status;
DROP INDEX IF EXISTS items_by_bot;
CREATE INDEX items_by_status ON items (status, id) WHERE status NOT IN ('processing', 'done');
CREATE INDEX items_by_bot ON items (bot, status, id) WHERE status NOT IN ('processing', 'done');

-- Room on each page (new pages only): the version a claim or completion writes then mostly lands
-- on its old row's page, which makes the WAL record smaller (same-page updates are logged with
-- the unchanged prefix and suffix left out) and touches one page instead of two.
ALTER TABLE items SET (fillfactor = 70);

-- Every journal row is written in the statement or transaction that has just inserted, locked
-- or updated its item, and items are never deleted, so the foreign key's per-row check (a
-- trigger and a FOR KEY SHARE lookup for each row) proved nothing on the hot path. What it
-- also guaranteed, that no item with a history disappears, these triggers keep.
ALTER TABLE journal DROP CONSTRAINT IF EXISTS journal_item_id_fkey;
CREATE FUNCTION items_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'work items are never deleted (their journal refers to them)';
END;
$$;
CREATE TRIGGER items_no_delete BEFORE DELETE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION items_never_deleted();
CREATE TRIGGER items_no_truncate BEFORE TRUNCATE ON items
    FOR EACH STATEMENT EXECUTE FUNCTION items_never_deleted();
