-- The conventions list pages the conventions by slug and reads, for each
-- line, the id and revision that say whether the line kept from an earlier
-- view still holds: an index holding the three spares reading the
-- conventions' rows, wide with their texts, for every line of every page.
CREATE INDEX conventions_refs ON conventions (slug, id, revision);
