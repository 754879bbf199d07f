-- The supervisor UI's exception queue and dashboard: counting and filtering by error code,
-- reason and bot, and sorting by deadline, answered from the index without reading payloads.
-- Partial indexes: only items that wait on a person, or have a deadline, are in them, so the
-- runner's claim and complete (pending -> processing -> done) do not maintain them.
CREATE INDEX items_by_reason ON items (status, error_code, reason, bot) WHERE status = 'exception';
CREATE INDEX items_by_deadline ON items (status, deadline) WHERE deadline IS NOT NULL;
