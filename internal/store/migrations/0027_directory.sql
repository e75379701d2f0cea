-- One directory of organizations for the platform: the Caf of one
-- convention is the Caf of another. An entry is identified by its SIREN
-- where the conventions give one, else by its INSEE code (communes), else
-- by its kind and folded name (match_key). Each organization of a
-- convention is linked to its entry by natural key (slug, organization
-- key), which survives a re-import; the links of the conventions stored
-- before this change are made when it is applied. An account belongs to
-- an entry and may hold a role there, which gives it that role in every
-- convention its organization is party to.
CREATE TABLE directory_organizations (
    id TEXT PRIMARY KEY,
    match_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL DEFAULT '',
    siren TEXT NOT NULL DEFAULT '',
    insee TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE organization_links (
    convention_slug TEXT NOT NULL,
    organization_key TEXT NOT NULL,
    directory_id TEXT NOT NULL,
    PRIMARY KEY (convention_slug, organization_key)
);

CREATE INDEX organization_links_directory_idx ON organization_links (directory_id);

ALTER TABLE users ADD COLUMN organization_id TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN organization_role TEXT NOT NULL DEFAULT '';
