-- Business keys for the rules' duplicate check (a rule file's `duplicates:`): one row per item
-- and duplicates entry, so finding an earlier item with the same key is an index lookup
-- instead of a scan of the bot's history. `key` holds the key's parts normalized (see
-- backoffice.rules.duplicates); `day` the entry's date field when it declares one; `seq` the
-- order keys were recorded in (a key recorded again unchanged keeps its place), so an item
-- checked before an earlier one (another runner, a retry) is found by it too.
CREATE SEQUENCE item_keys_seq;
CREATE TABLE item_keys (
    item_id BIGINT NOT NULL REFERENCES items (id),
    rule    TEXT   NOT NULL,
    bot     TEXT   NOT NULL,
    key     TEXT   NOT NULL,
    day     DATE,
    seq     BIGINT NOT NULL DEFAULT nextval('item_keys_seq'),
    PRIMARY KEY (item_id, rule)
);
ALTER SEQUENCE item_keys_seq OWNED BY item_keys.seq;
CREATE INDEX item_keys_lookup ON item_keys (bot, rule, key, item_id) INCLUDE (day, seq);
-- The definition (key fields, date field) each bot's keys were recorded with; a runner whose
-- rule file defines an entry otherwise keys the bot's earlier items again.
CREATE TABLE key_rules (
    bot        TEXT NOT NULL,
    rule       TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (bot, rule)
);
