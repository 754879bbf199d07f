-- The supervisor UI's exception queue and dashboard: counting and filtering by error code,
-- reason and bot, and sorting by deadline, answered from the index without reading payloads.
CREATE INDEX items_by_reason ON items (status, error_code, reason, bot);
CREATE INDEX items_by_deadline ON items (status, deadline);
