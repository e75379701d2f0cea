-- Accounts, roles per convention, sessions, API tokens and the audit log.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    organization TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    platform_admin {{bool}} NOT NULL DEFAULT {{false}},
    disabled {{bool}} NOT NULL DEFAULT {{false}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    convention_slug TEXT NOT NULL,
    role TEXT NOT NULL,
    organization_key TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (user_id, convention_slug)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at {{timestamp}} NOT NULL,
    convention_slug TEXT NOT NULL DEFAULT '',
    user_id TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    object_label TEXT NOT NULL DEFAULT '',
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT ''
);

CREATE INDEX memberships_user_idx ON memberships (user_id);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX audit_log_object_idx ON audit_log (object_id);
CREATE INDEX audit_log_convention_idx ON audit_log (convention_slug, at);
