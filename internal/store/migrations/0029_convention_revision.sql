-- Every change of what a convention's pages show (its records, its life,
-- its values…) increases its revision, in the transaction of the change:
-- a server keeps a convention it read with the revision it had, and
-- reads it again only when the revision moved, whichever server wrote.
-- An import over a convention inserts its row again, with a new id, so
-- (id, revision) never comes back once changed.
ALTER TABLE conventions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
