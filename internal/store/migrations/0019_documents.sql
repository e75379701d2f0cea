-- Files attached to a convention and to the objects of its life: the
-- signed original, each party's deliberation (annex 6), a signed avenant,
-- the letters of a termination. The bytes live in the database itself, so
-- that one backup holds everything and several servers on one PostgreSQL
-- share them. Like indicator values, a document refers to the convention
-- by slug and to its owner by natural key (the party's organization key,
-- the avenant number, the act id), which survive a re-import.
CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_key TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    content {{blob}} NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    uploaded_at {{timestamp}} NOT NULL
);

CREATE INDEX documents_owner ON documents (convention_slug, owner_kind, owner_key);
