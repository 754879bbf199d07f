-- "Waiting for my approval" (issue 21): the items that may wait for a four-eyes approval, found
-- without reading every waiting payload. An item may wait for one when its Verdict holds it (a
-- route to approval or a possible duplicate, an error) or a person corrected it; whether it waits
-- for this person (their roles, the amount, who changed it, the approvals it has) the UI judges
-- in Python (backoffice.rules.approvals), on these few. The trigger of migration 6 keeps the
-- column with the others; the index holds only waiting items.
ALTER TABLE items ADD COLUMN awaits_approval BOOLEAN NOT NULL DEFAULT FALSE;
CREATE FUNCTION items_awaits_approval(payload JSONB) RETURNS BOOLEAN LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(CASE WHEN jsonb_typeof(payload #> '{verdict,holds}') = 'array'
                         THEN jsonb_array_length(payload #> '{verdict,holds}') END, 0)
         + COALESCE(CASE WHEN jsonb_typeof(payload -> 'corrections') = 'array'
                         THEN jsonb_array_length(payload -> 'corrections') END, 0) > 0
$$;
CREATE OR REPLACE FUNCTION items_fields() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    total TEXT := NEW.payload #>> '{document,fields,grand_total,value}';
BEGIN
    NEW.amount := CASE WHEN total ~ '^\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\s*$'
                       THEN total::double precision END;
    NEW.doc_date := NEW.payload #>> '{document,fields,issue_date,value}';
    NEW.doc_number := NEW.payload #>> '{document,fields,invoice_number,value}';
    NEW.assignee := NEW.payload #>> '{assignee}';
    NEW.awaits_approval := items_awaits_approval(NEW.payload);
    RETURN NEW;
END;
$$;
-- the items of earlier releases (the column only, so the trigger does not run for every row)
UPDATE items SET awaits_approval = TRUE WHERE payload ?| ARRAY['verdict', 'corrections'] AND items_awaits_approval(payload);
CREATE INDEX items_awaiting_approval ON items (id)
    WHERE awaits_approval = TRUE AND status IN ('pending', 'retrying', 'exception');

-- The views "mine" and "unassigned" over any status (a vendor's items, say) read each item's
-- row for its assignee: 5,500 rows for a vendor's items of 100,000 (bench/ui.py). The assigned
-- items are few: this index holds only them, and the finder tests ids against it
-- (backoffice.queue.finder.ASSIGNED), which an index-only scan of the ids answers.
CREATE INDEX items_by_assignee ON items (assignee) WHERE assignee > '';
