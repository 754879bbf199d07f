-- `rejected`: a person refused the document, for good (issue 21). Like `done`, a rejected item is
-- final and never looked for among few rows, so it stays out of the list indexes that migration
-- 007 made partial (the finder reaches rejected items through the primary key, as done ones).
ALTER TABLE items DROP CONSTRAINT IF EXISTS items_status_check;
ALTER TABLE items ADD CONSTRAINT items_status_check
    CHECK (status IN ('pending', 'processing', 'retrying', 'exception', 'done', 'cancelled', 'rejected'));
DROP INDEX IF EXISTS items_by_status;
DROP INDEX IF EXISTS items_by_bot;
CREATE INDEX items_by_status ON items (status, id) WHERE status NOT IN ('processing', 'done', 'rejected');
CREATE INDEX items_by_bot ON items (bot, status, id) WHERE status NOT IN ('processing', 'done', 'rejected');

-- Who is reviewing an item in the UI right now (issue 21): one person per item, until `expires`
-- (renewed while the item's page is open). Others see the holder and may not act on the item.
CREATE TABLE item_holds (
    item_id BIGINT PRIMARY KEY REFERENCES items (id),
    person  TEXT NOT NULL,
    expires DOUBLE PRECISION NOT NULL
);
