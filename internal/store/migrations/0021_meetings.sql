-- The meetings of a convention's committees (art. 6, annex 4), their
-- attendance, decisions and follow-up actions. Like indicator values,
-- they refer to the convention by slug and to its records by natural key
-- (committee key, organization key, fiche code…), which survive a
-- re-import; the rows of one meeting refer to it by its own id.
CREATE TABLE meetings (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    committee_key TEXT NOT NULL,
    meeting_date {{date}} NOT NULL,
    start_time TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'planned',
    -- One agenda item a line, in order.
    agenda TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX meetings_convention ON meetings (convention_slug, meeting_date);

CREATE TABLE meeting_attendance (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    organization_key TEXT NOT NULL DEFAULT '',
    guest_name TEXT NOT NULL DEFAULT '',
    person TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    represented_by TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX meeting_attendance_meeting ON meeting_attendance (meeting_id);

CREATE TABLE meeting_decisions (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    object_kind TEXT NOT NULL DEFAULT '',
    object_key TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX meeting_decisions_meeting ON meeting_decisions (meeting_id);

CREATE TABLE meeting_actions (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    decision_id TEXT NOT NULL REFERENCES meeting_decisions (id) ON DELETE CASCADE,
    text TEXT NOT NULL DEFAULT '',
    organization_key TEXT NOT NULL DEFAULT '',
    person TEXT NOT NULL DEFAULT '',
    due_on {{date}},
    status TEXT NOT NULL DEFAULT 'todo',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX meeting_actions_convention ON meeting_actions (convention_slug);
