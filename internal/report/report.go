// Package report builds the annual or final bilan of a convention: the
// convention's summary, each fiche with its steps and its indicators
// against their targets, governance, and the checker's open findings; as a
// PDF for the councils and as an XLSX workbook with the figures. It knows
// nothing of SQL or HTTP.
package report

import (
	"fmt"
	"strconv"
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
	Years      []string
	Generated  time.Time
	Fiches     []Fiche
	Promised   []model.Axis
	Deviations []Deviation
	Findings   []lint.Finding
	// Synthetic is set when figures come from demonstration data.
	Synthetic bool
	// Public is set for a bilan meant to leave the authenticated scope,
	// whose small counts are under statistical secrecy.
	Public bool
}

// MakePublic applies statistical secrecy to the bilan's counts of people
// (units count and places), so that it can leave the authenticated scope.
func (r *Report) MakePublic(rule secrecy.Rule) {
	r.Public = true
	for i := range r.Fiches {
		for j := range r.Fiches[i].Indicators {
			ind := &r.Fiches[i].Indicators[j]
			if ind.Unit != "count" && ind.Unit != "places" {
				continue
			}
			for k := range ind.Cells {
				c := &ind.Cells[k]
				if !c.Has || c.Text != "" {
					continue
				}
				if label, shown, ok := rule.Count(c.Value); !ok {
					c.Text, c.Value, c.Deviation = label, 0, nil
				} else {
					c.Value = shown
				}
			}
		}
	}
	var kept []Deviation
	for _, d := range r.Deviations {
		if _, _, ok := rule.Count(d.Actual); ok {
			kept = append(kept, d)
		}
	}
	r.Deviations = kept
}

// Fiche is a fiche of the plan as the bilan shows it.
type Fiche struct {
	Code, Title, Axis string
	Status            model.ActionStatus
	Steps             []model.Step
	Indicators        []Indicator
}

// Indicator is an indicator's line: its yearly validated values.
type Indicator struct {
	Code, Label, Unit string
	Cells             []Cell
}

// Cell is an indicator's figure for a year.
type Cell struct {
	Year string
	// Has is set when a validated value exists; Value is then the number.
	Has       bool
	Value     float64
	Text      string
	Target    *float64
	Deviation *indicators.Deviation
	Synthetic bool
}

// Deviation is an important deviation, for the steering committee.
type Deviation struct {
	Code, Label, Year string
	indicators.Deviation
}

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
	r := &Report{Convention: c, Year: year, Final: final, Generated: generated}
	last := year
	if final {
		last = c.Period.End.Year
	}
	for y := c.Period.Start.Year; y <= last; y++ {
		r.Years = append(r.Years, strconv.Itoa(y))
	}
	cat := indicators.Catalogue(c)
	byCode := indicators.ByCode(cat)
	validated := indicators.Options{ValidatedOnly: true}
	for _, a := range c.Axes {
		if len(a.Fiches) == 0 && a.FichesDueBy != nil {
			r.Promised = append(r.Promised, a)
		}
		for _, f := range a.Fiches {
			fr := Fiche{Code: f.Code, Title: f.Title, Axis: fmt.Sprintf("Axe %d – %s", a.Number, a.Title), Status: f.Status, Steps: f.Steps}
			for _, e := range cat {
				if e.Fiche != f.Code {
					continue
				}
				ind := Indicator{Code: e.Code, Label: e.Label, Unit: e.Unit}
				for _, y := range r.Years {
					cell := Cell{Year: y}
					cell.Value, cell.Has = indicators.Total(e.Indicator, byCode, values, y, validated)
					for _, v := range values {
						if v.Indicator == e.Code && indicators.Year(v.Period) == y && v.State == model.ValueValidated {
							cell.Synthetic = cell.Synthetic || v.Synthetic
							if v.Text != "" {
								cell.Text, cell.Has = v.Text, true
							}
						}
					}
					r.Synthetic = r.Synthetic || cell.Synthetic
					if t, ok := indicators.Target(e.Indicator, y); ok {
						cell.Target = &t
					}
					if cell.Has && cell.Text == "" {
						if d, ok := indicators.Deviate(e.Indicator, y, cell.Value); ok {
							cell.Deviation = &d
							if d.Important {
								r.Deviations = append(r.Deviations, Deviation{e.Code, e.Label, y, d})
							}
						}
					}
					ind.Cells = append(ind.Cells, cell)
				}
				fr.Indicators = append(fr.Indicators, ind)
			}
			r.Fiches = append(r.Fiches, fr)
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
