-- "Waiting for my approval" (issue 21): the items that may wait for a four-eyes approval, found
-- without reading every waiting payload. An item may wait for one when its Verdict holds it (a
-- route to approval or a possible duplicate, an error) or a person corrected it; whether it waits
-- for this person (their roles, the amount, who changed it, the approvals it has) the UI judges
-- in Python (backoffice.rules.approvals), on these few. The index holds only waiting items.
-- Migration 8 edited the items table's text in place; a connection that ran it still holds the
-- table as it parsed it before, and ADD COLUMN would splice the new column in at the old text's
-- offsets. RESET makes the connection read the schema again first.
PRAGMA writable_schema = RESET;
ALTER TABLE items ADD COLUMN awaits_approval INTEGER GENERATED ALWAYS AS (
    CASE WHEN json_valid(payload) THEN
        COALESCE(json_array_length(payload, '$.verdict.holds'), 0) + COALESCE(json_array_length(payload, '$.corrections'), 0) > 0
    END) VIRTUAL;
CREATE INDEX items_awaiting_approval ON items (id)
    WHERE awaits_approval = TRUE AND status IN ('pending', 'retrying', 'exception');

-- The views "mine" and "unassigned" over any status (a vendor's items, say) tested each item's
-- assignee, which SQLite computes from the whole payload: 5,500 payloads read for a vendor's
-- items of 100,000 (bench/ui.py). The assigned items are few: this index holds only them, and
-- the finder tests ids against it (backoffice.queue.finder.ASSIGNED).
CREATE INDEX items_by_assignee ON items (assignee) WHERE assignee > '';
