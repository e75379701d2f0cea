-- Avenants (art. 11 of the seed), the authorizations of each party to sign
-- them, and the whole text of each version of a convention (0: the original,
-- k: after avenant n° k). Like indicator values, they refer to the
-- convention by slug and to parties by organization key, which survive a
-- re-import.
CREATE TABLE amendments (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    object TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'draft',
    working_copy TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    signed_on {{date}},
    signature_place TEXT NOT NULL DEFAULT '',
    effective_on {{date}},
    changes TEXT NOT NULL DEFAULT '',
    applied_at {{timestamp}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, number)
);

-- One avenant in preparation at a time per convention.
CREATE UNIQUE INDEX amendments_one_draft ON amendments (convention_slug) WHERE state = 'draft';

CREATE TABLE amendment_authorizations (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    organization_key TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    decided_on {{date}},
    reference TEXT NOT NULL DEFAULT '',
    prefecture_acknowledgement TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, number, organization_key)
);

CREATE TABLE convention_versions (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    number INTEGER NOT NULL,
    effective_on {{date}},
    content TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    UNIQUE (convention_slug, number)
);
