// Package report builds the annual or final bilan of a convention: the
// convention's summary, each fiche with its steps and its indicators
// against their targets, governance, and the checker's open findings; as a
// PDF for the councils and as an XLSX workbook with the figures. It knows
// nothing of SQL or HTTP.
package report

import (
	"fmt"
	"time"

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
	Figures  *indicators.Table
	Findings []lint.Finding
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
		for _, f := range a.Fiches {
			r.Fiches = append(r.Fiches, Fiche{Code: f.Code, Title: f.Title, Axis: fmt.Sprintf("Axe %d – %s", a.Number, a.Title), Status: f.Status, Steps: f.Steps})
		}
	}
	for _, f := range findings {
		if f.Severity != lint.Info {
			r.Findings = append(r.Findings, f)
		}
	}
	return r, nil
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
