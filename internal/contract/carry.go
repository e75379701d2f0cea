package contract

import (
	"slices"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Carry copies the follow-up recorded on from onto to, which holds a new
// signed text of the same convention (an avenant's working copy): the
// progress of the fiches and steps still there, the indicators' settings,
// the contacts, the deliberations' dates, numbers and prefecture
// acknowledgements, the organizations that are not parties. Records are
// matched by what the text calls them — a fiche by its code, a step by
// its number, an indicator by its label, an equipment by its name and
// operator, a committee by its key — so a record the new text adds keeps
// the follow-up it was given in the working copy.
func Carry(from, to *model.Convention) {
	to.Status = from.Status
	to.Transmissions = append([]model.PrefectureAcknowledgement(nil), from.Transmissions...)
	to.Contacts = append([]model.Contact(nil), from.Contacts...)
	for _, o := range from.Organizations {
		i := slices.IndexFunc(to.Organizations, func(x model.Organization) bool { return x.Key == o.Key })
		switch {
		case i < 0:
			to.Organizations = append(to.Organizations, o)
		case !SignedOrganization(to, o.Key):
			// Not a party: its name and identifiers are follow-up.
			meta := to.Organizations[i].Meta
			to.Organizations[i] = o
			to.Organizations[i].Meta = meta
		}
	}
	for i := range to.Parties {
		p := &to.Parties[i]
		for _, q := range from.Parties {
			if q.Organization == p.Organization && p.Authorization != nil && q.Authorization != nil {
				a, b := p.Authorization, q.Authorization
				a.Date, a.Reference, a.PrefectureAcknowledgement = b.Date, b.Reference, b.PrefectureAcknowledgement
			}
		}
	}
	fiches := map[string]*model.Fiche{}
	for i := range from.Axes {
		for j := range from.Axes[i].Fiches {
			f := &from.Axes[i].Fiches[j]
			fiches[f.Code] = f
		}
	}
	for i := range to.Axes {
		for j := range to.Axes[i].Fiches {
			f := &to.Axes[i].Fiches[j]
			if old, ok := fiches[f.Code]; ok {
				carryFiche(old, f)
			}
		}
	}
	for i := range to.Equipments {
		e := &to.Equipments[i]
		for _, old := range from.Equipments {
			if old.Name == e.Name && old.OperatorName == e.OperatorName {
				e.Operator, e.Places = old.Operator, old.Places
			}
		}
	}
	for i := range to.Committees {
		for _, old := range from.Committees {
			if old.Key == to.Committees[i].Key {
				to.Committees[i].Notes = old.Notes
			}
		}
	}
}

func carryFiche(from, to *model.Fiche) {
	to.Status = from.Status
	carryIndicators(from.Indicators, to.Indicators)
	for i := range to.Steps {
		s := &to.Steps[i]
		for j, old := range from.Steps {
			if (s.Number != 0 && old.Number == s.Number) || (s.Number == 0 && old.Number == 0 && i == j) {
				s.Status = old.Status
				carryIndicators(old.Indicators, s.Indicators)
			}
		}
	}
}

// carryIndicators copies the catalogue settings of the indicators with the
// same label.
func carryIndicators(from, to []model.Indicator) {
	for i := range to {
		for _, old := range from {
			if old.Label == to[i].Label {
				label, meta := to[i].Label, to[i].Meta
				to[i] = old
				to[i].Label, to[i].Meta = label, meta
			}
		}
	}
}
