-- The effect ledger: one row per (item, target). Written before a target call (intended, with
-- the idempotency key) and after it (done, with the target's external id), so a retry, a
-- restart after a crash or a lease expiry knows whether an earlier call may have landed.
CREATE TABLE effects (
    item_id     BIGINT  NOT NULL REFERENCES items (id),
    target      TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'intended' CHECK (state IN ('intended', 'done', 'rejected')),
    external_id TEXT,
    calls       INTEGER NOT NULL DEFAULT 1,
    reason      TEXT,
    created_at  DOUBLE PRECISION NOT NULL,
    updated_at  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (item_id, target)
);
