-- What SQLite says otherwise than effects.sql.

-- name: name_ref
UPDATE items SET refs = json_patch(refs, :refs), updated_at = :now WHERE id = :item_id;
