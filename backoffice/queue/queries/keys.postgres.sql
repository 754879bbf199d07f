-- Business keys on PostgreSQL (backoffice.queue.postgres_keys.PostgresKeys). Tables: migration
-- postgres_004_business_keys.sql. SQLite says the same otherwise, in keys.sqlite.sql.

-- name: find
-- For each key wanted: the newest item with a lower id, or else the newest recorded with the key
-- before item :me was; a lateral index lookup per key.
SELECT q.rule, found.item_id
FROM unnest(:rules::text[], :keys::text[], :lows::date[], :highs::date[]) AS q(rule, key, low, high)
CROSS JOIN LATERAL (
  SELECT k.item_id FROM item_keys k JOIN items i ON i.id = k.item_id
  WHERE k.bot = :bot AND k.rule = q.rule AND k.key = q.key AND k.item_id <> :me
    AND i.status NOT IN ('cancelled', 'rejected') AND (q.low IS NULL OR k.day BETWEEN q.low AND q.high)
    AND (k.item_id < :me OR k.seq < (SELECT m.seq FROM item_keys m
                                     WHERE m.item_id = :me AND m.rule = q.rule AND m.key = q.key))
  ORDER BY k.item_id < :me DESC, k.item_id DESC LIMIT 1) AS found;

-- name: record
-- One statement (one round trip, one transaction): the items' rows are locked in id order (two
-- statements re-keying one item wait for each other), then the keys (an advisory lock each, in
-- order: recording one key is serialised, so the order of recording is the order of commits and
-- an item looking its key up after recording it sees every item recorded before it); the
-- item's keys of other rules are deleted and the new keys upserted, a changed key (or day)
-- taking a new place. Nothing is written unless every item exists.
WITH locked AS (SELECT id, bot FROM items WHERE id = ANY(:ids) ORDER BY id FOR NO KEY UPDATE),
every AS (SELECT count(*) = cardinality(:ids::bigint[]) AS found FROM locked),
serial AS (
  SELECT count(pg_advisory_xact_lock(h)) AS n FROM (
    SELECT DISTINCT hashtextextended(l.bot || '/' || q.rule || '/' || q.key, 7001) AS h
    FROM unnest(:items::bigint[], :rules::text[], :keys::text[]) AS q(item_id, rule, key)
    JOIN locked l ON l.id = q.item_id ORDER BY 1) AS hashes),
new AS (
  SELECT * FROM unnest(:items::bigint[], :rules::text[], :keys::text[], :days::date[]) AS q(item_id, rule, key, day)
  WHERE (SELECT found FROM every) AND (SELECT n FROM serial) >= 0),
gone AS (
  DELETE FROM item_keys k USING locked l WHERE k.item_id = l.id AND (SELECT found FROM every)
  AND NOT EXISTS (SELECT 1 FROM new n WHERE n.item_id = k.item_id AND n.rule = k.rule)),
put AS (
  INSERT INTO item_keys (item_id, rule, bot, key, day)
  SELECT n.item_id, n.rule, l.bot, n.key, n.day FROM new n JOIN locked l ON l.id = n.item_id
  ON CONFLICT (item_id, rule) DO UPDATE SET bot = excluded.bot, key = excluded.key, day = excluded.day,
    seq = CASE WHEN item_keys.key = excluded.key AND item_keys.day IS NOT DISTINCT FROM excluded.day
          THEN item_keys.seq ELSE excluded.seq END)
SELECT id FROM locked;
