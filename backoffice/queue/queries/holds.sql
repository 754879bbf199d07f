-- Holds: a supervisor reviewing an item keeps it for a few minutes (Store.hold, Store.holders).

-- name: item_exists
SELECT 1 FROM items WHERE id = :item_id;

-- name: take
-- Taken, or renewed by the same person, unless someone else's hold is still running.
INSERT INTO item_holds (item_id, person, expires) VALUES (:item_id, :person, :expires)
ON CONFLICT (item_id) DO UPDATE SET person = excluded.person, expires = excluded.expires
WHERE item_holds.person = excluded.person OR item_holds.expires <= :now
RETURNING person;

-- name: holder
SELECT person FROM item_holds WHERE item_id = :item_id;

-- name: running
SELECT item_id, person FROM item_holds WHERE expires > :now;
