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
			out = append(out, Deadline{Date: *a.FichesDueBy, Label: fmt.Sprintf("Fiches de l'axe %d promises par avenant", a.Number),
				Overdue: a.FichesDueBy.Before(today)})
		}
		for _, f := range a.Fiches {
			for _, s := range f.Steps {
				if s.Schedule.Start != nil && s.Status == model.ActionPlanned && !s.Schedule.Start.Before(today) {
					out = append(out, Deadline{Date: *s.Schedule.Start, Label: "Début d'une étape de la fiche " + f.Code})
				}
			}
		}
	}
	if st := lifecycle.Of(c).On(today); st == lifecycle.Signed || st == lifecycle.InForce || st == lifecycle.Ended {
		end := Deadline{Date: c.Period.End, Label: "Fin de la convention (renouvellement par décision expresse)", Overdue: c.Period.End.Before(today)}
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
	all := Deadlines(c, today)
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
