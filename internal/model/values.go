package model

import (
	"sort"
	"strings"
	"time"
)

// ValueState is where an indicator value stands in the validation workflow.
type ValueState string

// The states of a value: entered, submitted for validation, validated by
// the Caf or the coordinator, or returned to its author with a reason.
const (
	ValueDraft     ValueState = "draft"
	ValueSubmitted ValueState = "submitted"
	ValueValidated ValueState = "validated"
	ValueReturned  ValueState = "returned"
)

// Value is one figure of an indicator for a period and a breakdown.
type Value struct {
	Meta
	Convention string `json:"convention"`
	// Indicator is the code of the indicator in the catalogue.
	Indicator string `json:"indicator"`
	// Period is "2024", "2024-T2" or "2024-03".
	Period string `json:"period"`
	// Breakdown is the canonical breakdown ("commune=04088"), "" for the total.
	Breakdown string `json:"breakdown,omitempty"`
	// Number is the value of a quantitative indicator; Text of a qualitative one.
	Number *float64 `json:"value,omitempty"`
	Text   string   `json:"text,omitempty"`
	// Organization is the key of the organization that reports it.
	Organization string     `json:"organization,omitempty"`
	State        ValueState `json:"state"`
	ReturnReason string     `json:"return_reason,omitempty"`
	Source       string     `json:"source,omitempty"`
	Comment      string     `json:"comment,omitempty"`
	// Synthetic marks demonstration data, never mixed silently with real values.
	Synthetic   bool       `json:"synthetic,omitempty"`
	EnteredBy   string     `json:"entered_by,omitempty"`
	ValidatedBy string     `json:"validated_by,omitempty"`
	ValidatedAt *time.Time `json:"validated_at,omitempty"`
}

// Breakdown is a set of dimension values, such as commune=04088.
type Breakdown map[string]string

// String writes a breakdown canonically: dimensions sorted, "dim=value"
// joined by ";"; "" for no breakdown.
func (b Breakdown) String() string {
	keys := make([]string, 0, len(b))
	for k, v := range b {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + b[k]
	}
	return strings.Join(parts, ";")
}

// ParseBreakdown reads the canonical form written by Breakdown.String.
func ParseBreakdown(s string) Breakdown {
	b := Breakdown{}
	for _, part := range strings.Split(s, ";") {
		if k, v, ok := strings.Cut(part, "="); ok && k != "" {
			b[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return b
}

// AuditEntry is one line of the append-only history: who changed which
// record, when, and its fields before and after, as form text.
type AuditEntry struct {
	ID          string            `json:"id"`
	At          time.Time         `json:"at"`
	Convention  string            `json:"convention"`
	UserID      string            `json:"-"`
	Actor       string            `json:"actor"`
	Action      string            `json:"action"`
	ObjectType  string            `json:"object_type"`
	ObjectID    string            `json:"object_id"`
	ObjectLabel string            `json:"object_label"`
	Before      map[string]string `json:"before,omitempty"`
	After       map[string]string `json:"after,omitempty"`
	// Comment is what the author said of the change, when they said it.
	Comment string `json:"comment,omitempty"`
	// Rows are the records an entry about many of them changed (an import
	// of values): each with its own action and fields before and after.
	Rows []AuditRow `json:"rows,omitempty"`
	// Mail holds the messages the change sends, queued in the outbox in
	// the same transaction as the entry.
	Mail []Mail `json:"-"`
}

// AuditRow is one record of an audit entry that changed many: what was
// done to it ("create", "update", "delete"), and its fields before and
// after.
type AuditRow struct {
	Action   string            `json:"action"`
	ObjectID string            `json:"object_id"`
	Label    string            `json:"label"`
	Before   map[string]string `json:"before,omitempty"`
	After    map[string]string `json:"after,omitempty"`
}

// ConventionSummary is a convention as listed, without its content.
type ConventionSummary struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Status    Status    `json:"status"`
	Synthetic bool      `json:"synthetic,omitempty"`
	Period    Period    `json:"period"`
	EPCI      string    `json:"epci,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version"`
	// SignedOn and Authorizations (for each party, the date of its
	// authorization, nil when none is dated) are what the list needs to
	// compute each convention's state in its life.
	SignedOn       *Date   `json:"-"`
	Authorizations []*Date `json:"-"`
	// Acts are the convention's renewal and termination, for its state.
	Acts LifecycleActs `json:"-"`
}

// ConventionRef names a stored state of a convention: its row's id and
// its revision, which every change of what its pages show increases.
// An import over a convention gives it a new id, so a ref never comes
// back once the convention changed.
type ConventionRef struct {
	ID, Slug string
	Revision int64
}

// ConventionListFacts are the few facts of a convention's content that
// its line in the conventions list shows beside its summary, read for a
// whole page of the list at once.
type ConventionListFacts struct {
	// Communes are the INSEE codes of the territory as written (none: the
	// members of its intercommunality).
	Communes []string
	// SignatoryCommunes are the INSEE codes of the communes party to the
	// convention.
	SignatoryCommunes []string
	// Promises are the axes without fiches whose fiches an avenant
	// promised by a date, in the order of the axes.
	Promises []AxisPromise
	// FirstStep is the planned step that starts first on or after the day
	// asked (the first in the plan's order among those of that day); nil
	// when there is none.
	FirstStep *ListedStep
}

// AxisPromise is an axis whose fiches are promised by a date.
type AxisPromise struct {
	Number, Position int
	DueBy            Date
}

// ListedStep is a step as the conventions list knows it: its start, the
// code of its fiche and the position of its axis.
type ListedStep struct {
	Start        Date
	Fiche        string
	AxisPosition int
}

// ConventionsWithWork are the conventions (by slug) where something waits
// for someone whatever their organization: real values submitted for
// validation, actions decided in committee not done, data-exchange
// requests waiting for a study, an opinion or a decision.
type ConventionsWithWork map[string]bool

// WithMail returns the entry with messages to queue with the change.
func (e AuditEntry) WithMail(m ...Mail) AuditEntry {
	e.Mail = append(e.Mail[:len(e.Mail):len(e.Mail)], m...)
	return e
}

// WithChange returns the entry with the record's fields before and after.
func (e AuditEntry) WithChange(before, after map[string]string) AuditEntry {
	e.Before, e.After = before, after
	return e
}
