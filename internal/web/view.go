package web

import (
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/model"
)

// convView wraps a convention with the lookups templates need.
type convView struct {
	*model.Convention
	actor *auth.Actor
	// At is set when the page shows the version in force on a day (?a=):
	// it is read only.
	At *versionView
	// WorkingCopy is set on the pages of an avenant's working copy.
	WorkingCopy *workingCopyView
}

func newConvView(c *model.Convention, a *auth.Actor) *convView {
	return &convView{Convention: c, actor: a}
}

// Org returns the organization with that key (a zero one if unknown).
func (v *convView) Org(key string) model.Organization {
	for _, o := range v.Organizations {
		if o.Key == key {
			return o
		}
	}
	return model.Organization{Key: key, Name: key}
}

// OrgName returns the name of the organization with that key.
func (v *convView) OrgName(key string) string { return v.Org(key).Name }

// CanEdit reports whether the viewer may change a record owned by owners.
func (v *convView) CanEdit(owners ...string) bool {
	return v.At == nil && v.actor.CanEdit(v.Slug, owners)
}

// CanEditFiche reports whether the viewer may change a fiche and its parts.
func (v *convView) CanEditFiche(f *model.Fiche) bool {
	return v.At == nil && v.actor.CanEdit(v.Slug, f.Pilots)
}

// Addable reports whether records of a kind may be added to the
// convention (and removed) outside an avenant: any before signature;
// after, only records of the follow-up (contacts, organizations that are
// not parties). Who may add them is CanEdit's.
func (v *convView) Addable(kind string) bool { return contract.Addable(v.Convention, kind, "") }

// Locked reports whether the convention's signed text is locked: signed.
func (v *convView) Locked() bool { return contract.Locked(v.Convention) }

// CanEditAny reports whether the viewer may change anything at all.
func (v *convView) CanEditAny() bool { return v.At == nil && v.actor.CanEditSomething(v.Slug) }

// CanAdmin reports whether the viewer manages the convention's members.
func (v *convView) CanAdmin() bool { return v.actor.CanAdmin(v.Slug) }

// Signatories counts the communes of the territory that signed.
func (v *convView) Signatories() int {
	n := 0
	for _, c := range v.Territory.Resolved {
		if c.Signatory {
			n++
		}
	}
	return n
}

// CommuneName returns the name of a commune of the territory, or its code.
func (v *convView) CommuneName(insee string) string {
	for _, c := range v.Territory.Resolved {
		if c.INSEE == insee {
			return c.Name
		}
	}
	return insee
}

// FindingTheme groups the findings of one theme by column.
type FindingTheme struct {
	Theme                     string
	Quantitative, Qualitative []model.Finding
}

// FindingThemes groups the diagnostic's findings by theme, in text order.
func (v *convView) FindingThemes() []FindingTheme {
	var out []FindingTheme
	index := map[string]int{}
	for _, f := range v.Diagnostic.Findings {
		i, ok := index[f.Theme]
		if !ok {
			i = len(out)
			index[f.Theme] = i
			out = append(out, FindingTheme{Theme: f.Theme})
		}
		if f.Kind == model.FindingQuantitative {
			out[i].Quantitative = append(out[i].Quantitative, f)
		} else {
			out[i].Qualitative = append(out[i].Qualitative, f)
		}
	}
	return out
}

// Fiche returns the fiche with that code.
func (v *convView) Fiche(code string) (*model.Fiche, *model.Axis) {
	for i := range v.Axes {
		for j := range v.Axes[i].Fiches {
			if v.Axes[i].Fiches[j].Code == code {
				return &v.Axes[i].Fiches[j], &v.Axes[i]
			}
		}
	}
	return nil, nil
}

// FicheCount counts the fiches of the plan.
func (v *convView) FicheCount() int {
	n := 0
	for _, a := range v.Axes {
		n += len(a.Fiches)
	}
	return n
}
