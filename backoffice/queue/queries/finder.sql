-- The supervisor UI's dashboard (backoffice.queue.finder.SQLFinder), the same on SQLite and
-- PostgreSQL; finder.postgres.sql says again what PostgreSQL says otherwise.

-- name: counts
SELECT bot, status, COUNT(*) FROM items GROUP BY bot, status;

-- name: today
SELECT SUM(CASE WHEN to_status = 'done' THEN 1 ELSE 0 END), SUM(CASE WHEN to_status = 'exception' THEN 1 ELSE 0 END)
FROM journal WHERE at >= :since AND at < :until AND to_status IN ('done', 'exception');

-- name: reasons
SELECT COALESCE(error_code, '') AS code, MIN(reason), COUNT(*) AS n FROM items WHERE status = 'exception'
GROUP BY COALESCE(error_code, '') ORDER BY n DESC, code LIMIT 10;

-- name: oldest_waiting
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE status IN ('pending', 'retrying', 'exception') ORDER BY id LIMIT 10;

-- name: past_deadline
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM items WHERE deadline < :now AND status IN ('pending', 'retrying', 'exception', 'processing')
ORDER BY deadline, id LIMIT 10;

-- name: bots
SELECT DISTINCT bot FROM items ORDER BY bot;
