-- The outbox: every e-mail ctg sends is first a row here, written in the
-- same transaction as the change that causes it, then sent in the
-- background by one ctg serve at a time (a lease: lease_owner until
-- lease_until), retried with backoff, and marked sent before its lease is
-- released. A personal token (an invitation's) is kept apart from the
-- bodies, in secret, and erased once the message is sent or given up.
-- Like indicator values, a message refers to its convention by
-- slug, which survives a re-import.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL DEFAULT '',
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL DEFAULT '',
    attachments_json TEXT NOT NULL DEFAULT '',
    secret TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{timestamp}} NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until {{timestamp}},
    created_at {{timestamp}} NOT NULL,
    sent_at {{timestamp}},
    last_error TEXT NOT NULL DEFAULT ''
);

CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
