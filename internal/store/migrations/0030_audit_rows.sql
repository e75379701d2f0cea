-- An import of many values is one audit entry that lists its rows (each
-- value created, corrected or replaced, with its fields before and after),
-- as a JSON array: one entry per import instead of one per value.
ALTER TABLE audit_log ADD COLUMN rows_json TEXT NOT NULL DEFAULT '';
