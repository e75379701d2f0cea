-- Secret addresses of iCalendar feeds: one per account and convention, or
-- one per account for all its conventions and its tasks (convention_slug
-- ''). Only the SHA-256 of the token is kept, as for API tokens. The feed
-- refers to the convention by slug, which survives a re-import.
CREATE TABLE calendar_feeds (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    convention_slug TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    created_at {{timestamp}} NOT NULL,
    last_used_at {{timestamp}}
);

CREATE UNIQUE INDEX calendar_feeds_scope ON calendar_feeds (user_id, convention_slug);
