// Package amend writes out what an avenant changes in a convention's
// signed text, the way an avenant states it: « L'article 10 est remplacé
// par les dispositions suivantes : … », « À l'annexe 3, la fiche 5.1 « … »
// est ajoutée ». It compares two versions of the signed content and knows
// nothing of SQL or HTTP.
package amend

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// The operations a change makes.
const (
	Add     = "add"
	Remove  = "remove"
	Replace = "replace"
)

// Change is one modification of the signed text; the model holds it so
// that the interchange format carries it.
type Change = model.AmendmentChange

// Changes lists what turns before's signed text into after's, in the
// order of the convention: the convention's own clauses, parties, visas,
// articles, annexes, then the structured annexes (diagnostic, equipments,
// action plan, governance). Follow-up (progress, indicator settings,
// contacts) is not part of the text and never listed.
func Changes(before, after *model.Convention) []Change {
	d := differ{a: contract.Signed(before), b: contract.Signed(after), namesA: before, namesB: after}
	d.clauses()
	d.parties()
	d.legalBases()
	d.articles()
	d.annexes()
	d.findings()
	d.equipments()
	d.plan()
	d.committees()
	return d.out
}

type differ struct {
	// a and b are the signed texts compared; namesA and namesB the whole
	// conventions, which name every organization the texts cite.
	a, b           *model.Convention
	namesA, namesB *model.Convention
	out            []Change
}

func (d *differ) add(c Change) { d.out = append(d.out, c) }

// annex names the annex holding a structured part in the new text («
// À l'annexe 3, »), or nothing when no annex holds it.
func (d *differ) annex(holds string) string {
	for _, c := range []*model.Convention{d.b, d.a} {
		for _, an := range c.Annexes {
			if an.Holds == holds {
				return fmt.Sprintf("À l'annexe %d, ", an.Number)
			}
		}
	}
	return ""
}

func (d *differ) annexPlace(holds, what string) string {
	for _, c := range []*model.Convention{d.b, d.a} {
		for _, an := range c.Annexes {
			if an.Holds == holds {
				return fmt.Sprintf("Annexe %d – %s", an.Number, what)
			}
		}
	}
	return textutil.UpperFirst(what)
}

func quote(s string) string { return "« " + strings.TrimSpace(s) + " »" }

func (d *differ) clauses() {
	a, b := d.a, d.b
	if a.Title != b.Title {
		d.add(Change{Kind: "convention", Op: Replace, Place: "Intitulé", Before: a.Title, After: b.Title,
			Sentence: "L'intitulé de la convention est remplacé par " + quote(b.Title) + "."})
	}
	if a.Period.Start != b.Period.Start || a.Period.End != b.Period.End {
		d.add(Change{Kind: "convention", Op: Replace, Place: "Durée", Before: period(a.Period), After: period(b.Period),
			Sentence: "La convention est conclue " + period(b.Period) + " (au lieu " + period(a.Period) + ")."})
	}
	if a.Period.Renewal != b.Period.Renewal {
		d.add(text("convention", "Renouvellement", "La clause de renouvellement", a.Period.Renewal, b.Period.Renewal, true))
	}
	if a.Preamble.Text != b.Preamble.Text || !slices.Equal(a.Preamble.Themes, b.Preamble.Themes) {
		d.add(text("convention", "Préambule", "Le préambule", preamble(a.Preamble), preamble(b.Preamble), false))
	}
	if a.Territory.EPCI != b.Territory.EPCI || !slices.Equal(a.Territory.Communes, b.Territory.Communes) {
		d.add(Change{Kind: "convention", Op: Replace, Place: "Territoire", Before: territory(a.Territory), After: territory(b.Territory),
			Sentence: "Le territoire couvert est modifié : " + territory(b.Territory) + "."})
	}
	if a.Diagnostic.Author != b.Diagnostic.Author || a.Diagnostic.Summary != b.Diagnostic.Summary {
		d.add(text("convention", d.annexPlace("diagnostic", "synthèse du diagnostic"), d.annex("diagnostic")+"la synthèse du diagnostic",
			diagnostic(a.Diagnostic), diagnostic(b.Diagnostic), true))
	}
}

// text is the change of one clause of text, named by its subject («
// Le préambule »; feminine when the subject is).
func text(kind, place, subject, before, after string, feminine bool) Change {
	op, verb := Replace, "est remplacé par les dispositions suivantes : "
	if feminine {
		verb = "est remplacée par les dispositions suivantes : "
	}
	switch {
	case before == "":
		op, verb = Add, "est complété par : "
		if feminine {
			verb = "est complétée par : "
		}
	case after == "":
		op, verb = Remove, "est supprimé"
		if feminine {
			verb = "est supprimée"
		}
	}
	s := textutil.UpperFirst(subject) + " " + verb
	if op != Remove {
		s += quote(after)
	}
	return Change{Kind: kind, Op: op, Place: place, Sentence: s + ".", Before: before, After: after}
}

func period(p model.Period) string {
	return "du " + textutil.FrenchDate(p.Start) + " au " + textutil.FrenchDate(p.End)
}

func preamble(p model.Preamble) string {
	out := p.Text
	if len(p.Themes) > 0 {
		out += "\n" + strings.Join(p.Themes, " ; ")
	}
	return strings.TrimSpace(out)
}

func territory(t model.Territory) string {
	out := "EPCI " + t.EPCI
	if len(t.Communes) > 0 {
		out += ", communes " + strings.Join(t.Communes, ", ")
	}
	return out
}

func diagnostic(d model.Diagnostic) string {
	return strings.TrimSpace(strings.TrimSpace(d.Author+"\n") + "\n" + d.Summary)
}

// matched pairs the items of two lists and calls fn for each pair in
// the order of the new list, then for the items only the old one has. An
// item unchanged pairs with its identical copy first; the others pair by
// key, in order, so that two rows with the same name stay apart.
func matched[T any](before, after []T, key func(T) string, fn func(k string, a, b *T)) {
	pair := make([]int, len(after))
	used := make([]bool, len(before))
	texts := make([]string, len(before))
	for j := range before {
		texts[j] = string(encode(before[j]))
	}
	for i := range after {
		pair[i] = -1
		text := string(encode(after[i]))
		for j := range before {
			if !used[j] && texts[j] == text {
				pair[i], used[j] = j, true
				break
			}
		}
	}
	for i := range after {
		for j := range before {
			if pair[i] < 0 && !used[j] && key(before[j]) == key(after[i]) {
				pair[i], used[j] = j, true
			}
		}
	}
	for i := range after {
		var a *T
		if pair[i] >= 0 {
			a = &before[pair[i]]
		}
		fn(key(after[i]), a, &after[i])
	}
	for j := range before {
		if !used[j] {
			fn(key(before[j]), &before[j], nil)
		}
	}
}

// same reports whether two records carry the same text.
func same(a, b any) bool { return string(encode(a)) == string(encode(b)) }

func encode(v any) []byte {
	out, err := yaml.Marshal(v)
	if err != nil {
		panic(err) // the model holds only plain data
	}
	return out
}

func (d *differ) parties() {
	matched(d.a.Parties, d.b.Parties, func(p model.Party) string { return p.Organization }, func(k string, a, b *model.Party) {
		switch {
		case a == nil:
			d.add(Change{Kind: "party", Op: Add, Place: "Parties", After: party(d.b, *b),
				Sentence: "La partie " + quote(d.b.OrgName(k)) + " est ajoutée aux signataires : " + party(d.b, *b) + "."})
		case b == nil:
			d.add(Change{Kind: "party", Op: Remove, Place: "Parties", Before: party(d.a, *a),
				Sentence: "La partie " + quote(d.a.OrgName(k)) + " est retirée des signataires."})
		case !same(a, b) || d.a.OrgName(k) != d.b.OrgName(k):
			d.add(Change{Kind: "party", Op: Replace, Place: "Parties", Before: party(d.a, *a), After: party(d.b, *b),
				Sentence: "La désignation de la partie " + quote(d.a.OrgName(k)) + " est remplacée par : " + party(d.b, *b) + "."})
		}
	})
}

func party(c *model.Convention, p model.Party) string {
	out := c.OrgName(p.Organization)
	for _, r := range p.Representatives {
		out += ", représentée par " + strings.TrimSpace(r.Civility+" "+r.Name) + ", " + r.Title
	}
	if p.Designation != "" {
		out += ", " + p.Designation
	}
	if a := p.Authorization; a != nil {
		out += " (" + strings.TrimSpace(a.Body+" "+a.DateAsWritten) + ")"
	}
	return out
}

func (d *differ) legalBases() {
	matched(d.a.LegalBases, d.b.LegalBases, func(l model.LegalBasis) string { return l.Text }, func(k string, a, b *model.LegalBasis) {
		switch {
		case a == nil:
			d.add(Change{Kind: "legal_basis", Op: Add, Place: "Visas", After: k, Sentence: "Le visa " + quote(k) + " est ajouté."})
		case b == nil:
			d.add(Change{Kind: "legal_basis", Op: Remove, Place: "Visas", Before: k, Sentence: "Le visa " + quote(k) + " est supprimé."})
		}
	})
}

func (d *differ) articles() {
	matched(d.a.Articles, d.b.Articles, func(x model.Article) string { return strconv.Itoa(x.Number) }, func(k string, a, b *model.Article) {
		place := "Article " + k
		switch {
		case a == nil:
			d.add(Change{Kind: "article", Op: Add, Place: place, After: article(*b),
				Sentence: "Il est ajouté un article " + k + " " + quote(b.Title) + " ainsi rédigé : " + quote(b.Text) + "."})
		case b == nil:
			d.add(Change{Kind: "article", Op: Remove, Place: place, Before: article(*a),
				Sentence: "L'article " + k + " " + quote(a.Title) + " est supprimé."})
		case !same(a, b):
			s := "L'article " + k + " " + quote(a.Title) + " est remplacé par les dispositions suivantes : " + quote(b.Text) + "."
			if a.Title != b.Title {
				s = "L'article " + k + " " + quote(a.Title) + " est remplacé par un article " + k + " " + quote(b.Title) + " ainsi rédigé : " + quote(b.Text) + "."
			}
			d.add(Change{Kind: "article", Op: Replace, Place: place, Before: article(*a), After: article(*b), Sentence: s})
		}
	})
}

func article(a model.Article) string {
	out := a.Title + "\n" + a.Text
	for _, f := range a.Footnotes {
		out += "\n— " + f
	}
	return out
}

func (d *differ) annexes() {
	matched(d.a.Annexes, d.b.Annexes, func(x model.Annex) string { return strconv.Itoa(x.Number) }, func(k string, a, b *model.Annex) {
		place := "Annexe " + k
		switch {
		case a == nil:
			d.add(Change{Kind: "annex", Op: Add, Place: place, After: annex(*b),
				Sentence: "Il est ajouté une annexe " + k + " " + quote(b.Title) + "."})
		case b == nil:
			d.add(Change{Kind: "annex", Op: Remove, Place: place, Before: annex(*a),
				Sentence: "L'annexe " + k + " " + quote(a.Title) + " est supprimée."})
		case !same(a, b):
			d.add(Change{Kind: "annex", Op: Replace, Place: place, Before: annex(*a), After: annex(*b),
				Sentence: "L'annexe " + k + " " + quote(a.Title) + " est remplacée par : " + quote(annex(*b)) + "."})
		}
	})
}

func annex(a model.Annex) string { return strings.TrimSpace(a.Title + "\n" + a.Text) }

func (d *differ) findings() {
	key := func(f model.Finding) string { return string(f.Kind) + "\x00" + f.Theme + "\x00" + f.Text }
	matched(d.a.Diagnostic.Findings, d.b.Diagnostic.Findings, key, func(_ string, a, b *model.Finding) {
		place := d.annexPlace("diagnostic", "diagnostic")
		switch {
		case a == nil:
			d.add(Change{Kind: "finding", Op: Add, Place: place, After: finding(*b),
				Sentence: d.annex("diagnostic") + "pour la thématique " + quote(b.Theme) + ", le constat " + quote(b.Text) + " est ajouté."})
		case b == nil:
			d.add(Change{Kind: "finding", Op: Remove, Place: place, Before: finding(*a),
				Sentence: d.annex("diagnostic") + "pour la thématique " + quote(a.Theme) + ", le constat " + quote(a.Text) + " est supprimé."})
		case !same(a, b):
			d.add(Change{Kind: "finding", Op: Replace, Place: place, Before: finding(*a), After: finding(*b),
				Sentence: d.annex("diagnostic") + "pour la thématique " + quote(b.Theme) + ", les fiches qui répondent au constat " + quote(b.Text) + " sont : " + strings.Join(b.Fiches, ", ") + "."})
		}
	})
}

func finding(f model.Finding) string {
	out := f.Theme + " : " + f.Text
	if len(f.Fiches) > 0 {
		out += " (fiches " + strings.Join(f.Fiches, ", ") + ")"
	}
	return out
}

func (d *differ) equipments() {
	key := func(e model.Equipment) string { return e.Name + "\x00" + e.OperatorName }
	matched(d.a.Equipments, d.b.Equipments, key, func(_ string, a, b *model.Equipment) {
		place := d.annexPlace("equipments", "équipements")
		switch {
		case a == nil:
			d.add(Change{Kind: "equipment", Op: Add, Place: place, After: equipment(*b),
				Sentence: d.annex("equipments") + "la ligne " + quote(equipment(*b)) + " est ajoutée."})
		case b == nil:
			d.add(Change{Kind: "equipment", Op: Remove, Place: place, Before: equipment(*a),
				Sentence: d.annex("equipments") + "la ligne " + quote(equipment(*a)) + " est supprimée."})
		case !same(a, b):
			d.add(Change{Kind: "equipment", Op: Replace, Place: place, Before: equipment(*a), After: equipment(*b),
				Sentence: d.annex("equipments") + "la ligne " + quote(equipment(*a)) + " est remplacée par " + quote(equipment(*b)) + "."})
		}
	})
}

func equipment(e model.Equipment) string {
	parts := []string{e.OperatorName, e.Name, e.ActivityType}
	if e.ActivityNature != "" {
		parts = append(parts, e.ActivityNature)
	}
	addr := strings.TrimSpace(strings.Join(e.Address, ", ") + " " + e.PostalCode + " " + e.City)
	if addr != "" {
		parts = append(parts, addr)
	}
	return strings.Join(parts, " – ")
}

func (d *differ) plan() {
	place := func(what string) string { return d.annexPlace("action_plan", what) }
	matched(d.a.Axes, d.b.Axes, func(x model.Axis) string { return strconv.Itoa(x.Number) }, func(k string, a, b *model.Axis) {
		ax, bx := model.Axis{}, model.Axis{}
		if a != nil {
			ax = *a
		}
		if b != nil {
			bx = *b
		}
		headA, headB := ax, bx
		headA.Fiches, headB.Fiches = nil, nil
		switch {
		case a == nil:
			d.add(Change{Kind: "axis", Op: Add, Place: place("axe " + k), After: axis(bx),
				Sentence: d.annex("action_plan") + "il est ajouté un axe " + k + " " + quote(bx.Title) + "."})
		case b == nil:
			d.add(Change{Kind: "axis", Op: Remove, Place: place("axe " + k), Before: axis(ax),
				Sentence: d.annex("action_plan") + "l'axe " + k + " " + quote(ax.Title) + " est supprimé, avec ses fiches."})
			return
		case !same(headA, headB):
			d.add(Change{Kind: "axis", Op: Replace, Place: place("axe " + k), Before: axis(ax), After: axis(bx),
				Sentence: d.annex("action_plan") + "l'axe " + k + " est désormais intitulé " + quote(axis(bx)) + "."})
		}
		n, _ := strconv.Atoi(k)
		d.fiches(n, ax.Fiches, bx.Fiches)
	})
}

func axis(a model.Axis) string {
	out := a.Title
	if a.Promise != "" {
		out += " (" + a.Promise + ")"
	}
	return out
}

func (d *differ) fiches(axisNumber int, before, after []model.Fiche) {
	matched(before, after, func(f model.Fiche) string { return f.Code }, func(k string, a, b *model.Fiche) {
		place := d.annexPlace("action_plan", "fiche "+k)
		switch {
		case a == nil:
			d.add(Change{Kind: "fiche", Op: Add, Place: place, After: fiche(d.namesB, *b), Axis: axisNumber,
				Sentence: d.annex("action_plan") + "la fiche " + k + " " + quote(b.Title) + " est ajoutée à l'axe " + strconv.Itoa(axisNumber) + " ; elle se lit comme suit."})
		case b == nil:
			d.add(Change{Kind: "fiche", Op: Remove, Place: place, Before: fiche(d.namesA, *a), Axis: axisNumber,
				Sentence: d.annex("action_plan") + "la fiche " + k + " " + quote(a.Title) + " est supprimée."})
		case !same(a, b):
			d.add(Change{Kind: "fiche", Op: Replace, Place: place, Before: fiche(d.namesA, *a), After: fiche(d.namesB, *b), Axis: axisNumber,
				Sentence: d.annex("action_plan") + "la fiche " + k + " " + quote(a.Title) + " est modifiée (" + strings.Join(ficheParts(*a, *b), ", ") + ") ; elle se lit désormais comme suit."})
		}
	})
}

// ficheParts names the parts of a fiche that differ.
func ficheParts(a, b model.Fiche) []string {
	var out []string
	add := func(differs bool, name string) {
		if differs {
			out = append(out, name)
		}
	}
	add(a.Title != b.Title, "intitulé")
	add(a.Context != b.Context, "contexte")
	add(!slices.Equal(a.Objectives, b.Objectives), "objectifs")
	add(a.Description != b.Description, "descriptif")
	add(!same(a.Steps, b.Steps), "étapes")
	add(!same(a.Indicators, b.Indicators) || a.IndicatorsHeading != b.IndicatorsHeading, "critères d'évaluation")
	add(!slices.Equal(a.TargetPublic, b.TargetPublic), "public visé")
	add(!slices.Equal(a.Pilots, b.Pilots), "pilotes")
	add(!slices.Equal(a.Partners, b.Partners), "partenaires")
	add(!same(a.Listings, b.Listings), "mentions dans le texte")
	if len(out) == 0 {
		out = append(out, "rédaction")
	}
	return out
}

// fiche writes a fiche as text, for a side-by-side reading.
func fiche(c *model.Convention, f model.Fiche) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fiche %s – %s\n", f.Code, f.Title)
	if f.Context != "" {
		fmt.Fprintf(&b, "Contexte : %s\n", f.Context)
	}
	for _, o := range f.Objectives {
		fmt.Fprintf(&b, "Objectif : %s\n", o)
	}
	if f.Description != "" {
		fmt.Fprintf(&b, "Descriptif : %s\n", f.Description)
	}
	for _, s := range f.Steps {
		line := "– " + s.Text
		if s.Schedule.AsWritten != "" {
			line += " (" + s.Schedule.AsWritten + ")"
		}
		b.WriteString(line + "\n")
		for _, x := range s.Details {
			b.WriteString("   · " + x + "\n")
		}
	}
	for _, ind := range f.Indicators {
		b.WriteString("Indicateur : " + ind.Label + "\n")
	}
	if len(f.TargetPublic) > 0 {
		b.WriteString("Public : " + strings.Join(f.TargetPublic, " ; ") + "\n")
	}
	if len(f.Pilots) > 0 {
		b.WriteString("Pilotes : " + names(c, f.Pilots) + "\n")
	}
	if len(f.Partners) > 0 {
		b.WriteString("Partenaires : " + names(c, f.Partners) + "\n")
	}
	return strings.TrimSpace(b.String())
}

func names(c *model.Convention, keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = c.OrgName(k)
	}
	return strings.Join(out, ", ")
}

func (d *differ) committees() {
	matched(d.a.Committees, d.b.Committees, func(x model.Committee) string { return x.Key }, func(_ string, a, b *model.Committee) {
		place := d.annexPlace("governance", "gouvernance")
		switch {
		case a == nil:
			d.add(Change{Kind: "committee", Op: Add, Place: place, After: committee(d.namesB, *b),
				Sentence: d.annex("governance") + "il est institué un " + quote(b.Name) + "."})
		case b == nil:
			d.add(Change{Kind: "committee", Op: Remove, Place: place, Before: committee(d.namesA, *a),
				Sentence: d.annex("governance") + "le " + quote(a.Name) + " est supprimé."})
		case !same(a, b):
			d.add(Change{Kind: "committee", Op: Replace, Place: place, Before: committee(d.namesA, *a), After: committee(d.namesB, *b),
				Sentence: d.annex("governance") + "la composition et les missions du " + quote(a.Name) + " sont remplacées par : " + quote(committee(d.namesB, *b)) + "."})
		}
	})
}

func committee(c *model.Convention, m model.Committee) string {
	var b strings.Builder
	b.WriteString(m.Name + "\n")
	for _, g := range m.Composition {
		b.WriteString(g.Label + " : " + strings.Join(g.Members, " ; ") + "\n")
	}
	for _, p := range m.Purposes {
		b.WriteString("– " + p + "\n")
	}
	if len(m.CoChairs) > 0 {
		b.WriteString("Copilotage : " + names(c, m.CoChairs) + "\n")
	}
	if m.Secretariat != "" {
		b.WriteString("Secrétariat : " + c.OrgName(m.Secretariat) + "\n")
	}
	return strings.TrimSpace(b.String())
}
