-- The hot path as fast as before the UI's columns (issue 19: "SQLite no slower than before").
--
-- 1. The UI's values of an item (vendor, amount, document date and number, assignee, whether it
--    may await an approval) were virtual columns (migrations 7 and 9). SQLite computes every
--    generated column of a row at each UPDATE, whatever it changes: every claim and completion
--    ran the JSON functions on the payload for six columns (claim + complete with a payload of
--    '{}': 496,000 instructions in SQLite before migration 7, 582,000 after migration 10, 518,000
--    now; a real payload, a whole document, costs more). They are plain columns now, written
--    when the payload is: by the inserts (query items.sqlite.sql: insert_items)
--    and, for every later change of a payload, by the trigger items_derived_changed. The view
--    item_derived says what they are, once; the inserts say it again of the payload they are
--    given (a contract test checks that they agree).
-- 2. An AFTER INSERT trigger (items_texts_new, migration 10) made each insert a statement that
--    may need undoing halfway, so SQLite kept a statement journal for it: a copy of every page
--    the row touched (the table, its indexes, item_texts), spilled to a temporary file past
--    64 KiB, at every row of a batch (enqueue_many: 11 -> 28 us of SQLite's time an item). The
--    inserts fill item_texts themselves, in the same transaction: enqueue_many in one
--    INSERT ... SELECT over the new ids, enqueue by id (queries index_texts_after, index_texts_of).
--    Changes of a payload or references keep their trigger (items_texts_changed); claims and
--    completions change neither and run no trigger.
DROP TRIGGER items_texts_new;
DROP VIEW item_vendors;
DROP INDEX items_by_vendor;
DROP INDEX items_exceptions_by_amount;
DROP INDEX items_exceptions_by_doc_date;
DROP INDEX items_exceptions_by_doc_number;
DROP INDEX items_exceptions_by_assignee;
DROP INDEX items_by_assignee;
DROP INDEX items_awaiting_approval;
ALTER TABLE items DROP COLUMN vendor;
ALTER TABLE items DROP COLUMN amount;
ALTER TABLE items DROP COLUMN doc_date;
ALTER TABLE items DROP COLUMN doc_number;
ALTER TABLE items DROP COLUMN assignee;
ALTER TABLE items DROP COLUMN awaits_approval;
ALTER TABLE items ADD COLUMN vendor TEXT;
ALTER TABLE items ADD COLUMN amount REAL;
ALTER TABLE items ADD COLUMN doc_date TEXT;
ALTER TABLE items ADD COLUMN doc_number TEXT;
ALTER TABLE items ADD COLUMN assignee TEXT;
ALTER TABLE items ADD COLUMN awaits_approval INTEGER;

-- The expressions of migrations 7 and 9. A payload only Python's json module reads (Infinity)
-- has no values here rather than refusing the item.
CREATE VIEW item_derived (item_id, vendor, amount, doc_date, doc_number, assignee, awaits_approval) AS
    SELECT id,
        CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.seller_name.value') END,
        CASE WHEN json_valid(payload) THEN CAST(json_extract(payload, '$.document.fields.grand_total.value') AS REAL) END,
        CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.issue_date.value') END,
        CASE WHEN json_valid(payload) THEN json_extract(payload, '$.document.fields.invoice_number.value') END,
        CASE WHEN json_valid(payload) THEN json_extract(payload, '$.assignee') END,
        CASE WHEN json_valid(payload) THEN
            COALESCE(json_array_length(payload, '$.verdict.holds'), 0) + COALESCE(json_array_length(payload, '$.corrections'), 0) > 0
        END
    FROM items;
-- What the search looks in (migration 10), the same text for less work: a payload without a
-- document or a mail object gets its spaces without looking up six or two paths in it, an item
-- without references (every item as it arrives) without reading them.
DROP VIEW item_search_texts;
CREATE VIEW item_search_texts (item_id, texts) AS
    SELECT id, source_key
        || CASE WHEN refs = '{}' THEN '' ELSE
              COALESCE(' ' || (SELECT group_concat(value, ' ') FROM json_each(CASE WHEN json_valid(refs) THEN refs END)), '')
           END
        || CASE WHEN json_valid(payload) THEN
              ' ' || COALESCE(json_extract(payload, '$.file'), '')
           || CASE WHEN json_type(payload, '$.document') = 'object' THEN
                 ' ' || COALESCE(json_extract(payload, '$.document.fields.invoice_number.value'), '')
              || ' ' || COALESCE(json_extract(payload, '$.document.fields.order_reference.value'), '')
              || ' ' || COALESCE(json_extract(payload, '$.document.fields.seller_name.value'), '')
              || ' ' || COALESCE(json_extract(payload, '$.document.fields.buyer_name.value'), '')
              || ' ' || COALESCE(json_extract(payload, '$.document.fields.order_number.value'), '')
              || ' ' || COALESCE(json_extract(payload, '$.document.fields.employee_name.value'), '')
              ELSE '      ' END
           || CASE WHEN json_type(payload, '$.mail') = 'object' THEN
                 ' ' || COALESCE(json_extract(payload, '$.mail.subject'), '')
              || ' ' || COALESCE(json_extract(payload, '$.mail.from'), '')
              ELSE '  ' END
           ELSE '' END
    FROM items;
CREATE TRIGGER items_derived_changed AFTER UPDATE OF payload ON items
BEGIN
    UPDATE items SET (vendor, amount, doc_date, doc_number, assignee, awaits_approval) =
        (SELECT vendor, amount, doc_date, doc_number, assignee, awaits_approval FROM item_derived WHERE item_id = NEW.id)
    WHERE id = NEW.id;
END;
-- the items of earlier releases
UPDATE items SET (vendor, amount, doc_date, doc_number, assignee, awaits_approval) =
    (SELECT vendor, amount, doc_date, doc_number, assignee, awaits_approval FROM item_derived WHERE item_id = items.id);

-- The indexes and the view of migrations 7, 9 and 10 again, as they were, but that the vendor's
-- leaves out the items without one (every item as it arrives, before its document is read): the
-- vendor filter (IN) and item_vendors (>=, >) ask only for vendors.
CREATE INDEX items_by_vendor ON items (vendor) WHERE vendor IS NOT NULL;
CREATE INDEX items_exceptions_by_amount ON items (amount, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_date ON items (doc_date, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_doc_number ON items (doc_number, id) WHERE status = 'exception';
CREATE INDEX items_exceptions_by_assignee ON items (assignee, id) WHERE status = 'exception';
CREATE INDEX items_by_assignee ON items (assignee) WHERE assignee > '';
CREATE INDEX items_awaiting_approval ON items (id)
    WHERE awaits_approval = TRUE AND status IN ('pending', 'retrying', 'exception');
CREATE VIEW item_vendors (vendor) AS
    WITH RECURSIVE names (vendor) AS (
        SELECT (SELECT vendor FROM items WHERE vendor >= '' ORDER BY vendor LIMIT 1)
        UNION ALL
        SELECT (SELECT i.vendor FROM items i WHERE i.vendor > names.vendor ORDER BY i.vendor LIMIT 1)
        FROM names WHERE names.vendor IS NOT NULL
    )
    SELECT vendor FROM names WHERE vendor IS NOT NULL;
