-- Findings of the convention checker that an editor acknowledged, with the
-- reason, who and when. A finding is designated by a stable key (its rule,
-- the part of the text and its message) and by the convention's slug, which
-- survive a re-import; the record id and path say where it was.
CREATE TABLE finding_acknowledgements (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    finding_key TEXT NOT NULL,
    rule TEXT NOT NULL,
    record_id TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    acknowledged_by TEXT NOT NULL,
    acknowledged_at {{timestamp}} NOT NULL,
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, finding_key)
);
