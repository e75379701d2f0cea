package report

import (
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// RegisterEntry is one entry of a controller's record of processing
// activities (GDPR art. 30) that an implemented data exchange of a
// convention gives, every field already in French.
type RegisterEntry struct {
	// Controller is the organization whose record holds the entry, Role
	// says how it takes part ("responsable de traitement source" or
	// "responsable de traitement destinataire"), Counterpart the other party.
	Controller, Role, Counterpart string
	Title, Purposes, LegalBasis   string
	Persons, Data, Recipients     string
	Transfers, Retention          string
	Security, Opinion             string
	ImplementedOn                 string
}

// Fields are the entry's lines, label first, in the order of art. 30.1.
func (e RegisterEntry) Fields() [][2]string {
	return [][2]string{
		{"Responsable de traitement", e.Controller + " (" + e.Role + ")"},
		{"Autre partie", e.Counterpart},
		{"Traitement", e.Title},
		{"Finalités", e.Purposes},
		{"Base légale", e.LegalBasis},
		{"Catégories de personnes", e.Persons},
		{"Catégories de données", e.Data},
		{"Destinataires", e.Recipients},
		{"Transferts hors UE", e.Transfers},
		{"Durées de conservation", e.Retention},
		{"Mesures de sécurité", e.Security},
		{"Avis du DPO", e.Opinion},
		{"Mis en œuvre le", e.ImplementedOn},
	}
}

// RegisterPDF writes the entries of the records of processing activities
// that a convention's data exchanges give, one framed block each, as an
// A4 PDF; scope names whose record it is ("toutes les parties" or an
// organization's name).
func RegisterPDF(c *model.Convention, scope string, at model.Date, entries []RegisterEntry) ([]byte, error) {
	title := "Registre des activités de traitement (art. 30 du RGPD)"
	p := newPDF(title+" — "+c.Title, at.Time(), title+" — "+c.Title)
	w := &doc{p: p}
	w.coverPage("Convention territoriale globale — échanges de données (article 7)", title, 18, 8)
	w.p.Ln(2)
	w.para(c.Title)
	w.para(fmt.Sprintf("Responsables de traitement : %s. Situation au %s.", scope, FrenchDate(at)))
	w.note("Entrées nées des échanges de données à caractère personnel mis en œuvre entre les parties de la convention, " +
		"à reporter dans le registre que chaque responsable de traitement tient au titre de l'article 30 du RGPD. " +
		"ctg ne conserve aucune donnée personnelle : seulement la description des catégories de données et de personnes.")
	if len(entries) == 0 {
		w.para("Aucun échange de données mis en œuvre.")
	}
	for i, e := range entries {
		w.heading(2, fmt.Sprintf("%d. %s — %s", i+1, e.Controller, e.Title))
		w.facts(52, e.Fields())
	}
	return output(p)
}
