-- What `backoffice status` and the metrics read of the queue, the same on SQLite and PostgreSQL.

-- name: oldest_pending
SELECT bot, min(created_at) FROM items WHERE status IN ('pending', 'retrying') GROUP BY bot;
