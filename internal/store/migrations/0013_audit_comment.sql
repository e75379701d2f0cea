-- A history entry may carry the comment its author gave with the change
-- (the note that goes with a step's progress).
ALTER TABLE audit_log ADD COLUMN comment TEXT NOT NULL DEFAULT '';
