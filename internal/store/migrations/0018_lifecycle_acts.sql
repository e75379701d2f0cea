-- The acts of a convention's life after its signature: the express
-- decision to renew it (art. 10 of the seed) and its termination
-- (art. 12). They refer to the convention by slug and to the sending
-- party by organization key, which survive a re-import, like indicator
-- values. One renewal and one termination at most per convention.
CREATE TABLE lifecycle_acts (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- renewal: the day it was decided; termination: the letter's date.
    act_date {{date}} NOT NULL,
    -- termination only: receipt of the letter and the computed effect.
    received_on {{date}},
    effective_on {{date}},
    mode TEXT NOT NULL DEFAULT '',
    sender TEXT NOT NULL DEFAULT '',
    -- renewal: the deciding acts; termination: the letters' references.
    acts TEXT NOT NULL DEFAULT '',
    successor_slug TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, kind)
);

CREATE INDEX lifecycle_acts_successor_idx ON lifecycle_acts (successor_slug);
