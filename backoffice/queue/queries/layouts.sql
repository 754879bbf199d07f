-- Learned layouts and their journal (backoffice.queue.layouts.SQLLayoutRecords), the same on SQLite
-- and PostgreSQL. Tables: migrations sqlite_006_learned_layouts.sql and postgres_005_learned_layouts.sql.

-- name: insert
INSERT INTO learned_layouts (kind, senders, body, item_id, taught_by, at, reads, corrected)
VALUES (:kind, :senders, :body, :item_id, :taught_by, :at, :reads, :corrected) RETURNING id;

-- name: update
-- The reads are the store's count: a lesson keeps them.
UPDATE learned_layouts SET kind = :kind, senders = :senders, body = :body, item_id = :item_id,
  taught_by = :taught_by, at = :at, corrected = :corrected
WHERE id = :id RETURNING reads;

-- name: delete
DELETE FROM learned_layouts WHERE id = :id RETURNING id;

-- name: get
SELECT id, body, item_id, taught_by, at, reads, corrected FROM learned_layouts WHERE id = :id;

-- name: list
SELECT id, body, item_id, taught_by, at, reads, corrected FROM learned_layouts ORDER BY id;

-- name: count_read
UPDATE learned_layouts SET reads = reads + 1 WHERE id = :id;

-- name: generation
SELECT n FROM layout_generation;

-- name: changed
UPDATE layout_generation SET n = n + 1;

-- name: journal_entry
INSERT INTO layout_journal (layout_id, at, actor, item_id, action, fields, why)
VALUES (:layout_id, :at, :actor, :item_id, :action, :fields, :why);

-- name: journal
SELECT layout_id, at, actor, item_id, action, fields, why FROM layout_journal ORDER BY seq;

-- name: journal_of
SELECT layout_id, at, actor, item_id, action, fields, why FROM layout_journal WHERE layout_id = :layout_id ORDER BY seq;
