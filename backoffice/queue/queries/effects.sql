-- The effect ledger (backoffice.queue.sqlstore.SQLStore), the same on SQLite and PostgreSQL but
-- for what effects.postgres.sql / effects.sqlite.sql say. Tables: migrations *_002_effects.sql.

-- name: lease
SELECT status, lease_owner FROM items WHERE id = :item_id;

-- name: effect
SELECT item_id, target, key, state, external_id, calls, reason, created_at, updated_at FROM effects
WHERE item_id = :item_id AND target = :target;

-- name: effects
SELECT item_id, target, key, state, external_id, calls, reason, created_at, updated_at FROM effects
WHERE item_id = :item_id ORDER BY created_at, target;

-- name: intend
-- A new effect takes the key; an existing one keeps its first, counts one more call and is intended
-- again, unless it is done (nothing returned: it is read as it is).
INSERT INTO effects (item_id, target, key, created_at, updated_at) VALUES (:item_id, :target, :key, :now, :now)
ON CONFLICT (item_id, target) DO UPDATE SET state = 'intended', calls = effects.calls + 1, reason = NULL,
  updated_at = excluded.updated_at WHERE effects.state != 'done'
RETURNING item_id, target, key, state, external_id, calls, reason, created_at, updated_at;

-- name: settle
UPDATE effects SET state = 'done', external_id = :external_id, reason = NULL, updated_at = :now
WHERE item_id = :item_id AND target = :target AND state != 'done'
RETURNING item_id, target, key, state, external_id, calls, reason, created_at, updated_at;

-- name: reject
UPDATE effects SET state = 'rejected', reason = :reason, updated_at = :now
WHERE item_id = :item_id AND target = :target AND state != 'done'
RETURNING item_id, target, key, state, external_id, calls, reason, created_at, updated_at;

-- name: name_ref
UPDATE items SET refs = refs || :refs, updated_at = :now WHERE id = :item_id;
