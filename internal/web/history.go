package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
)

// historyRow is a history entry as a reader sees it: what was done, in
// French, and the fields that changed, named by their labels with their
// values in words.
type historyRow struct {
	model.AuditEntry
	// What says what was done when it is not a change of fields.
	What    string
	Changes []historyChange
	// Rows are the first records of an entry about many (an import of
	// values), in words; MoreRows counts the others.
	Rows     []string
	MoreRows int
}

// shownRows bounds the records of one entry listed on the page; the API
// (GET /api/v1/conventions/{slug}/history) gives them all.
const shownRows = 50

// historyChange is one field that changed.
type historyChange struct {
	Label, Before, After string
}

// historyRows describes entries of a convention's history.
func historyRows(c *model.Convention, entries []model.AuditEntry) []historyRow {
	out := make([]historyRow, len(entries))
	for i, e := range entries {
		row := historyRow{AuditEntry: e}
		switch e.Action {
		case "update":
			row.Changes = describeChanges(c, e.ObjectType, e.Before, e.After)
			if len(row.Changes) == 0 {
				row.What = "enregistrement sans changement"
			}
		case "create":
			row.What = "ajout"
		case "delete":
			row.What = "suppression"
		case "comment":
			row.What = "commentaire"
		case "rename":
			row.What = "nom changé : " + e.After["name"]
		case "import":
			row.What = "import de la convention"
		case "renew":
			row.What = "renouvellement décidé le " + frenchDateText(e.After["decided_on"]) + " ; convention suivante : " + e.After["successor"]
		case "new-convention":
			row.What = "création de la convention en projet"
		case "renewed-from":
			row.What = "création par renouvellement de la convention " + e.After["predecessor"]
		case "terminate":
			row.What = "résiliation enregistrée, effet le " + frenchDateText(e.After["effective_on"])
		case "grant":
			row.What = "accès accordé : " + membershipText(c, e.After)
		case "revoke":
			row.What = "accès retiré : " + membershipText(c, e.Before)
		case "attach":
			row.What = "document joint : " + documentText(e.After)
		case "detach":
			row.What = "document retiré : " + documentText(e.Before)
		case "import-values":
			row.What = fmt.Sprintf("import de %s valeur(s) : %s ajoutée(s), %s corrigée(s)", e.After["values"], e.After["created"], e.After["corrected"])
			for i, r := range e.Rows {
				if i == shownRows {
					row.MoreRows = len(e.Rows) - shownRows
					break
				}
				row.Rows = append(row.Rows, auditRowText(c, r))
			}
		case "demo":
			row.What = fmt.Sprintf("chargement de %s valeurs fictives de démonstration", e.After["values"])
		case "demo-remove":
			row.What = fmt.Sprintf("suppression de %s valeurs fictives de démonstration", e.After["values"])
		default:
			row.What = accessChange(e)
			if row.What == "" {
				row.What = e.Action
			}
		}
		out[i] = row
	}
	return out
}

// auditRowText says in words what an entry about many records did to one.
func auditRowText(c *model.Convention, r model.AuditRow) string {
	switch r.Action {
	case "create":
		return r.Label + " : ajout, " + strings.Join(fieldsText(c, r.After), ", ")
	case "delete":
		return r.Label + " : suppression"
	}
	var parts []string
	for _, ch := range describeChanges(c, "value", r.Before, r.After) {
		parts = append(parts, ch.Label+" : "+ch.Before+" → "+ch.After)
	}
	return r.Label + " : " + strings.Join(parts, ", ")
}

// fieldsText lists the fields of a value, by their labels.
func fieldsText(c *model.Convention, m map[string]string) []string {
	var out []string
	for _, ch := range describeChanges(c, "value", nil, m) {
		out = append(out, ch.Label+" "+ch.After)
	}
	return out
}

// documentText identifies a document of the history: "délibération.pdf
// (245,3 ko, SHA-256 9f86d081884c…)".
func documentText(m map[string]string) string {
	size, _ := strconv.ParseInt(m["size"], 10, 64)
	sum := m["sha256"]
	return fmt.Sprintf("%s (%s, SHA-256 %s…)", m["file_name"], document.SizeText(size), sum[:min(12, len(sum))])
}

// membershipText names a role and its organization: "contributeur·rice
// (La Cordelière)".
func membershipText(c *model.Convention, m map[string]string) string {
	s := roleLabel(m["role"])
	if org := m["organization"]; org != "" {
		s += " (" + c.OrgName(org) + ")"
	}
	return s
}

// valueFieldLabels name the fields of an indicator value's history, in
// the order they are shown.
var valueFieldLabels = []struct{ name, label string }{
	{"period", "Période"}, {"breakdown", "Ventilation"}, {"value", "Valeur"}, {"text", "Résultat"},
	{"state", "État"}, {"return_reason", "Motif du renvoi"}, {"source", "Source"}, {"comment", "Commentaire"},
}

var membershipFieldLabels = []struct{ name, label string }{{"role", "Rôle"}, {"organization", "Organisation"}}

// describeChanges lists the fields whose value differs between before and
// after, with their labels and their values in words; unchanged fields
// are left out.
func describeChanges(c *model.Convention, objectType string, before, after map[string]string) []historyChange {
	changed := func(name string) bool {
		b, inB := before[name]
		a, inA := after[name]
		return (inB || inA) && b != a
	}
	var out []historyChange
	seen := map[string]bool{}
	add := func(name, label string, show func(string) string) {
		seen[name] = true
		if changed(name) {
			out = append(out, historyChange{Label: label, Before: show(before[name]), After: show(after[name])})
		}
	}
	switch objectType {
	case "value":
		for _, f := range valueFieldLabels {
			add(f.name, f.label, func(v string) string {
				if f.name == "state" && v != "" {
					return model.ValueState(v).Label()
				}
				return orEmpty(v)
			})
		}
	case "membership":
		for _, f := range membershipFieldLabels {
			add(f.name, f.label, func(v string) string {
				switch {
				case v == "":
					return orEmpty(v)
				case f.name == "role":
					return roleLabel(v)
				}
				return c.OrgName(v)
			})
		}
	default:
		if k, ok := edit.Lookup(objectType); ok {
			for _, f := range k.CreateFields() {
				add(f.Name, f.Label, func(v string) string { return fieldText(c, f, v) })
			}
		}
	}
	// Fields this version does not know are still shown, by name.
	var rest []string
	for _, m := range []map[string]string{before, after} {
		for name := range m {
			if !seen[name] && !slices.Contains(rest, name) {
				rest = append(rest, name)
			}
		}
	}
	slices.Sort(rest)
	for _, name := range rest {
		add(name, name, orEmpty)
	}
	return out
}

// fieldText writes a field's form text in words: the label of a choice,
// organizations by name, dates the French way.
func fieldText(c *model.Convention, f edit.Field, v string) string {
	switch f.Widget {
	case edit.Select:
		if f.Options != nil {
			for _, o := range f.Options(c) {
				if o.Value == v {
					return o.Label
				}
			}
		}
	case edit.OrgList:
		if v == "" {
			break
		}
		var labels []string
		for _, item := range strings.Split(v, "\n") {
			label := item
			if f.Options != nil {
				for _, o := range f.Options(c) {
					if o.Value == item {
						label = o.Label
					}
				}
			}
			labels = append(labels, label)
		}
		return strings.Join(labels, ", ")
	case edit.Date:
		if d, err := model.ParseDate(v); err == nil {
			return frenchDate(d)
		}
	}
	return orEmpty(v)
}

// roleLabel names a role in French, as written when unknown.
func roleLabel(r string) string {
	if l, ok := auth.RoleLabels[auth.Role(r)]; ok {
		return l
	}
	return r
}

func orEmpty(v string) string {
	if v == "" {
		return "(vide)"
	}
	return v
}

// savedMessage is the confirmation shown after an edit: what changed, in
// words.
func savedMessage(c *model.Convention, kind, label string, before, after map[string]string) string {
	changes := describeChanges(c, kind, before, after)
	if len(changes) == 0 {
		return "Aucune modification : « " + label + " » est inchangé."
	}
	parts := make([]string, len(changes))
	for i, ch := range changes {
		if len(ch.Before)+len(ch.After) > 80 {
			parts[i] = ch.Label
			continue
		}
		parts[i] = ch.Label + " : " + ch.Before + " → " + ch.After
	}
	return "Enregistré : modification de « " + label + " » — " + strings.Join(parts, " ; ") + "."
}

// frenchDateText writes a stored AAAA-MM-JJ date the French way, or as it is.
func frenchDateText(s string) string {
	if d, err := model.ParseDate(s); err == nil {
		return frenchDate(d)
	}
	return s
}
