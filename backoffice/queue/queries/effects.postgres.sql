-- What PostgreSQL says otherwise than effects.sql.

-- name: lease
-- FOR SHARE: the lease cannot change hands before the intent is written.
SELECT status, lease_owner FROM items WHERE id = :item_id FOR SHARE;
