-- The item lifecycle's SQL (backoffice.queue.sqlstore.SQLStore), the same on SQLite and PostgreSQL;
-- items.sqlite.sql and items.postgres.sql say again what one of them says otherwise. What a move
-- does is decided once, in backoffice/queue/lifecycle.py; these only read and write it.

-- name: item
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE id = :id;

-- name: item_of_key
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE bot = :bot AND source_key = :source_key;

-- name: id_of_key
SELECT id FROM items WHERE bot = :bot AND source_key = :source_key;

-- name: item_exists
SELECT 1 FROM items WHERE id = :id;

-- name: insert_item
-- A document enqueued twice is the first item: nothing is returned for the second.
INSERT INTO items (bot, source_key, payload, files, parent_id, priority, deadline, not_before, max_attempts,
                   created_at, updated_at)
VALUES (:bot, :source_key, :payload, :files, :parent_id, :priority, :deadline, :not_before, :max_attempts, :now, :now)
ON CONFLICT (bot, source_key) DO NOTHING RETURNING id;

-- name: journal_entry
INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
VALUES (:item_id, :at, :actor, :action, :from_status, :to_status, :why);

-- name: state
-- What lifecycle.decide reads of an item before a move.
SELECT status, lease_owner, attempts, max_attempts FROM items WHERE id = :id;

-- name: status
SELECT status FROM items WHERE id = :id;

-- name: link_children
UPDATE items SET payload = :payload WHERE id = :id
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;

-- name: amend
UPDATE items SET payload = :payload, updated_at = :now WHERE id = :id
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;

-- name: extend
UPDATE items SET lease_expires = :expires WHERE id = :id AND status = 'processing' AND lease_owner = :owner;

-- name: update
-- A stage's result, by the lease owner only: the payload (unless NULL) and refs merged in.
UPDATE items SET payload = COALESCE(:payload, payload), refs = refs || :refs, updated_at = :now
WHERE id = :id AND status = 'processing' AND lease_owner = :owner
RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
          max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at;

-- name: list
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items ORDER BY id DESC LIMIT :limit OFFSET :offset;

-- name: list_by_status
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE status = :status ORDER BY id DESC LIMIT :limit OFFSET :offset;

-- name: list_by_bot
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE bot = :bot ORDER BY id DESC LIMIT :limit OFFSET :offset;

-- name: list_by_status_bot
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE status = :status AND bot = :bot ORDER BY id DESC LIMIT :limit OFFSET :offset;

-- name: counts
SELECT bot, status, COUNT(*) FROM items GROUP BY bot, status;

-- name: journal
SELECT item_id, at, actor, action, from_status, to_status, why FROM journal WHERE item_id = :id ORDER BY id;

-- name: key_definitions
SELECT rule, definition FROM key_rules WHERE bot = :bot;

-- name: drop_key_definitions
DELETE FROM key_rules WHERE bot = :bot;

-- name: put_key_definition
INSERT INTO key_rules (bot, rule, definition) VALUES (:bot, :rule, :definition);
