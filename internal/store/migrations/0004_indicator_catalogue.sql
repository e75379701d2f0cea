-- The indicator catalogue: code, how values combine, breakdowns, who
-- reports them, targets per period and the tolerance on deviations.
ALTER TABLE indicators ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN combine TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN numerator TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN denominator TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN dimensions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE indicators ADD COLUMN responsible_key TEXT NOT NULL DEFAULT '';
ALTER TABLE indicators ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE indicators ADD COLUMN tolerance INTEGER NOT NULL DEFAULT 0;
