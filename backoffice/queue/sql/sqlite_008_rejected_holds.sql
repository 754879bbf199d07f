-- `rejected`: a person refused the document, for good (issue 21). The items table's CHECK lists
-- the statuses; SQLite cannot alter a CHECK, and rebuilding `items` (foreign keys, generated
-- columns, triggers) to add one allowed value would rewrite every row. A wider CHECK changes no
-- stored row, so the table's definition is edited in place, as SQLite documents for loosening a
-- constraint (https://www.sqlite.org/lang_altertable.html, "making other kinds of table schema
-- changes", the simpler procedure). The migrator bumps schema_version after a migration that
-- writes the schema, so every open connection reads the new definition.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, '''done'', ''cancelled'')', '''done'', ''cancelled'', ''rejected'')')
 WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = OFF;

-- Who is reviewing an item in the UI right now (issue 21): one person per item, until `expires`
-- (renewed while the item's page is open). Others see the holder and may not act on the item.
CREATE TABLE item_holds (
    item_id INTEGER PRIMARY KEY REFERENCES items (id),
    person  TEXT NOT NULL,
    expires REAL NOT NULL
);
