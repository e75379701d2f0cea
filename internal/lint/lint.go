// Package lint checks a convention for what is missing, inconsistent or
// overdue: the defects a signed text carries and that must be fixed before
// a committee or a renewal. Each rule has a stable id, a severity and a
// French message a non-lawyer understands. It knows nothing of SQL or HTTP.
package lint

import (
	"fmt"
	"sort"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// Severity says how serious a finding is.
type Severity string

// The severities, from the most to the least serious.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Labels gives each severity in French.
var Labels = map[Severity]string{Error: "erreur", Warning: "avertissement", Info: "information"}

func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Finding is one defect found in a convention.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Path locates the object in the convention ("parties[1].authorization").
	Path string `json:"path"`
	// Where names the part of the text concerned: "article 9", "annexe 6", "fiche 2.1".
	Where string `json:"where,omitempty"`
	// Fix says what to do, when it can be said.
	Fix string `json:"fix,omitempty"`
	// Kind and ID designate the record to fix, for links; they are not
	// part of the output, which must not depend on where the convention
	// is stored.
	Kind string `json:"-"`
	ID   string `json:"-"`
}

// Rule is one check.
type Rule struct {
	ID       string
	Severity Severity
	// Title says in a few words what the rule looks for.
	Title string
	check func(x *checker)
}

// Recorded is what the platform records about a convention beside its
// text, which some rules need: the written assessments of its fiches
// (the evaluation).
type Recorded struct {
	Assessments []model.Assessment
	// Documents are the files attached to the convention (metadata).
	Documents []model.Document
	// Life is what is known of the convention's avenants, nil for a file.
	Life *Life
	// Meetings are the meetings of its committees, with their decisions.
	Meetings []model.Meeting
	// DataRequests are the personal-data exchange requests between its
	// parties (art. 7).
	DataRequests []model.DataRequest
}

// checker runs the rules on one convention and collects their findings.
type checker struct {
	c    *model.Convention
	ref  *territory.Data
	at   model.Date
	rec  Recorded
	rule *Rule
	out  []Finding
	// life is what is known of the convention's avenants, nil for a file.
	life *Life
}

// report records a finding of the current rule.
func (x *checker) report(f Finding) {
	f.Rule, f.Severity = x.rule.ID, x.rule.Severity
	x.out = append(x.out, f)
}

func (x *checker) reportf(path, where, kind, id, fix, format string, args ...any) {
	x.report(Finding{Path: path, Where: where, Kind: kind, ID: id, Fix: fix, Message: fmt.Sprintf(format, args...)})
}

// Run checks c as of the date at and returns its findings, the most
// serious first, then by rule and path. It knows the text alone: a file
// records no evaluation (see RunWith).
func Run(c *model.Convention, ref *territory.Data, at model.Date) []Finding {
	return RunWith(c, ref, at, Recorded{})
}

// RunWith is Run on a stored convention, with what the platform records
// about it beside its text.
func RunWith(c *model.Convention, ref *territory.Data, at model.Date, rec Recorded) []Finding {
	x := &checker{c: c, ref: ref, at: at, rec: rec, life: rec.Life}
	for i := range Rules {
		x.rule = &Rules[i]
		x.rule.check(x)
	}
	sort.SliceStable(x.out, func(i, j int) bool {
		a, b := x.out[i], x.out[j]
		if a.Severity != b.Severity {
			return a.Severity.rank() < b.Severity.rank()
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Path < b.Path
	})
	return x.out
}

// HasErrors reports whether any finding is an error.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Error {
			return true
		}
	}
	return false
}

// Count returns the number of findings of each severity.
func Count(fs []Finding) map[Severity]int {
	out := map[Severity]int{}
	for _, f := range fs {
		out[f.Severity]++
	}
	return out
}
