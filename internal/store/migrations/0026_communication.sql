-- Article 8 (communication): each organization's logo, shown on the
-- joint supports, and the financed partners' requests to hold a public
-- event with the financer's answers on its date and its graphic charter.
-- Like documents, they refer to the convention by slug and to
-- organizations and records by natural key, which survive a re-import.
CREATE TABLE logos (
    convention_slug TEXT NOT NULL,
    organization_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    width INTEGER NOT NULL DEFAULT 0,
    height INTEGER NOT NULL DEFAULT 0,
    content {{blob}} NOT NULL,
    uploaded_by TEXT NOT NULL DEFAULT '',
    uploaded_at {{timestamp}} NOT NULL,
    PRIMARY KEY (convention_slug, organization_key)
);

CREATE TABLE event_requests (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    organization_key TEXT NOT NULL,
    financer_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    subject_kind TEXT NOT NULL DEFAULT '',
    subject_key TEXT NOT NULL DEFAULT '',
    proposed_on {{date}} NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    date_agreement TEXT NOT NULL DEFAULT 'pending',
    other_date {{date}},
    date_note TEXT NOT NULL DEFAULT '',
    charter_agreement TEXT NOT NULL DEFAULT 'pending',
    charter_conditions TEXT NOT NULL DEFAULT '',
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX event_requests_convention ON event_requests (convention_slug, proposed_on);
