-- The personal-data exchange requests between the parties of a convention
-- (art. 7), from filing to implementation, with the study and opinion of
-- the holding party's DPO. They describe categories of data and persons,
-- never personal data. Like indicator values, they refer to the
-- convention by slug and to the parties by organization key, which
-- survive a re-import.
CREATE TABLE data_requests (
    id TEXT PRIMARY KEY,
    convention_slug TEXT NOT NULL,
    requester_key TEXT NOT NULL,
    holder_key TEXT NOT NULL,
    title TEXT NOT NULL,
    data_categories TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    persons TEXT NOT NULL DEFAULT '',
    retention TEXT NOT NULL DEFAULT '',
    recipients TEXT NOT NULL DEFAULT '',
    transfers_outside_eu {{bool}} NOT NULL DEFAULT {{false}},
    transfer_detail TEXT NOT NULL DEFAULT '',
    security_measures TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'filed',
    filed_by TEXT NOT NULL DEFAULT '',
    filed_by_user TEXT NOT NULL DEFAULT '',
    filed_on {{date}} NOT NULL,
    study_on {{date}},
    opportunity TEXT NOT NULL DEFAULT '',
    feasibility TEXT NOT NULL DEFAULT '',
    compliance TEXT NOT NULL DEFAULT '',
    opinion TEXT NOT NULL DEFAULT '',
    opinion_text TEXT NOT NULL DEFAULT '',
    recommendations TEXT NOT NULL DEFAULT '',
    opinion_on {{date}},
    opinion_by TEXT NOT NULL DEFAULT '',
    decided_on {{date}},
    decided_by TEXT NOT NULL DEFAULT '',
    decision_note TEXT NOT NULL DEFAULT '',
    implemented_on {{date}},
    created_at {{timestamp}} NOT NULL,
    updated_at {{timestamp}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX data_requests_convention ON data_requests (convention_slug, filed_on);
