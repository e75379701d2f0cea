package app

import (
	"fmt"
	"sort"

	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Deadline is a dated obligation of a convention.
type Deadline struct {
	Date  model.Date
	Label string
	// Overdue is set when the date is past and the obligation unmet.
	Overdue bool
}

// Deadlines lists a convention's dated obligations as of today: fiches
// promised by amendment and not yet recorded, steps that have not started,
// and the end of the period. Past obligations still unmet are overdue.
func Deadlines(c *model.Convention, today model.Date) []Deadline {
	var out []Deadline
	for _, a := range c.Axes {
		if a.FichesDueBy != nil && len(a.Fiches) == 0 {
			out = append(out, promiseDeadline(a.Number, *a.FichesDueBy, today))
		}
		for _, f := range a.Fiches {
			for _, s := range f.Steps {
				if s.Schedule.Start != nil && s.Status == model.ActionPlanned && !s.Schedule.Start.Before(today) {
					out = append(out, stepDeadline(*s.Schedule.Start, f.Code))
				}
			}
		}
	}
	return withEnd(out, lifecycle.Of(c).On(today), c.Period, today)
}

// promiseDeadline is the obligation of an axis whose fiches are promised.
func promiseDeadline(number int, due, today model.Date) Deadline {
	return Deadline{Date: due, Label: fmt.Sprintf("Fiches de l'axe %d promises par avenant", number), Overdue: due.Before(today)}
}

// stepDeadline is the obligation of a step to start.
func stepDeadline(start model.Date, fiche string) Deadline {
	return Deadline{Date: start, Label: "Début d'une étape de la fiche " + fiche}
}

// withEnd adds the end of the period to the obligations of the plan, in
// plan order, when the convention is signed, and sorts them by date.
func withEnd(out []Deadline, st lifecycle.State, period model.Period, today model.Date) []Deadline {
	if st == lifecycle.Signed || st == lifecycle.InForce || st == lifecycle.Ended {
		end := Deadline{Date: period.End, Label: "Fin de la convention (renouvellement par décision expresse)", Overdue: period.End.Before(today)}
		if end.Overdue {
			end.Label = "Fin de la convention, sans renouvellement décidé"
		}
		out = append(out, end)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// NextDeadline returns the first overdue obligation, else the next one to
// come; ok is false when there is none.
func NextDeadline(c *model.Convention, today model.Date) (Deadline, bool) {
	return firstDeadline(Deadlines(c, today), today)
}

// listedNextDeadline is NextDeadline computed from a convention's summary
// and the facts the conventions list reads: the promised axes and the
// first step to start are the only obligations of the plan that can come
// first (a step is never overdue, and the steps are sorted by date then
// in plan order, as Deadlines lists them).
func listedNextDeadline(sum model.ConventionSummary, f *model.ConventionListFacts, today model.Date) (Deadline, bool) {
	type placed struct {
		axis int
		d    Deadline
	}
	var plan []placed
	for _, p := range f.Promises {
		plan = append(plan, placed{p.Position, promiseDeadline(p.Number, p.DueBy, today)})
	}
	if x := f.FirstStep; x != nil {
		// An axis whose fiches are promised has none: the step's axis is
		// another one.
		plan = append(plan, placed{x.AxisPosition, stepDeadline(x.Start, x.Fiche)})
	}
	sort.SliceStable(plan, func(i, j int) bool { return plan[i].axis < plan[j].axis })
	out := make([]Deadline, 0, len(plan)+1)
	for _, p := range plan {
		out = append(out, p.d)
	}
	return firstDeadline(withEnd(out, lifecycle.OfSummary(sum).On(today), sum.Period, today), today)
}

// firstDeadline picks, among obligations sorted by date, the first
// overdue, else the first to come.
func firstDeadline(all []Deadline, today model.Date) (Deadline, bool) {
	for _, d := range all {
		if d.Overdue {
			return d, true
		}
	}
	for _, d := range all {
		if !d.Date.Before(today) {
			return d, true
		}
	}
	return Deadline{}, false
}
