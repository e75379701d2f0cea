-- An indicator code designates one indicator of a convention. Its mentions
-- in the text (the same indicator listed under two steps of a fiche) share
-- the code and are numbered; the database refuses a second indicator with
-- a code already in use, even from two concurrent requests.
ALTER TABLE indicators ADD COLUMN convention_id TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN mention INTEGER NOT NULL DEFAULT 0;
UPDATE indicators SET convention_id = (SELECT f.convention_id FROM fiches f WHERE f.id = indicators.fiche_id);
-- Number the mentions already stored (nothing is dropped, even where an
-- earlier version let two indicators share a code).
UPDATE indicators SET mention = (SELECT COUNT(*) FROM indicators o
    WHERE o.convention_id = indicators.convention_id AND o.code = indicators.code AND o.id < indicators.id)
    WHERE code <> '';
CREATE UNIQUE INDEX indicators_code_idx ON indicators (convention_id, code, mention) WHERE code <> '';
