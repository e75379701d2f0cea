// Package report builds the annual or final bilan of a convention: the
// convention's summary, each fiche with its steps and its indicators
// against their targets, governance, and the checker's open findings; as a
// PDF for the councils and as an XLSX workbook with the figures. It also
// writes the consolidated text of the convention itself as a PDF
// (ConventionPDF), drawn with the same blocks. It knows nothing of SQL or
// HTTP.
package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Report is the content of a bilan, computed once for both formats.
type Report struct {
	Convention *model.Convention
	// Year is the year of an annual bilan; Final covers the whole period.
	Year  int
	Final bool
	// Years are the columns of the indicator tables.
	Years     []string
	Generated time.Time
	Fiches    []Fiche
	Promised  []model.Axis
	// Figures are the indicators' yearly figures, the dashboard's own.
	Figures *indicators.Table
	// Findings are the checker's errors and warnings the committee must
	// act on; TextFindings the typos and discrepancies of the signed text,
	// of any severity, left to an appendix.
	Findings     []lint.Finding
	TextFindings []lint.Finding
	// Decisions are what the committee must decide, from the checker's errors.
	Decisions []Decision
	// Meetings are the committees' meetings of the year (of the period
	// for the final bilan), by date, with their decisions.
	Meetings []model.Meeting
	// Synthetic is set when figures come from demonstration data.
	Synthetic bool
	// Public is set for a bilan meant to leave the authenticated scope,
	// whose small counts are under statistical secrecy.
	Public bool
}

// MakePublic applies statistical secrecy to the bilan's figures, so that
// it can leave the authenticated scope. The application service calls it
// for a bilan asked for as diffusable.
func (r *Report) MakePublic(rule secrecy.Rule) {
	r.Public = true
	r.Figures.Diffuse(rule)
}

// Fiche is a fiche of the plan as the bilan shows it.
type Fiche struct {
	Code, Title, Axis string
	Status            model.ActionStatus
	Steps             []model.Step
	// Pilots are the keys of the organizations that pilot the fiche.
	Pilots []string
	// Assessments are the coordinator's written assessments: the year's
	// for an annual bilan, every year's for the final one.
	Assessments []model.Assessment
}

// Indicators returns the figures of a fiche's indicators.
func (r *Report) Indicators(f Fiche) []indicators.Row { return r.Figures.Fiche(f.Code) }

// Deviations lists the important deviations, for the steering committee.
func (r *Report) Deviations() []indicators.ImportantDeviation { return r.Figures.Deviations() }

// Title names the bilan.
func (r *Report) Title() string {
	t := r.title()
	if r.Public {
		t += " (version diffusable)"
	}
	return t
}

func (r *Report) title() string {
	if r.Final {
		return fmt.Sprintf("Bilan final %d-%d", r.Convention.Period.Start.Year, r.Convention.Period.End.Year)
	}
	return fmt.Sprintf("Bilan annuel %d", r.Year)
}

// Build computes a bilan from a convention, its values and its findings.
// An annual bilan shows the years of the period up to Year; a final one
// the whole period.
func Build(c *model.Convention, values []model.Value, findings []lint.Finding, year int, final bool, generated time.Time) (*Report, error) {
	if !final && (year < c.Period.Start.Year || year > c.Period.End.Year) {
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: "year",
			Message: fmt.Sprintf("l'année %d est hors de la convention (%d-%d)", year, c.Period.Start.Year, c.Period.End.Year)}}}
	}
	last := year
	if final {
		last = c.Period.End.Year
	}
	r := &Report{Convention: c, Year: year, Final: final, Generated: generated, Years: indicators.Years(c.Period.Start.Year, last)}
	r.Figures = indicators.Yearly(c, values, r.Years)
	r.Synthetic = r.Figures.Synthetic
	for _, a := range c.Axes {
		if len(a.Fiches) == 0 && a.FichesDueBy != nil {
			r.Promised = append(r.Promised, a)
		}
		// Progress as the plan page shows it on the day the bilan is made:
		// late steps counted as late, a fiche's state from its steps.
		on := model.DateOf(generated)
		for _, f := range a.Fiches {
			steps := slices.Clone(f.Steps)
			for i := range steps {
				steps[i].Status = steps[i].StateOn(on)
			}
			r.Fiches = append(r.Fiches, Fiche{Code: f.Code, Title: f.Title, Axis: fmt.Sprintf("Axe %d – %s", a.Number, a.Title),
				Status: f.StateOn(on), Steps: steps, Pilots: f.Pilots})
		}
	}
	for _, f := range findings {
		switch {
		case IsTextual(f.Rule):
			r.TextFindings = append(r.TextFindings, f)
		case f.Severity != lint.Info:
			r.Findings = append(r.Findings, f)
		}
	}
	r.Decisions = decisions(c, findings)
	return r, nil
}

// SetAssessments gives each fiche its written assessments: those of the
// bilan's year, or of every year for a final bilan.
func (r *Report) SetAssessments(list []model.Assessment) {
	for i := range r.Fiches {
		f := &r.Fiches[i]
		f.Assessments = nil
		for _, x := range list {
			if x.Fiche == f.Code && strings.TrimSpace(x.Text) != "" && (r.Final || x.Year == r.Year) {
				f.Assessments = append(f.Assessments, x)
			}
		}
		sort.SliceStable(f.Assessments, func(a, b int) bool { return f.Assessments[a].Year < f.Assessments[b].Year })
	}
}

// SetMeetings keeps the meetings the bilan covers: those of its year, or,
// for the final one, every meeting from the start of the period — the
// closing committee, held after its end, included; cancelled ones are
// left out, and so are those still to come on the day it is written.
func (r *Report) SetMeetings(list []model.Meeting) {
	r.Meetings = nil
	p := r.Convention.Period
	for _, m := range list {
		in := m.Date.Year == r.Year
		if r.Final {
			in = !m.Date.Before(p.Start)
		}
		// A meeting to come on the day the bilan is written is not yet
		// part of it.
		future := !r.Generated.IsZero() && m.Date.After(model.DateOf(r.Generated.In(textutil.Paris)))
		if in && m.Status != model.MeetingCancelled && !future {
			r.Meetings = append(r.Meetings, m)
		}
	}
	sort.SliceStable(r.Meetings, func(a, b int) bool { return r.Meetings[a].Date.Before(r.Meetings[b].Date) })
}

// textualRules are the rules about the wording of the signed text (typos,
// titles or references written differently), beside the TEXT-* family:
// they are corrected at the next amendment, and the bilan lists them in an
// appendix rather than among the points the committee must act on.
var textualRules = map[string]bool{"FICHE-TITLE-MISMATCH": true, "FICHE-CODE-WRITTEN-DIFFERENTLY": true, "ANNEX-REFERENCE": true}

// IsTextual reports whether a checker's rule is about the wording of the text.
func IsTextual(rule string) bool { return strings.HasPrefix(rule, "TEXT-") || textualRules[rule] }

// StepCount is how many steps of the plan are in a state.
type StepCount struct {
	Status model.ActionStatus
	Count  int
}

// StepCounts counts the plan's steps by state, in the order of the states.
func (r *Report) StepCounts() (counts []StepCount, total int) {
	by := map[model.ActionStatus]int{}
	for _, f := range r.Fiches {
		for _, s := range f.Steps {
			by[s.Status]++
			total++
		}
	}
	for _, st := range model.ActionStatuses {
		counts = append(counts, StepCount{Status: st, Count: by[st]})
	}
	return counts, total
}

// YearIndex is the column of the year the summary shows: the bilan's
// year, or for a final bilan the last year with a validated figure.
func (r *Report) YearIndex() int {
	last := len(r.Years) - 1
	if !r.Final {
		return last
	}
	for y := last; y >= 0; y-- {
		for _, row := range r.Figures.Rows {
			if row.Figures[y].Has {
				return y
			}
		}
	}
	return last
}

// KeyIndicators are the indicators the summary shows: those with a target
// for the bilan's year; when none has one, the first indicator of each
// fiche that has a number for the year.
func (r *Report) KeyIndicators() (rows []indicators.Row, targeted bool) {
	y := r.YearIndex()
	for _, row := range r.Figures.Rows {
		if row.Figures[y].Target != nil {
			rows = append(rows, row)
		}
	}
	if len(rows) > 0 {
		return rows, true
	}
	seen := map[string]bool{}
	for _, row := range r.Figures.Rows {
		if !seen[row.Fiche] && (row.Figures[y].Numeric() || row.Figures[y].Masked != "") {
			seen[row.Fiche] = true
			rows = append(rows, row)
		}
	}
	return rows, false
}

// YearDeviations are the important deviations of the bilan's year, or of
// the whole period for a final bilan.
func (r *Report) YearDeviations() []indicators.ImportantDeviation {
	var out []indicators.ImportantDeviation
	for _, d := range r.Deviations() {
		if r.Final || d.Year == strconv.Itoa(r.Year) {
			out = append(out, d)
		}
	}
	return out
}

// Collected counts the indicators that have a validated figure for the
// bilan's year, and how many of those are fictive.
func (r *Report) Collected() (with, synthetic, all int) {
	y := r.YearIndex()
	for _, row := range r.Figures.Rows {
		all++
		if f := row.Figures[y]; f.Has {
			with++
			if f.Synthetic {
				synthetic++
			}
		}
	}
	return with, synthetic, all
}

// Decision is something the steering committee must decide.
type Decision struct {
	Subject, Detail, Fix string
}

// decisions gathers the checker's errors into what the committee must
// decide: the renewal of an expired convention, the fiches promised by
// amendment and overdue, the missing deliberations, then any other error.
func decisions(c *model.Convention, findings []lint.Finding) []Decision {
	byRule := map[string][]lint.Finding{}
	var order []string
	for _, f := range findings {
		if f.Severity != lint.Error || IsTextual(f.Rule) {
			continue
		}
		if _, ok := byRule[f.Rule]; !ok {
			order = append(order, f.Rule)
		}
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	var out []Decision
	if fs := byRule["CONVENTION-EXPIRED"]; len(fs) > 0 {
		out = append(out, Decision{Subject: "Renouvellement de la convention", Detail: fs[0].Message, Fix: fs[0].Fix})
	}
	if fs := byRule["FICHES-PROMISED-OVERDUE"]; len(fs) > 0 {
		var axes []string
		due := ""
		for _, f := range fs {
			axes = append(axes, strings.TrimPrefix(f.Where, "axe "))
		}
		for _, a := range c.Axes {
			if len(a.Fiches) == 0 && a.FichesDueBy != nil {
				due = FrenchDate(*a.FichesDueBy)
			}
		}
		detail := fmt.Sprintf("Les fiches %s, promises par avenant, ne sont pas enregistrées", plural(len(axes), "de l'axe", "des axes")+" "+frenchList(axes))
		if due != "" {
			detail += " (échéance : " + due + ")"
		}
		out = append(out, Decision{Subject: "Fiches promises par avenant", Detail: detail + ".", Fix: fs[0].Fix})
	}
	auth := append(byRule["AUTH-MISSING"], byRule["AUTH-DATE-MISSING"]...)
	if len(auth) > 0 {
		var names []string
		for _, f := range auth {
			names = append(names, partyName(c, f.Path))
		}
		out = append(out, Decision{Subject: "Délibérations manquantes",
			Detail: fmt.Sprintf("%d %s sans délibération datée : %s.", len(names), plural(len(names), "partie", "parties"), strings.Join(names, " ; ")),
			Fix:    auth[0].Fix})
	}
	for _, rule := range order {
		switch rule {
		case "CONVENTION-EXPIRED", "FICHES-PROMISED-OVERDUE", "AUTH-MISSING", "AUTH-DATE-MISSING":
			continue
		}
		fs := byRule[rule]
		d := Decision{Subject: upperFirst(ruleTitle(rule)), Detail: fs[0].Message, Fix: fs[0].Fix}
		if len(fs) > 1 {
			d.Detail = fmt.Sprintf("%d cas, détaillés dans les points à régler. Par exemple : %s", len(fs), fs[0].Message)
		}
		out = append(out, d)
	}
	return out
}

var partyIndex = textutil.LazyRegexp(`^parties\[(\d+)\]`)

// partyName names the party a finding's path points at.
func partyName(c *model.Convention, path string) string {
	m := partyIndex.FindStringSubmatch(path)
	if m == nil {
		return path
	}
	i, _ := strconv.Atoi(m[1])
	if i >= len(c.Parties) {
		return path
	}
	return c.OrgName(c.Parties[i].Organization)
}

func ruleTitle(id string) string {
	for _, r := range lint.Rules {
		if r.ID == id {
			return r.Title
		}
	}
	return id
}

func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// frenchList writes "5 et 6", "1, 2 et 3".
func frenchList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// Number writes a figure of the bilan the French way.
func Number(v float64) string { return indicators.FormatNumber(v) }

// FrenchDate writes "27 novembre 2026".
func FrenchDate(d model.Date) string { return textutil.FrenchDate(d) }

// StatusLabels gives the progress of fiches and steps in French.
var StatusLabels = map[model.ActionStatus]string{
	model.ActionPlanned: "prévue", model.ActionInProgress: "en cours", model.ActionDone: "réalisée",
	model.ActionLate: "en retard", model.ActionAbandoned: "abandonnée",
}
