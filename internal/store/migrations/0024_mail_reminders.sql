-- The reminders already queued, one per obligation, delay and recipient,
-- so that a reminder is queued once whatever the number of servers.
CREATE TABLE mail_reminders (
    reminder_key TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    created_at {{timestamp}} NOT NULL
);
