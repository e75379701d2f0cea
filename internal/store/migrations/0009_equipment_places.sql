-- Equipments carry the number of places they are approved for, when known.
ALTER TABLE equipments ADD COLUMN places INTEGER NOT NULL DEFAULT 0;
