-- What runners sharing one queue tell each other (backoffice.queue.registry.Registry), the same
-- on SQLite and PostgreSQL. Tables: migrations sqlite_003_runners.sql and postgres_003_runners.sql.

-- name: acquire
INSERT INTO leases (name, holder, expires, since) VALUES (:name, :holder, :expires, :now)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires,
since = CASE WHEN leases.holder = excluded.holder THEN leases.since ELSE excluded.since END
WHERE leases.holder = excluded.holder OR leases.expires < excluded.since RETURNING holder;

-- name: release
DELETE FROM leases WHERE name = :name AND holder = :holder;

-- name: holder
SELECT holder, since, expires FROM leases WHERE name = :name AND expires >= :now;

-- name: beat
INSERT INTO runners (name, host, pid, bots, state, item_id, started_at, seen_at)
VALUES (:name, :host, :pid, :bots, :state, :item_id, :started_at, :now)
ON CONFLICT (name) DO UPDATE SET state = excluded.state, item_id = excluded.item_id, seen_at = excluded.seen_at;

-- name: leave
UPDATE runners SET state = 'stopped', item_id = NULL, seen_at = :now WHERE name = :name;

-- name: runners
SELECT name, host, pid, bots, state, item_id, started_at, seen_at FROM runners
WHERE seen_at >= :since ORDER BY started_at;

-- name: start_tick
INSERT INTO schedule_runs (bot, tick, runner, started_at) VALUES (:bot, :tick, :runner, :now)
ON CONFLICT (bot, tick) DO NOTHING RETURNING bot;

-- name: skip_tick
INSERT INTO schedule_runs (bot, tick, runner, started_at, finished_at, outcome, detail)
VALUES (:bot, :tick, :runner, :now, :now, 'skipped', :why) ON CONFLICT (bot, tick) DO NOTHING;

-- name: finish_tick
UPDATE schedule_runs SET finished_at = :now, outcome = :outcome, detail = :detail WHERE bot = :bot AND tick = :tick;

-- name: last_tick
SELECT max(tick) FROM schedule_runs WHERE bot = :bot;

-- name: ticks
SELECT bot, tick, runner, started_at, finished_at, outcome, detail FROM schedule_runs
ORDER BY tick DESC LIMIT :limit;

-- name: ticks_of_bot
SELECT bot, tick, runner, started_at, finished_at, outcome, detail FROM schedule_runs WHERE bot = :bot
ORDER BY tick DESC LIMIT :limit;

-- name: source_down
INSERT INTO leases (name, holder, expires, since) VALUES (:name, :reason, :since, :since)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder;

-- name: source_up
DELETE FROM leases WHERE name = :name;

-- name: sources_down
SELECT name, holder, since FROM leases WHERE name LIKE 'source-down:%';
