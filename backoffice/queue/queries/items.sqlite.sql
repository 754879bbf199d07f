-- What SQLite says otherwise than items.sql.

-- name: update
-- json_patch merges the refs as PostgreSQL's || does (refs hold strings: no null removes a key).
UPDATE items SET payload = COALESCE(:payload, payload), refs = json_patch(refs, :refs), updated_at = :now
WHERE id = :id AND status = 'processing' AND lease_owner = :owner
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;

-- name: insert_items
-- The items of a batch, in the order given (ids ascending), many rows in one statement:
-- enqueue_many repeats the row of VALUES (backoffice.queue.sqlite._insert_items), one item's
-- enqueue adds RETURNING id (a document enqueued twice is the first item: nothing is returned for
-- the second). A statement opens its cursors on items and its twelve indexes once, not at every
-- row as executemany does (bench/queue.py, batched enqueue: 91,800 -> 43,000 instructions an
-- item for this insert, measured with callgrind). Parameters by position (bot, source_key,
-- payload, files, parent_id, priority, deadline, not_before, max_attempts, now, derive):
-- binding a tuple costs less than looking up names; parent_id and deadline are '' for none and
-- derive is 1 or 0, since sqlite3 binds None and True by asking adapters (3,300 instructions a
-- value). derive is 0 when the payload, valid JSON, has none of the keys item_derived reads:
-- the values are then known (NULL, and 0 for awaits_approval) without asking the JSON
-- functions. WHERE true: without it, ON CONFLICT would be read as a join's ON.
INSERT INTO items (bot, source_key, payload, files, parent_id, priority, deadline, not_before, max_attempts,
                   created_at, updated_at, vendor, amount, doc_date, doc_number, assignee, awaits_approval)
SELECT column1, column2, column3, column4, NULLIF(column5, ''), column6, NULLIF(column7, ''), column8, column9,
       column10, column10,
       CASE WHEN column11 AND json_valid(column3) THEN json_extract(column3, '$.document.fields.seller_name.value') END,
       CASE WHEN column11 AND json_valid(column3) THEN
           CAST(json_extract(column3, '$.document.fields.grand_total.value') AS REAL)
       END,
       CASE WHEN column11 AND json_valid(column3) THEN json_extract(column3, '$.document.fields.issue_date.value') END,
       CASE WHEN column11 AND json_valid(column3) THEN json_extract(column3, '$.document.fields.invoice_number.value') END,
       CASE WHEN column11 AND json_valid(column3) THEN json_extract(column3, '$.assignee') END,
       CASE WHEN NOT column11 THEN 0 WHEN json_valid(column3) THEN
           COALESCE(json_array_length(column3, '$.verdict.holds'), 0)
           + COALESCE(json_array_length(column3, '$.corrections'), 0) > 0
       END
FROM (VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) WHERE true
ON CONFLICT (bot, source_key) DO NOTHING;

-- name: last_id
SELECT COALESCE(MAX(id), 0) FROM items;

-- name: journal_enqueued_after
INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
SELECT id, :now, :actor, 'enqueue', NULL, 'pending', '' FROM items WHERE id > :last;

-- name: index_texts_after
-- What the UI's search looks in (migration 10), of the items enqueue_many added.
INSERT INTO item_texts (item_id, texts) SELECT item_id, texts FROM item_search_texts WHERE item_id > :last;

-- name: index_texts_of
INSERT INTO item_texts (item_id, texts) SELECT item_id, texts FROM item_search_texts WHERE item_id = :id;

-- name: expired_leases
SELECT id, lease_owner, attempts, max_attempts FROM items WHERE status = 'processing' AND lease_expires < :now;

-- name: complete
-- The hot path: one guarded UPDATE (SQLite has no data-modifying CTE: the journal row follows).
UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL, error_code = NULL,
                 updated_at = :now
WHERE id = :id AND status = 'processing' AND lease_owner = :owner
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;
