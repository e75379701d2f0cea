-- Indicator values, per period and breakdown, with their provenance and
-- their state in the validation workflow. Values refer to the convention
-- by slug and to the indicator by code, which survive a re-import.
CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    period TEXT NOT NULL,
    breakdown TEXT NOT NULL DEFAULT '',
    value {{real}},
    text_value TEXT NOT NULL DEFAULT '',
    organization_key TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    return_reason TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    synthetic {{bool}} NOT NULL DEFAULT {{false}},
    entered_by TEXT NOT NULL DEFAULT '',
    validated_by TEXT NOT NULL DEFAULT '',
    validated_at {{timestamp}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (convention_slug, indicator_code, period, breakdown)
);

CREATE INDEX indicator_values_convention_idx ON indicator_values (convention_slug, indicator_code);
