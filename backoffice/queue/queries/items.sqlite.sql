-- What SQLite says otherwise than items.sql.

-- name: update
-- json_patch merges the refs as PostgreSQL's || does (refs hold strings: no null removes a key).
UPDATE items SET payload = COALESCE(:payload, payload), refs = json_patch(refs, :refs), updated_at = :now
WHERE id = :id AND status = 'processing' AND lease_owner = :owner
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;

-- name: insert_items
-- enqueue_many: executemany takes no RETURNING; the new rows are journaled by id afterwards.
INSERT INTO items (bot, source_key, payload, files, parent_id, priority, deadline, not_before, max_attempts,
                   created_at, updated_at)
VALUES (:bot, :source_key, :payload, :files, :parent_id, :priority, :deadline, :not_before, :max_attempts, :now, :now)
ON CONFLICT (bot, source_key) DO NOTHING;

-- name: last_id
SELECT COALESCE(MAX(id), 0) FROM items;

-- name: journal_enqueued_after
INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
SELECT id, :now, :actor, 'enqueue', NULL, 'pending', '' FROM items WHERE id > :last;

-- name: expired_leases
SELECT id, lease_owner, attempts, max_attempts FROM items WHERE status = 'processing' AND lease_expires < :now;

-- name: complete
-- The hot path: one guarded UPDATE (SQLite has no data-modifying CTE: the journal row follows).
UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL, error_code = NULL,
                 updated_at = :now
WHERE id = :id AND status = 'processing' AND lease_owner = :owner
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;
