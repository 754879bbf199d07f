-- What PostgreSQL says otherwise than finder.sql: text sorts by code point (COLLATE "C"), as on
-- SQLite and in Python, whatever the database's collation.

-- name: reasons
SELECT COALESCE(error_code, '') COLLATE "C" AS code, MIN(reason COLLATE "C"), COUNT(*) AS n FROM items
WHERE status = 'exception' GROUP BY 1 ORDER BY n DESC, code LIMIT 10;

-- name: bots
-- Every list page asks. DISTINCT would read every item (20 ms at 100,000 items on a loaded
-- machine); the bots are few, so this skips through the unique index on (bot, source_key): one
-- probe per bot.
WITH RECURSIVE names (bot) AS (
    (SELECT bot FROM items ORDER BY bot LIMIT 1)
    UNION ALL
    SELECT (SELECT i.bot FROM items i WHERE i.bot > names.bot ORDER BY i.bot LIMIT 1) FROM names
    WHERE names.bot IS NOT NULL
)
SELECT bot COLLATE "C" FROM names WHERE bot IS NOT NULL ORDER BY 1;
