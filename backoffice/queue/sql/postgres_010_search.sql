-- The exception list's search and vendor filter at 100,000 items (issue 21: every filter <= 150 ms).
-- Before, both read item_texts whole with ILIKE (a search also tested every listed item's source
-- key and references), and a page asks four times: its list and the counts of its views. Measured
-- with bench/ui.py and EXPLAIN (ANALYZE, BUFFERS): a search 388 ms, a vendor over any status 206 ms.
--
-- Now item_texts.texts holds everything the search looks in (backoffice.queue.finder: the source
-- key, the references' values, then SEARCHED, in that order, joined by spaces as ItemFilter.matches
-- joins them), lower-cased, so that a search is one LIKE on one column, which a trigram index
-- answers; every item has its row. The trigger skips the write when nothing searched changed (a
-- stage that sets the payload mostly changes other fields).
-- (PL/pgSQL: it keeps the expression's plan; a SQL function called from the trigger is planned
-- again at every call, which doubled the cost of an enqueue)
CREATE FUNCTION item_search_text(source_key TEXT, refs JSONB, payload JSONB) RETURNS TEXT
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN lower(source_key
        || COALESCE(' ' || (SELECT string_agg(value, ' ') FROM jsonb_each_text(refs)), '')
        || ' ' || COALESCE(payload #>> '{file}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,invoice_number,value}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,order_reference,value}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,seller_name,value}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,buyer_name,value}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,order_number,value}', '')
        || ' ' || COALESCE(payload #>> '{document,fields,employee_name,value}', '')
        || ' ' || COALESCE(payload #>> '{mail,subject}', '')
        || ' ' || COALESCE(payload #>> '{mail,from}', ''));
END;
$$;
CREATE OR REPLACE FUNCTION items_texts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_texts (item_id, vendor, texts)
        VALUES (NEW.id, NEW.payload #>> '{document,fields,seller_name,value}',
                item_search_text(NEW.source_key, NEW.refs, NEW.payload))
        ON CONFLICT (item_id) DO UPDATE SET vendor = excluded.vendor, texts = excluded.texts
        WHERE item_texts.vendor IS DISTINCT FROM excluded.vendor OR item_texts.texts <> excluded.texts;
    RETURN NULL;
END;
$$;
-- a target's references (the effect ledger) change without the payload
DROP TRIGGER items_texts ON items;
CREATE TRIGGER items_texts AFTER INSERT OR UPDATE OF payload, refs ON items
    FOR EACH ROW EXECUTE FUNCTION items_texts();
INSERT INTO item_texts (item_id, vendor, texts)
    SELECT id, payload #>> '{document,fields,seller_name,value}', item_search_text(source_key, refs, payload)
    FROM items
    ON CONFLICT (item_id) DO UPDATE SET vendor = excluded.vendor, texts = excluded.texts;

-- The vendor filter: vendors are few beside items, so the finder tests the distinct names
-- (item_vendors, which skips through this index: one probe per name) and reads the ids of the
-- matching ones from the same index.
CREATE INDEX item_texts_by_vendor ON item_texts (vendor, item_id);
CREATE VIEW item_vendors (vendor) AS
    WITH RECURSIVE names (vendor) AS (
        (SELECT vendor FROM item_texts WHERE vendor IS NOT NULL ORDER BY vendor LIMIT 1)
        UNION ALL
        SELECT (SELECT t.vendor FROM item_texts t WHERE t.vendor > names.vendor ORDER BY t.vendor LIMIT 1)
        FROM names WHERE names.vendor IS NOT NULL
    )
    SELECT vendor FROM names WHERE vendor IS NOT NULL;

-- The search's index: trigrams (the pg_trgm extension, shipped with PostgreSQL; trusted, so a
-- user with CREATE on the database may add it). Where the extension is missing and may not be
-- created, the queue works the same without the index: a search then reads item_texts whole
-- (a LIKE on the lower-cased column, cheaper than the ILIKE before). Once an administrator has
-- run CREATE EXTENSION pg_trgm, SELECT item_texts_trigrams() in the queue's schema adds it.
CREATE FUNCTION item_texts_trigrams() RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
    home TEXT := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm');
BEGIN
    IF home IS NULL THEN
        BEGIN
            CREATE EXTENSION pg_trgm SCHEMA public;
            home := 'public';
        EXCEPTION WHEN insufficient_privilege OR undefined_file OR invalid_schema_name THEN
            RAISE WARNING 'the queue''s search has no trigram index (%); it reads item_texts whole', SQLERRM;
            RETURN FALSE;
        END;
    END IF;
    EXECUTE format('CREATE INDEX IF NOT EXISTS item_texts_by_trigram ON item_texts USING gin (texts %s.gin_trgm_ops)',
                   home);
    RETURN TRUE;
END;
$$;
SELECT item_texts_trigrams();
