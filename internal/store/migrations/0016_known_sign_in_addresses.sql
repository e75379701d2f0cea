-- The addresses an account recently signed in from: there, the limit on
-- failures per account does not apply, so that guesses spread over many
-- other addresses cannot lock the person out of her usual one.
CREATE TABLE known_sign_in_addresses (
    email TEXT NOT NULL,
    client TEXT NOT NULL,
    last_at {{timestamp}} NOT NULL,
    PRIMARY KEY (email, client)
);
