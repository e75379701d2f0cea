package edit

import (
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// NewID is the provisional id of a record being created, until the store
// gives it its own.
const NewID = "nouveau"

// Creation says how records of a kind are added to a parent and removed.
type Creation struct {
	// Parent is the kind of the record that holds the new one.
	Parent string
	// Defaults are the form values of a new record.
	Defaults map[string]string
	// Extra are fields set only when the record is created, such as the
	// keys and codes other records refer to.
	Extra []Field
	// NoDelete is set for records others may refer to.
	NoDelete bool
	// add appends an empty record, with id NewID, to the parent in memory.
	add func(parent any)
}

// Add appends an empty record to the parent record, in memory, and
// returns it, found again so that its path and owners are current.
func (k *Kind) Add(c *model.Convention, parent Target) (Target, error) {
	if k.Create == nil {
		return Target{}, fmt.Errorf("on ne peut pas ajouter de %s : %w", k.Label, model.ErrForbidden)
	}
	k.Create.add(parent.Object)
	t, ok := k.Find(c, NewID)
	if !ok {
		return Target{}, fmt.Errorf("ajout de %s : élément introuvable après ajout", k.Label)
	}
	return t, nil
}

// CreateFields are the fields of a new record: the extra ones first.
func (k *Kind) CreateFields() []Field {
	if k.Create == nil {
		return k.Fields
	}
	return append(append([]Field{}, k.Create.Extra...), k.Fields...)
}

// ApplyNew sets the fields of a new record, the extra ones included.
func (k *Kind) ApplyNew(t Target, values map[string]string) *model.ValidationError {
	_, err := k.apply(t, values, k.CreateFields())
	return err
}

// Deletable reports whether records of the kind can be removed.
func (k *Kind) Deletable() bool { return k.Create != nil && !k.Create.NoDelete }

// The creations, each referred to by its kind in Kinds.
var (
	stepCreation = &Creation{Parent: "fiche", Defaults: map[string]string{"status": string(model.ActionPlanned)},
		add: func(p any) {
			f := p.(*model.Fiche)
			f.Steps = append(f.Steps, model.Step{Meta: model.Meta{ID: NewID}, Status: model.ActionPlanned})
		}}
	indicatorCreation = &Creation{Parent: "fiche",
		Extra: []Field{{Name: "code", Label: "Code", Widget: Text, Help: "identifiant dans les collectes : 2.2-4"}},
		add: func(p any) {
			f := p.(*model.Fiche)
			f.Indicators = append(f.Indicators, model.Indicator{Meta: model.Meta{ID: NewID}})
		}}
	representativeCreation = &Creation{Parent: "party", add: func(p any) {
		party := p.(*model.Party)
		party.Representatives = append(party.Representatives, model.Representative{Meta: model.Meta{ID: NewID}})
	}}
	equipmentCreation = &Creation{Parent: "convention", add: func(p any) {
		c := p.(*model.Convention)
		c.Equipments = append(c.Equipments, model.Equipment{Meta: model.Meta{ID: NewID}})
	}}
	contactCreation = &Creation{Parent: "convention", add: func(p any) {
		c := p.(*model.Convention)
		c.Contacts = append(c.Contacts, model.Contact{Meta: model.Meta{ID: NewID}})
	}}
	findingCreation = &Creation{Parent: "convention", Defaults: map[string]string{"kind": string(model.FindingQualitative)},
		add: func(p any) {
			c := p.(*model.Convention)
			c.Diagnostic.Findings = append(c.Diagnostic.Findings, model.Finding{Meta: model.Meta{ID: NewID}, Kind: model.FindingQualitative})
		}}
	ficheCreation = &Creation{Parent: "axis",
		Defaults: map[string]string{"status": string(model.ActionPlanned)},
		Extra:    []Field{{Name: "code", Label: "Code", Widget: Text, Help: "numéro de l'axe, un point, numéro de la fiche : 5.1"}},
		add: func(p any) {
			a := p.(*model.Axis)
			a.Fiches = append(a.Fiches, model.Fiche{Meta: model.Meta{ID: NewID}, Status: model.ActionPlanned})
		}}
	organizationCreation = &Creation{Parent: "convention", NoDelete: true,
		Defaults: map[string]string{"kind": string(model.KindAssociation)},
		Extra:    []Field{{Name: "key", Label: "Clé", Widget: Text, Help: "identifiant court, en minuscules et tirets : centre-social"}},
		add: func(p any) {
			c := p.(*model.Convention)
			c.Organizations = append(c.Organizations, model.Organization{Meta: model.Meta{ID: NewID}, Kind: model.KindAssociation})
		}}
	// An axis and a committee are what a new convention's plan and
	// governance start from; others refer to them (fiches, meetings), so
	// they are not deleted.
	axisCreation = &Creation{Parent: "convention", NoDelete: true,
		Extra: []Field{{Name: "number", Label: "Numéro", Widget: Number, Help: "numéro de l'axe dans le plan d'actions : 1, 2…"}},
		add: func(p any) {
			c := p.(*model.Convention)
			c.Axes = append(c.Axes, model.Axis{Meta: model.Meta{ID: NewID}})
		}}
	committeeCreation = &Creation{Parent: "convention", NoDelete: true,
		Defaults: map[string]string{"kind": string(model.CommitteeSteering)},
		Extra: []Field{
			{Name: "key", Label: "Clé", Widget: Text, Help: "identifiant court, en minuscules et tirets : copil"},
			{Name: "kind", Label: "Type", Widget: Select, Options: fixedOptions(string(model.CommitteeSteering), "comité de pilotage",
				string(model.CommitteeTechnical), "comité technique")},
		},
		add: func(p any) {
			c := p.(*model.Convention)
			c.Committees = append(c.Committees, model.Committee{Meta: model.Meta{ID: NewID}, Kind: model.CommitteeSteering})
		}}
	legalBasisCreation = &Creation{Parent: "convention", add: func(p any) {
		c := p.(*model.Convention)
		c.LegalBases = append(c.LegalBases, model.LegalBasis{Meta: model.Meta{ID: NewID}})
	}}
)
