-- Initial schema: a whole convention, every record with id, timestamps and version.
CREATE TABLE conventions (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    format TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    synthetic {{bool}} NOT NULL DEFAULT {{false}},
    period_start {{date}} NOT NULL,
    period_end {{date}} NOT NULL,
    renewal TEXT NOT NULL DEFAULT '',
    signature_place TEXT NOT NULL DEFAULT '',
    signature_place_as_written TEXT NOT NULL DEFAULT '',
    signature_date {{date}},
    signature_copies TEXT NOT NULL DEFAULT '',
    territory_epci TEXT NOT NULL DEFAULT '',
    territory_communes TEXT NOT NULL DEFAULT '[]',
    preamble_text TEXT NOT NULL DEFAULT '',
    preamble_themes TEXT NOT NULL DEFAULT '[]',
    diagnostic_author TEXT NOT NULL DEFAULT '',
    diagnostic_summary TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    siren TEXT NOT NULL DEFAULT '',
    insee TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, key)
);

CREATE TABLE parties (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    organization_key TEXT NOT NULL,
    designation TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, organization_key),
    FOREIGN KEY (convention_id, organization_key) REFERENCES organizations (convention_id, key)
);

CREATE TABLE representatives (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL REFERENCES parties(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    civility TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    signature_title TEXT NOT NULL DEFAULT '',
    signature_name TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE authorizations (
    id TEXT PRIMARY KEY,
    party_id TEXT NOT NULL UNIQUE REFERENCES parties(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    decided_on {{date}},
    date_as_written TEXT NOT NULL DEFAULT '',
    reference TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT '',
    annex INTEGER NOT NULL DEFAULT 0,
    prefecture_acknowledgement TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE prefecture_acknowledgements (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    identifier TEXT NOT NULL,
    received_on {{date}},
    organization_key TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE legal_bases (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    party_key TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    footnotes TEXT NOT NULL DEFAULT '[]',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, number)
);

CREATE TABLE annexes (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    holds TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, number)
);

CREATE TABLE findings (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    theme TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    fiches TEXT NOT NULL DEFAULT '[]',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE axes (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    fiches_due_by {{date}},
    promise TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, number)
);

CREATE TABLE fiches (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    axis_id TEXT NOT NULL REFERENCES axes(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    listings TEXT NOT NULL DEFAULT '[]',
    context TEXT NOT NULL DEFAULT '',
    objectives TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    indicators_heading TEXT NOT NULL DEFAULT '',
    target_public TEXT NOT NULL DEFAULT '[]',
    pilots TEXT NOT NULL DEFAULT '[]',
    partners TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, code)
);

CREATE TABLE steps (
    id TEXT PRIMARY KEY,
    fiche_id TEXT NOT NULL REFERENCES fiches(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '[]',
    schedule_as_written TEXT NOT NULL DEFAULT '',
    schedule_start {{date}},
    schedule_end {{date}},
    recurrence TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    fiche_id TEXT NOT NULL REFERENCES fiches(id) ON DELETE CASCADE,
    step_id TEXT REFERENCES steps(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE equipments (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    operator_name TEXT NOT NULL,
    operator_key TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    activity_type TEXT NOT NULL,
    activity_nature TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '[]',
    postal_code TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    commune TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE committees (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    composition TEXT NOT NULL DEFAULT '[]',
    purposes TEXT NOT NULL DEFAULT '[]',
    co_chairs TEXT NOT NULL DEFAULT '[]',
    secretariat_key TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_id, key)
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    convention_id TEXT NOT NULL REFERENCES conventions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT NOT NULL,
    organization_key TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX organizations_convention_id_idx ON organizations (convention_id);
CREATE INDEX parties_convention_id_idx ON parties (convention_id);
CREATE INDEX representatives_party_id_idx ON representatives (party_id);
CREATE INDEX prefecture_acknowledgements_convention_id_idx ON prefecture_acknowledgements (convention_id);
CREATE INDEX legal_bases_convention_id_idx ON legal_bases (convention_id);
CREATE INDEX findings_convention_id_idx ON findings (convention_id);
CREATE INDEX fiches_axis_id_idx ON fiches (axis_id);
CREATE INDEX steps_fiche_id_idx ON steps (fiche_id);
CREATE INDEX indicators_fiche_id_idx ON indicators (fiche_id);
CREATE INDEX indicators_step_id_idx ON indicators (step_id);
CREATE INDEX equipments_convention_id_idx ON equipments (convention_id);
CREATE INDEX equipments_commune_idx ON equipments (commune);
CREATE INDEX committees_convention_id_idx ON committees (convention_id);
CREATE INDEX contacts_convention_id_idx ON contacts (convention_id);
