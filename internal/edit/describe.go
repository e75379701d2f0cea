package edit

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// CommitteeKindLabels gives each kind of committee in French.
var CommitteeKindLabels = map[model.CommitteeKind]string{
	model.CommitteeSteering:  "comité de pilotage",
	model.CommitteeTechnical: "comité technique",
}

// segment is one step of a path of the interchange format: a name and,
// for an element of a list, its index (-1 otherwise).
type segment struct {
	name  string
	index int
}

var segmentRe = textutil.LazyRegexp(`^([a-z_]+)(?:\[(\d+)\])?$`)

func parsePath(path string) []segment {
	var out []segment
	for part := range strings.SplitSeq(path, ".") {
		m := segmentRe.FindStringSubmatch(part)
		if m == nil {
			return nil
		}
		i := -1
		if m[2] != "" {
			i, _ = strconv.Atoi(m[2])
		}
		out = append(out, segment{m[1], i})
	}
	return out
}

// fieldLabels name the fields of each kind of record where the edit
// forms' labels (Kinds) do not say it as a reader of the signed text
// would, or have no such field.
var fieldLabels = map[string]map[string]string{
	"convention": {
		"title": "titre de la convention", "slug": "identifiant de la convention", "territory": "territoire",
		"territory.epci": "territoire : SIREN de l'EPCI", "period": "période", "period.start": "période : début",
		"period.end": "période : fin", "period.renewal": "période : clause de renouvellement",
		"signature": "signature", "signature.date": "signature : date", "signature.place": "signature : lieu",
		"signature.copies": "signature : exemplaires", "preamble.text": "préambule", "evaluation": "évaluation",
		"parties": "parties", "organizations": "organisations", "legal_bases": "visas", "articles": "articles",
		"annexes": "annexes", "axes": "plan d'actions", "equipments": "équipements", "committees": "comités",
	},
	"organization": {"kind": "type d'organisation", "siren": "SIREN", "insee": "code commune INSEE"},
	"party": {
		"designation": "désignation dans le texte", "organization": "organisation", "representatives": "représentant·es",
		"authorization": "délibération", "authorization.body": "instance de la délibération",
		"authorization.date": "date de la délibération", "authorization.date_as_written": "date de la délibération telle qu'écrite",
		"authorization.reference": "référence de la délibération", "authorization.subject": "objet de la délibération",
		"authorization.annex":                      "annexe où figure la délibération",
		"authorization.prefecture_acknowledgement": "accusé de réception en préfecture de la délibération",
	},
	"representative": {"title": "fonction"},
	"legal_basis":    {"party": "partie dont c'est la délibération"},
	"article":        {"number": "numéro"},
	"annex":          {"number": "numéro", "holds": "contenu"},
	"axis":           {"number": "numéro", "fiches": "fiches"},
	"fiche": {"code": "numéro", "objectives": "objectif", "target_public": "public visé", "indicators": "indicateurs",
		"steps": "étapes", "listings": "listes où elle figure"},
	"step":      {"text": "action", "schedule": "calendrier", "indicators": "indicateurs"},
	"listing":   {"code": "numéro tel qu'écrit", "title": "titre tel qu'écrit", "place": "emplacement"},
	"equipment": {"commune": "commune", "operator": "organisation gestionnaire", "address": "adresse"},
	"committee": {"kind": "type de comité", "purposes": "mission", "composition": "composition"},
	"group":     {"label": "libellé", "organizations": "organisations", "members": "membres"},
}

// lists are the lists of records a path may go through, with the kind
// of their records.
var lists = map[string]string{
	"organizations": "organization", "parties": "party", "representatives": "representative", "legal_bases": "legal_basis",
	"articles": "article", "annexes": "annex", "axes": "axis", "fiches": "fiche", "steps": "step", "indicators": "indicator",
	"listings": "listing", "equipments": "equipment", "committees": "committee", "composition": "group", "contacts": "contact",
	"findings": "finding",
}

// DescribePath names in French, for a reader of the signed text, the
// field of c at a path of the interchange format: « Partie 2 — Commune
// de Salignac : date de la délibération », « Fiche 7.1 — étape 3 :
// calendrier tel qu'écrit ». A path it does not know is returned as is.
func DescribePath(c *model.Convention, path string) string {
	segs := parsePath(path)
	if segs == nil {
		return path
	}
	var where []string
	kind := "convention"
	var fiche *model.Fiche
	var axis *model.Axis
	i := 0
	for ; i < len(segs); i++ {
		s := segs[i]
		sub, ok := lists[s.name]
		if !ok || s.index < 0 {
			break
		}
		n := s.index
		switch sub {
		case "organization":
			name := ""
			if n < len(c.Organizations) {
				name = c.Organizations[n].Name
			}
			where = append(where, nth("Organisation", n, name))
		case "party":
			name := ""
			if n < len(c.Parties) {
				if key := c.Parties[n].Organization; c.OrgName(key) != key {
					name = c.OrgName(key)
				}
			}
			where = append(where, nth("Partie", n, name))
		case "representative":
			where = append(where, fmt.Sprintf("représentant·e %d", n+1))
		case "legal_basis":
			where = append(where, fmt.Sprintf("Visa %d", n+1))
		case "article":
			num := n + 1
			if n < len(c.Articles) && c.Articles[n].Number > 0 {
				num = c.Articles[n].Number
			}
			where = append(where, fmt.Sprintf("Article %d", num))
		case "annex":
			num := n + 1
			if n < len(c.Annexes) && c.Annexes[n].Number > 0 {
				num = c.Annexes[n].Number
			}
			where = append(where, fmt.Sprintf("Annexe %d", num))
		case "axis":
			num := n + 1
			if n < len(c.Axes) {
				axis = &c.Axes[n]
				if axis.Number > 0 {
					num = axis.Number
				}
			}
			where = append(where, fmt.Sprintf("Axe %d", num))
		case "fiche":
			l := fmt.Sprintf("fiche %d", n+1)
			if axis != nil && n < len(axis.Fiches) {
				fiche = &axis.Fiches[n]
				if fiche.Code != "" {
					// The code names the axis too.
					where, l = where[:len(where)-1], "Fiche "+fiche.Code
				}
			}
			where = append(where, l)
		case "step":
			num := n + 1
			if fiche != nil && n < len(fiche.Steps) && fiche.Steps[n].Number > 0 {
				num = fiche.Steps[n].Number
			}
			where = append(where, fmt.Sprintf("étape %d", num))
		case "indicator":
			where = append(where, fmt.Sprintf("indicateur %d", n+1))
		case "listing":
			l := fmt.Sprintf("liste %d", n+1)
			if fiche != nil && n < len(fiche.Listings) && fiche.Listings[n].Place != "" {
				l = "liste de l'" + fiche.Listings[n].Place
				if !strings.HasPrefix(fiche.Listings[n].Place, "a") {
					l = "liste de la " + fiche.Listings[n].Place
				}
			}
			where = append(where, l)
		case "equipment":
			name := ""
			if n < len(c.Equipments) {
				name = c.Equipments[n].Name
			}
			where = append(where, nth("Équipement", n, name))
		case "committee":
			l := fmt.Sprintf("Comité %d", n+1)
			if n < len(c.Committees) {
				committee := &c.Committees[n]
				if committee.Name != "" {
					l = committee.Name
				} else if k, ok := CommitteeKindLabels[committee.Kind]; ok {
					l = upper(k)
				}
			}
			where = append(where, l)
		case "group":
			where = append(where, fmt.Sprintf("groupe %d de la composition", n+1))
		case "contact":
			where = append(where, fmt.Sprintf("Contact %d", n+1))
		case "finding":
			where = append(where, fmt.Sprintf("Constat %d du diagnostic", n+1))
		}
		kind = sub
	}
	field := ""
	if i < len(segs) {
		names := make([]string, 0, len(segs)-i)
		for _, s := range segs[i:] {
			names = append(names, s.name)
		}
		name := strings.Join(names, ".")
		field = fieldLabel(kind, name)
		// An element of a list of texts: « objectif 2 ».
		if last := segs[len(segs)-1]; last.index >= 0 {
			field += fmt.Sprintf(" %d", last.index+1)
		}
	}
	switch {
	case len(where) == 0:
		return upper(field)
	case field == "":
		return upperFirstParts(where)
	}
	return upperFirstParts(where) + " : " + field
}

// fieldLabel names the field name of a record of kind in French.
func fieldLabel(kind, name string) string {
	if l, ok := fieldLabels[kind][name]; ok {
		return l
	}
	if k, ok := Lookup(kind); ok {
		if f, ok := k.Field(name); ok {
			return lower(f.Label)
		}
	}
	return name
}

func upperFirstParts(parts []string) string { return upper(strings.Join(parts, " — ")) }

func upper(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// lower lowercases the first letter of a label, unless the word is an
// acronym (« SIREN »).
func lower(s string) string {
	r := []rune(s)
	if len(r) > 1 && strings.ToUpper(string(r[1])) == string(r[1]) && r[1] != ' ' {
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

// DescribeValue writes a value read for the field at path the way a
// reader of the convention says it: the French label of a code (an
// organization kind, a status, a committee kind), the name of an
// organization given by its key, a date the French way.
func DescribeValue(c *model.Convention, path, value string) string {
	segs := parsePath(path)
	if len(segs) == 0 {
		return value
	}
	last := segs[len(segs)-1].name
	parent := ""
	if len(segs) > 1 {
		parent = segs[len(segs)-2].name
	}
	switch {
	case last == "kind" && parent == "organizations":
		for _, o := range OrganizationKindOptions() {
			if o.Value == value {
				return o.Label
			}
		}
	case last == "kind" && parent == "committees":
		if l, ok := CommitteeKindLabels[model.CommitteeKind(value)]; ok {
			return l
		}
	case last == "status" && (parent == "fiches" || parent == "steps"):
		if l, ok := StatusLabels[model.ActionStatus(value)]; ok {
			return l
		}
	case last == "holds" && parent == "annexes":
		if k, ok := Lookup("annex"); ok {
			if f, ok := k.Field("holds"); ok && f.Options != nil {
				for _, o := range f.Options(c) {
					if o.Value == value {
						return o.Label
					}
				}
			}
		}
	case last == "party" || last == "operator" || last == "organization" || last == "secretariat":
		if name := c.OrgName(value); name != value {
			return name
		}
	case last == "recurrence" && value == "yearly":
		return "chaque année"
	}
	if d, err := model.ParseDate(value); err == nil && len(value) == 10 {
		return textutil.FrenchDate(d)
	}
	return value
}

// nth names the n-th (from 0) element of a list, "Équipement 3 — Crèche",
// without its name when it has none.
func nth(what string, n int, name string) string {
	l := fmt.Sprintf("%s %d", what, n+1)
	if name != "" {
		l += " — " + name
	}
	return l
}
