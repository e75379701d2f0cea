-- Indicators carry their unit and how often they are collected.
ALTER TABLE indicators ADD COLUMN unit TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN periodicity TEXT NOT NULL DEFAULT '';
