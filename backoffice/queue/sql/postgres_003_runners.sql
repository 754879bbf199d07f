-- Runners sharing this queue announce themselves here (for `backoffice status`), and the one
-- holding the schedule lease fires the bots' schedules; schedule_runs records each firing once
-- per (bot, tick), so a leader change never fires a tick twice.
CREATE TABLE runners (
    name        TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    pid         INTEGER NOT NULL,
    bots        JSONB NOT NULL DEFAULT '[]',
    state       TEXT NOT NULL DEFAULT 'running',
    item_id     BIGINT,
    started_at  DOUBLE PRECISION NOT NULL,
    seen_at     DOUBLE PRECISION NOT NULL
);
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires     DOUBLE PRECISION NOT NULL,
    since       DOUBLE PRECISION NOT NULL
);
CREATE TABLE schedule_runs (
    bot         TEXT NOT NULL,
    tick        DOUBLE PRECISION NOT NULL,
    runner      TEXT NOT NULL,
    started_at  DOUBLE PRECISION NOT NULL,
    finished_at DOUBLE PRECISION,
    outcome     TEXT,
    detail      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (bot, tick)
);
