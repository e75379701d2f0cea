-- Sign-in attempts, counted in the database so that concurrent requests and
-- several ctg instances share one limit (rows older than the window are
-- purged at each attempt); API tokens expire.

CREATE TABLE sign_in_attempts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    at {{timestamp}} NOT NULL
);

CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_client_idx ON sign_in_attempts (client, at);
CREATE INDEX sign_in_attempts_at_idx ON sign_in_attempts (at);

-- Tokens made before expiry existed get one year from now, so that no tool
-- stops working the day of the upgrade.
ALTER TABLE api_tokens ADD COLUMN expires_at {{timestamp}};
UPDATE api_tokens SET expires_at = {{in_one_year}};
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id);
