package edit

import (
	"fmt"
	"slices"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Kind is a kind of record that can be edited.
type Kind struct {
	// Name identifies the kind in URLs and the API ("step").
	Name string
	// Label names it in the interface ("étape").
	Label  string
	Fields []Field
	// Create is set for the kinds whose records can be added and removed.
	Create *Creation
	// find locates a record of this kind in a convention.
	find func(c *model.Convention, id string) (Target, bool)
}

// Target is one record found in a convention.
type Target struct {
	// Object is a pointer to the record, changed in place by Apply.
	Object any
	Meta   *model.Meta
	// Path is the record's path in validation errors ("axes[1].fiches[0]").
	Path string
	// Owners are the organizations (keys) the record belongs to: a
	// contributor of one of them may change it.
	Owners []string
	// Label is a short human name for the history ("Fiche 2.2 – étape 1").
	Label string
	// Fiche is the code of the fiche the record is part of, if any.
	Fiche string
	// Copies are the other mentions of the same record in the text (an
	// indicator listed under two steps with one code): an edit changes
	// them all.
	Copies []*model.Indicator
}

// Field returns the kind's field of that name.
func (k *Kind) Field(name string) (Field, bool) {
	return fieldNamed(k.Fields, name)
}

// Find locates the record with that id in c.
func (k *Kind) Find(c *model.Convention, id string) (Target, bool) {
	return k.find(c, id)
}

// Lookup returns the kind of that name.
func Lookup(name string) (*Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return nil, false
}

func statusOptions(*model.Convention) []Option {
	out := make([]Option, len(model.ActionStatuses))
	for i, s := range model.ActionStatuses {
		out[i] = Option{string(s), StatusLabels[s]}
	}
	return out
}

// StatusLabels gives each action status in French.
var StatusLabels = map[model.ActionStatus]string{
	model.ActionPlanned:    "prévue",
	model.ActionInProgress: "en cours",
	model.ActionDone:       "réalisée",
	model.ActionLate:       "en retard",
	model.ActionAbandoned:  "abandonnée",
}

func organizationOptions(c *model.Convention) []Option {
	out := []Option{{"", "—"}}
	for _, o := range c.Organizations {
		out = append(out, Option{o.Key, o.Name})
	}
	return out
}

// OrganizationKindOptions lists the organization kinds with their French names.
func OrganizationKindOptions() []Option { return kindOptions(nil) }

func kindOptions(*model.Convention) []Option {
	labels := map[model.OrganizationKind]string{
		model.KindCaf: "Caf", model.KindMSA: "MSA", model.KindEPCI: "EPCI", model.KindCommune: "commune",
		model.KindDepartement: "département", model.KindStateService: "service de l'État", model.KindAssociation: "association",
		model.KindOther: "autre",
	}
	out := make([]Option, len(model.OrganizationKinds))
	for i, k := range model.OrganizationKinds {
		out[i] = Option{string(k), labels[k]}
	}
	return out
}

func fixedOptions(values ...string) func(*model.Convention) []Option {
	return func(*model.Convention) []Option {
		out := make([]Option, len(values)/2)
		for i := range out {
			out[i] = Option{values[2*i], values[2*i+1]}
		}
		return out
	}
}

// Kinds lists every editable kind of record.
var Kinds = []*Kind{
	{Name: "convention", Label: "convention", find: findConvention, Fields: []Field{
		{Name: "title", Label: "Titre", Widget: Text},
		{Name: "period.start", Label: "Début de la période", Widget: Date,
			Help: "L'état de la convention (projet, en attente de signatures, signée, en vigueur, échue, renouvelée, résiliée) n'est pas saisi : il se calcule à partir des délibérations, de la date de signature et de la période, et des actes enregistrés sur la page « Vie de la convention » (décision de renouvellement, résiliation)."},
		{Name: "period.end", Label: "Fin de la période", Widget: Date},
		{Name: "period.renewal", Label: "Clause de renouvellement", Widget: TextArea},
		{Name: "signature.place", Label: "Lieu de signature", Widget: Text},
		{Name: "signature.place_as_written", Label: "Lieu de signature tel qu'écrit", Widget: Text},
		{Name: "signature.date", Label: "Date de signature", Widget: Date},
		{Name: "signature.copies", Label: "Exemplaires", Widget: Text},
		{Name: "territory.epci", Label: "SIREN de l'EPCI du territoire", Widget: Text},
		{Name: "preamble.text", Label: "Préambule", Widget: TextArea},
		{Name: "diagnostic.author", Label: "Auteur du diagnostic", Widget: Text},
		{Name: "diagnostic.summary", Label: "Synthèse du diagnostic", Widget: TextArea},
	}},
	{Name: "organization", Label: "organisation", find: findOrganization, Create: organizationCreation, Fields: []Field{
		{Name: "name", Label: "Nom", Widget: Text},
		{Name: "short_name", Label: "Nom court", Widget: Text},
		{Name: "kind", Label: "Type", Widget: Select, Options: kindOptions},
		{Name: "siren", Label: "SIREN", Widget: Text, Help: "9 chiffres"},
		{Name: "insee", Label: "Code commune INSEE", Widget: Text, Help: "pour une commune, 5 caractères"},
	}},
	{Name: "party", Label: "partie signataire", find: findParty, Fields: []Field{
		{Name: "designation", Label: "Désignation dans le texte", Widget: Text},
	}},
	{Name: "representative", Label: "représentant·e", find: findRepresentative, Create: representativeCreation, Fields: []Field{
		{Name: "civility", Label: "Civilité", Widget: Text},
		{Name: "name", Label: "Nom", Widget: Text},
		{Name: "title", Label: "Qualité", Widget: Text},
		{Name: "signature_title", Label: "Qualité dans le bloc de signature", Widget: Text},
		{Name: "signature_name", Label: "Nom dans le bloc de signature", Widget: Text},
	}},
	{Name: "authorization", Label: "délibération", find: findAuthorization, Fields: []Field{
		{Name: "body", Label: "Instance", Widget: Text},
		{Name: "date", Label: "Date", Widget: Date, Help: "laisser vide si inconnue"},
		{Name: "date_as_written", Label: "Date telle qu'écrite", Widget: Text},
		{Name: "reference", Label: "Référence (numéro)", Widget: Text},
		{Name: "subject", Label: "Objet", Widget: Text},
		{Name: "annex", Label: "Annexe qui la contient", Widget: Number},
		{Name: "prefecture_acknowledgement", Label: "Accusé de réception en préfecture", Widget: Text},
	}},
	{Name: "legal_basis", Label: "visa", find: findLegalBasis, Create: legalBasisCreation, Fields: []Field{
		{Name: "text", Label: "Texte", Widget: TextArea},
	}},
	{Name: "article", Label: "article", find: findArticle, Fields: []Field{
		{Name: "title", Label: "Titre", Widget: Text},
		{Name: "text", Label: "Texte", Widget: TextArea},
		{Name: "footnotes", Label: "Notes de bas de page", Widget: Lines},
	}},
	{Name: "annex", Label: "annexe", find: findAnnex, Fields: []Field{
		{Name: "title", Label: "Titre", Widget: Text},
		{Name: "text", Label: "Texte", Widget: TextArea},
		{Name: "holds", Label: "Contenu structuré", Widget: Select, Options: fixedOptions("", "aucun",
			"diagnostic", "diagnostic", "equipments", "équipements et services", "action_plan", "plan d'actions",
			"governance", "gouvernance", "evaluation", "évaluation", "authorizations", "délibérations")},
	}},
	{Name: "finding", Label: "constat du diagnostic", find: findFinding, Create: findingCreation, Fields: []Field{
		{Name: "theme", Label: "Thématique", Widget: Text},
		{Name: "kind", Label: "Nature", Widget: Select, Options: fixedOptions("quantitative", "diagnostic quantitatif", "qualitative", "analyse qualitative")},
		{Name: "text", Label: "Constat", Widget: TextArea},
		{Name: "fiches", Label: "Fiches qui y répondent (codes)", Widget: Lines},
	}},
	{Name: "axis", Label: "axe", find: findAxis, Create: axisCreation, Fields: []Field{
		{Name: "title", Label: "Titre", Widget: Text},
		{Name: "fiches_due_by", Label: "Fiches promises au plus tard le", Widget: Date},
		{Name: "promise", Label: "Engagement tel qu'écrit", Widget: Text},
	}},
	{Name: "fiche", Label: "fiche action", find: findFiche, Create: ficheCreation, Fields: []Field{
		{Name: "title", Label: "Titre", Widget: Text},
		{Name: "status", Label: "Avancement", Widget: Select, Options: statusOptions},
		{Name: "context", Label: "Contexte", Widget: TextArea},
		{Name: "objectives", Label: "Objectifs (un par ligne)", Widget: Lines},
		{Name: "description", Label: "Descriptif", Widget: TextArea},
		{Name: "target_public", Label: "Public visé (un par ligne)", Widget: Lines},
		{Name: "pilots", Label: "Pilotes", Widget: OrgList, Options: organizationOptions},
		{Name: "partners", Label: "Partenaires", Widget: OrgList, Options: organizationOptions},
		{Name: "indicators_heading", Label: "Intitulé de la rubrique des indicateurs", Widget: Text},
	}},
	{Name: "step", Label: "étape", find: findStep, Create: stepCreation, Fields: []Field{
		{Name: "status", Label: "Avancement", Widget: Select, Options: statusOptions},
		{Name: "number", Label: "Numéro", Widget: Number},
		{Name: "text", Label: "Action", Widget: TextArea},
		{Name: "details", Label: "Détails (un par ligne)", Widget: Lines},
		{Name: "schedule.as_written", Label: "Calendrier tel qu'écrit", Widget: Text},
		{Name: "schedule.start", Label: "Début", Widget: Date},
		{Name: "schedule.end", Label: "Fin", Widget: Date},
		{Name: "schedule.recurrence", Label: "Récurrence", Widget: Select, Options: fixedOptions("", "aucune", "yearly", "chaque année")},
	}},
	{Name: "indicator", Label: "indicateur", find: findIndicator, Create: indicatorCreation, Fields: []Field{
		{Name: "label", Label: "Libellé", Widget: TextArea},
		{Name: "unit", Label: "Unité", Widget: Select, Options: vocabularyOptions(model.IndicatorUnits)},
		{Name: "periodicity", Label: "Périodicité", Widget: Select, Options: vocabularyOptions(model.Periodicities)},
		{Name: "combine", Label: "Agrégation des valeurs", Widget: Select, Options: vocabularyOptions(model.Combinations)},
		{Name: "numerator", Label: "Numérateur (code d'indicateur, pour un rapport)", Widget: Text},
		{Name: "denominator", Label: "Dénominateur (code d'indicateur, pour un rapport)", Widget: Text},
		{Name: "dimensions", Label: "Ventilations", Widget: OrgList, Options: fixedOptions(
			"commune", "par commune", "equipment_type", "par type d'équipement (EAJE, MAM, AS, RPE, ALSH, LAEP…)",
			"channel", "par canal (téléphone, visio, sur place)", "partner", "par partenaire")},
		{Name: "responsible", Label: "Organisation qui fournit les valeurs", Widget: Select, Options: organizationOptions},
		{Name: "targets", Label: "Cibles (une par ligne : période = valeur)", Widget: Lines, Help: "par exemple : 2024 = 12"},
		{Name: "tolerance", Label: "Écart important au-delà de (%)", Widget: Number},
	}},
	{Name: "equipment", Label: "équipement", find: findEquipment, Create: equipmentCreation, Fields: []Field{
		{Name: "name", Label: "Nom", Widget: Text},
		{Name: "operator_name", Label: "Gestionnaire (tel qu'écrit)", Widget: Text},
		{Name: "operator", Label: "Organisation gestionnaire", Widget: Select, Options: organizationOptions},
		{Name: "activity_type", Label: "Type d'activité", Widget: Text},
		{Name: "activity_nature", Label: "Nature d'activité", Widget: Text},
		{Name: "address", Label: "Adresse (chaque ligne de l'adresse sur sa propre ligne)", Widget: Lines},
		{Name: "postal_code", Label: "Code postal", Widget: Text},
		{Name: "city", Label: "Ville (telle qu'écrite)", Widget: Text},
		{Name: "commune", Label: "Code commune INSEE", Widget: Text},
		{Name: "places", Label: "Nombre de places (agrément)", Widget: Number, Help: "laisser vide si inconnu"},
	}},
	{Name: "committee", Label: "comité", find: findCommittee, Create: committeeCreation, Fields: []Field{
		{Name: "name", Label: "Nom", Widget: Text},
		{Name: "composition", Label: "Composition (un groupe par ligne)", Widget: Lines,
			Help: "Libellé : clés des organisations séparées par des virgules = membres séparés par des points-virgules"},
		{Name: "purposes", Label: "Missions (une par ligne)", Widget: Lines},
		{Name: "co_chairs", Label: "Copilotes", Widget: OrgList, Options: organizationOptions},
		{Name: "secretariat", Label: "Secrétariat", Widget: Select, Options: organizationOptions},
		{Name: "notes", Label: "Notes", Widget: TextArea},
	}},
	{Name: "contact", Label: "contact", find: findContact, Create: contactCreation, Fields: []Field{
		{Name: "label", Label: "Service ou personne", Widget: Text},
		{Name: "organization", Label: "Organisation", Widget: Select, Options: organizationOptions},
		{Name: "phone", Label: "Téléphone", Widget: Text},
		{Name: "email", Label: "Courriel", Widget: Text},
		{Name: "purpose", Label: "Objet", Widget: Text},
	}},
}

func findConvention(c *model.Convention, id string) (Target, bool) {
	return Target{Object: c, Meta: &c.Meta, Path: "", Label: "Convention"}, c.ID == id
}

// findOrganization gives an organization record no owner: its name and
// SIREN are part of the signed text, so only editors and admins change them,
// not the organization's own contributors.
func findOrganization(c *model.Convention, id string) (Target, bool) {
	for i := range c.Organizations {
		if o := &c.Organizations[i]; o.ID == id {
			return Target{o, &o.Meta, fmt.Sprintf("organizations[%d]", i), nil, o.Name, "", nil}, true
		}
	}
	return Target{}, false
}

func findParty(c *model.Convention, id string) (Target, bool) {
	for i := range c.Parties {
		if p := &c.Parties[i]; p.ID == id {
			return Target{p, &p.Meta, fmt.Sprintf("parties[%d]", i), []string{p.Organization}, "Partie : " + c.OrgName(p.Organization), "", nil}, true
		}
	}
	return Target{}, false
}

func findRepresentative(c *model.Convention, id string) (Target, bool) {
	for i := range c.Parties {
		p := &c.Parties[i]
		for j := range p.Representatives {
			if r := &p.Representatives[j]; r.ID == id {
				return Target{r, &r.Meta, fmt.Sprintf("parties[%d].representatives[%d]", i, j), []string{p.Organization},
					"Représentant·e de " + c.OrgName(p.Organization), "", nil}, true
			}
		}
	}
	return Target{}, false
}

func findAuthorization(c *model.Convention, id string) (Target, bool) {
	for i := range c.Parties {
		p := &c.Parties[i]
		if a := p.Authorization; a != nil && a.ID == id {
			return Target{a, &a.Meta, fmt.Sprintf("parties[%d].authorization", i), []string{p.Organization},
				"Délibération de " + c.OrgName(p.Organization), "", nil}, true
		}
	}
	return Target{}, false
}

func findLegalBasis(c *model.Convention, id string) (Target, bool) {
	for i := range c.LegalBases {
		if lb := &c.LegalBases[i]; lb.ID == id {
			return Target{lb, &lb.Meta, fmt.Sprintf("legal_bases[%d]", i), nil, fmt.Sprintf("Visa %d", i+1), "", nil}, true
		}
	}
	return Target{}, false
}

func findArticle(c *model.Convention, id string) (Target, bool) {
	for i := range c.Articles {
		if a := &c.Articles[i]; a.ID == id {
			return Target{a, &a.Meta, fmt.Sprintf("articles[%d]", i), nil, fmt.Sprintf("Article %d", a.Number), "", nil}, true
		}
	}
	return Target{}, false
}

func findAnnex(c *model.Convention, id string) (Target, bool) {
	for i := range c.Annexes {
		if a := &c.Annexes[i]; a.ID == id {
			return Target{a, &a.Meta, fmt.Sprintf("annexes[%d]", i), nil, fmt.Sprintf("Annexe %d", a.Number), "", nil}, true
		}
	}
	return Target{}, false
}

func findFinding(c *model.Convention, id string) (Target, bool) {
	for i := range c.Diagnostic.Findings {
		if f := &c.Diagnostic.Findings[i]; f.ID == id {
			return Target{f, &f.Meta, fmt.Sprintf("diagnostic.findings[%d]", i), nil, "Constat : " + f.Theme, "", nil}, true
		}
	}
	return Target{}, false
}

func findAxis(c *model.Convention, id string) (Target, bool) {
	for i := range c.Axes {
		if a := &c.Axes[i]; a.ID == id {
			return Target{a, &a.Meta, fmt.Sprintf("axes[%d]", i), nil, fmt.Sprintf("Axe %d", a.Number), "", nil}, true
		}
	}
	return Target{}, false
}

// ficheOwners are the organizations a fiche and its parts belong to: its pilots.
func ficheOwners(f *model.Fiche) []string {
	return slices.Clone(f.Pilots)
}

// eachFiche calls fn for every fiche with its path, until fn returns true.
func eachFiche(c *model.Convention, fn func(f *model.Fiche, path string) bool) {
	for i := range c.Axes {
		for j := range c.Axes[i].Fiches {
			if fn(&c.Axes[i].Fiches[j], fmt.Sprintf("axes[%d].fiches[%d]", i, j)) {
				return
			}
		}
	}
}

func findFiche(c *model.Convention, id string) (t Target, ok bool) {
	eachFiche(c, func(f *model.Fiche, path string) bool {
		if f.ID == id {
			t, ok = Target{f, &f.Meta, path, ficheOwners(f), "Fiche " + f.Code, f.Code, nil}, true
		}
		return ok
	})
	return t, ok
}

func findStep(c *model.Convention, id string) (t Target, ok bool) {
	eachFiche(c, func(f *model.Fiche, path string) bool {
		for k := range f.Steps {
			if s := &f.Steps[k]; s.ID == id {
				t, ok = Target{s, &s.Meta, fmt.Sprintf("%s.steps[%d]", path, k), ficheOwners(f), stepLabel(f, k), f.Code, nil}, true
			}
		}
		return ok
	})
	return t, ok
}

func stepLabel(f *model.Fiche, k int) string {
	n := f.Steps[k].Number
	if n == 0 {
		n = k + 1
	}
	return fmt.Sprintf("Fiche %s – étape %d", f.Code, n)
}

func findIndicator(c *model.Convention, id string) (t Target, ok bool) {
	eachFiche(c, func(f *model.Fiche, path string) bool {
		visit := func(list []model.Indicator, listPath, label string) {
			for k := range list {
				if ind := &list[k]; ind.ID == id {
					t, ok = Target{Object: ind, Meta: &ind.Meta, Path: fmt.Sprintf("%s[%d]", listPath, k), Owners: ficheOwners(f),
						Label: label + " – indicateur", Fiche: f.Code}, true
				}
			}
		}
		visit(f.Indicators, path+".indicators", "Fiche "+f.Code)
		for k := range f.Steps {
			visit(f.Steps[k].Indicators, fmt.Sprintf("%s.steps[%d].indicators", path, k), stepLabel(f, k))
		}
		if ok {
			t.Copies = indicatorCopies(f, t.Object.(*model.Indicator))
		}
		return ok
	})
	return t, ok
}

// indicatorCopies returns the other mentions, in the fiche, of an
// indicator that has a code.
func indicatorCopies(f *model.Fiche, ind *model.Indicator) []*model.Indicator {
	if ind.Code == "" {
		return nil
	}
	var out []*model.Indicator
	add := func(list []model.Indicator) {
		for k := range list {
			if other := &list[k]; other != ind && other.Code == ind.Code {
				out = append(out, other)
			}
		}
	}
	add(f.Indicators)
	for k := range f.Steps {
		add(f.Steps[k].Indicators)
	}
	return out
}

func findEquipment(c *model.Convention, id string) (Target, bool) {
	for i := range c.Equipments {
		if e := &c.Equipments[i]; e.ID == id {
			return Target{e, &e.Meta, fmt.Sprintf("equipments[%d]", i), []string{e.Operator}, "Équipement : " + e.Name, "", nil}, true
		}
	}
	return Target{}, false
}

func findCommittee(c *model.Convention, id string) (Target, bool) {
	for i := range c.Committees {
		if k := &c.Committees[i]; k.ID == id {
			return Target{k, &k.Meta, fmt.Sprintf("committees[%d]", i), nil, k.Name, "", nil}, true
		}
	}
	return Target{}, false
}

func findContact(c *model.Convention, id string) (Target, bool) {
	for i := range c.Contacts {
		if ct := &c.Contacts[i]; ct.ID == id {
			return Target{ct, &ct.Meta, fmt.Sprintf("contacts[%d]", i), []string{ct.Organization}, "Contact : " + ct.Label, "", nil}, true
		}
	}
	return Target{}, false
}
