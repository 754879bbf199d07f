-- Business keys on SQLite (backoffice.queue.sqlite_keys.SQLiteKeys). Tables: migration
-- sqlite_005_business_keys.sql. PostgreSQL says the same otherwise, in keys.postgres.sql.

-- name: bots_of
SELECT id, bot FROM items WHERE id IN (SELECT value FROM json_each(:ids));

-- name: keys_of
SELECT item_id, rule, key, day FROM item_keys WHERE item_id IN (SELECT value FROM json_each(:ids));

-- name: drop
DELETE FROM item_keys WHERE item_id = :item_id AND rule = :rule;

-- name: put
INSERT INTO item_keys (item_id, rule, bot, key, day) VALUES (:item_id, :rule, :bot, :key, :day);

-- name: find
-- The newest item with a lower id, or else the newest recorded with the key before item :me was.
SELECT k.item_id FROM item_keys k INDEXED BY item_keys_lookup JOIN items i ON i.id = k.item_id
WHERE k.bot = :bot AND k.rule = :rule AND k.key = :key AND k.item_id <> :me AND i.status NOT IN ('cancelled', 'rejected')
  AND (k.item_id < :me OR k.seq < (SELECT m.seq FROM item_keys m WHERE m.item_id = :me AND m.rule = :rule AND m.key = :key))
ORDER BY k.item_id < :me DESC, k.item_id DESC LIMIT 1;

-- name: find_in_days
SELECT k.item_id FROM item_keys k INDEXED BY item_keys_lookup JOIN items i ON i.id = k.item_id
WHERE k.bot = :bot AND k.rule = :rule AND k.key = :key AND k.item_id <> :me AND i.status NOT IN ('cancelled', 'rejected')
  AND (k.item_id < :me OR k.seq < (SELECT m.seq FROM item_keys m WHERE m.item_id = :me AND m.rule = :rule AND m.key = :key))
  AND k.day BETWEEN :low AND :high
ORDER BY k.item_id < :me DESC, k.item_id DESC LIMIT 1;
