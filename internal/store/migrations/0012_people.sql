-- People managed in the browser: an account created by invitation waits
-- for its activation (disabled until then); invitations and password
-- resets are single-use, expiring links of which only the hash is kept;
-- the last sign-in of each account is known from now on.
ALTER TABLE users ADD COLUMN invitation_pending {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE users ADD COLUMN last_sign_in_at {{timestamp}};

CREATE TABLE account_links (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    convention_slug TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    expires_at {{timestamp}} NOT NULL,
    used_at {{timestamp}}
);

CREATE INDEX account_links_user_idx ON account_links (user_id);
