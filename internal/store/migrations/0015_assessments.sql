-- The coordinator's written assessment of each fiche, per year, printed in
-- the bilan. It refers to the convention by slug and to the fiche by code,
-- which survive a re-import, like indicator values.
CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    fiche_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, fiche_code, year)
);
