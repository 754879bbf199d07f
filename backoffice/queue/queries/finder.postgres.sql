-- What PostgreSQL says otherwise than finder.sql: text sorts by code point (COLLATE "C"), as on
-- SQLite and in Python, whatever the database's collation.

-- name: reasons
SELECT COALESCE(error_code, '') COLLATE "C" AS code, MIN(reason COLLATE "C"), COUNT(*) AS n FROM items
WHERE status = 'exception' GROUP BY 1 ORDER BY n DESC, code LIMIT 10;

-- name: bots
SELECT DISTINCT bot COLLATE "C" FROM items ORDER BY 1;
