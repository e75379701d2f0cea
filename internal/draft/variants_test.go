package draft

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdfread"
	"github.com/ctg-territoires/ctg/internal/pdftext"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// A change makes, from the seed, the text of another convention on the
// same model and its expected transcription: the same substitution on the
// signed text and on the bundled transcription of the seed.
type change struct {
	text func(t *testing.T, text string) string
	want func(c *model.ConventionFile)
	// gone are names of the seed that the variant's draft must not hold.
	gone []string
}

type variantCase struct {
	name    string
	changes []change
}

// words matches s with any run of white space between its words.
func words(s string) *regexp.Regexp {
	return regexp.MustCompile(`(?i)` + strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`))
}

func replaceOnce(t *testing.T, text, old, new string) string {
	t.Helper()
	if !strings.Contains(text, old) {
		t.Fatalf("« %s » absent du texte", old)
	}
	return strings.ReplaceAll(text, old, new)
}

func orgOfKind(c *model.ConventionFile, kind model.OrganizationKind) []*model.Organization {
	var out []*model.Organization
	for _, p := range c.Convention.Parties {
		for i := range c.Convention.Organizations {
			if o := &c.Convention.Organizations[i]; o.Key == p.Organization && o.Kind == kind {
				out = append(out, o)
			}
		}
	}
	return out
}

const (
	seedEPCI = "Communauté de Communes Pays de Forcalquier Montagne de Lure"
	seedCaf  = "Caisse d’Allocations Familiales des Alpes de Haute-Provence"
)

// seedCommunes are the names of the communes that sign the seed, as its
// parties block writes them, in order.
var seedCommunes = []string{"Commune de Forcalquier", "Commune de Limans", "Commune de Saint-Etienne les Orgues"}

// pickEPCIs chooses n intercommunalities by a rule, not by name:
// communautés de communes or d'agglomération with at least three current
// communes, outside the seed's département, each in a département of its
// own, taken at equal intervals in the order of their SIREN.
func pickEPCIs(ref *territory.Data, n int) []*territory.EPCI {
	var candidates []*territory.EPCI
	for _, e := range ref.EPCIs() {
		if (e.Type == "CC" || e.Type == "CA") && len(currentMembers(ref, e)) >= 3 && currentMembers(ref, e)[0].Departement != "04" {
			candidates = append(candidates, e)
		}
	}
	sort.Slice(candidates, func(i, j int) bool { return candidates[i].SIREN < candidates[j].SIREN })
	var out []*territory.EPCI
	seen := map[string]bool{}
	for k := 0; k < n; k++ {
		for i := (2*k + 1) * len(candidates) / (2 * n); i < len(candidates); i++ {
			dep := currentMembers(ref, candidates[i])[0].Departement
			if !seen[dep] {
				seen[dep] = true
				out = append(out, candidates[i])
				break
			}
		}
	}
	return out
}

func currentMembers(ref *territory.Data, e *territory.EPCI) []*territory.Commune {
	var out []*territory.Commune
	for _, code := range e.Members {
		if c, ok := ref.Commune(code); ok && c.Type == territory.CommuneCurrent {
			out = append(out, c)
		}
	}
	return out
}

// epciName writes an intercommunality's name as a parties block does.
func epciName(e *territory.EPCI) string {
	rest := strings.TrimPrefix(strings.TrimPrefix(e.Name, "CC "), "CA ")
	if e.Type == "CA" {
		return "Communauté d’Agglomération " + rest
	}
	return "Communauté de Communes " + rest
}

// otherTerritory puts another EPCI and three of its communes (first,
// middle and last of its current members) in the place of the seed's.
func otherTerritory(ref *territory.Data, e *territory.EPCI) change {
	members := currentMembers(ref, e)
	communes := []*territory.Commune{members[0], members[len(members)/2], members[len(members)-1]}
	name := epciName(e)
	return change{
		text: func(t *testing.T, text string) string {
			text = words(seedEPCI).ReplaceAllString(text, name)
			for i, c := range communes {
				text = words(seedCommunes[i]).ReplaceAllString(text, "Commune de "+c.Name)
			}
			text = regexp.MustCompile(`Commune de Saint[- ]Etienne les Orgues`).ReplaceAllString(text, "Commune de "+communes[2].Name)
			return text
		},
		want: func(c *model.ConventionFile) {
			c.Convention.Title = strings.Replace(c.Convention.Title, seedEPCI, name, 1)
			c.Convention.Territory.EPCI = e.SIREN
			for _, o := range orgOfKind(c, model.KindEPCI) {
				o.Name, o.SIREN = name, e.SIREN
			}
			for i, o := range orgOfKind(c, model.KindCommune) {
				o.Name, o.INSEE = "Commune de "+communes[i].Name, communes[i].INSEE
			}
		},
		gone: append([]string{"Forcalquier Montagne de Lure"}, seedCommunes...),
	}
}

func otherCaf(name string) change {
	return change{
		text: func(t *testing.T, text string) string { return replaceOnce(t, text, seedCaf, name) },
		want: func(c *model.ConventionFile) {
			for _, o := range orgOfKind(c, model.KindCaf) {
				o.Name = name
			}
		},
		gone: []string{seedCaf},
	}
}

func mustDate(s string) model.Date {
	d, err := model.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func otherDates(start, end, signed, place string) change {
	return change{
		text: func(t *testing.T, text string) string {
			text = replaceOnce(t, text, "à compter du 1er janvier 2022 jusqu’au 31 décembre 2024",
				"à compter du "+textutil.FrenchDate(mustDate(start))+" jusqu’au "+textutil.FrenchDate(mustDate(end)))
			return replaceOnce(t, text, "Fait à Digne les bains, le 9 novembre 2022", "Fait à "+place+", le "+textutil.FrenchDate(mustDate(signed)))
		},
		want: func(c *model.ConventionFile) {
			cv := &c.Convention
			cv.Title = strings.Replace(cv.Title, "2022-2024", start[:4]+"-"+end[:4], 1)
			cv.Period.Start, cv.Period.End = mustDate(start), mustDate(end)
			d := mustDate(signed)
			cv.Signature.Date, cv.Signature.Place = &d, place
		},
	}
}

// listing matches the lines listing a fiche in article 4 and annex 3:
// « 2.2 – Titre » and the lines its title goes on over.
func listing(code string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(code) + ` [-–][^\n]*\n([^\n0-9 ][^\n]*\n)*`)
}

// fichePages returns where the pages of a fiche start and end.
func fichePages(t *testing.T, text, code string) (int, int) {
	t.Helper()
	start := strings.Index(text, " Fiche action "+code+" ")
	if start < 0 {
		t.Fatalf("fiche %s introuvable", code)
	}
	end := strings.Index(text[start+1:], " Fiche action ")
	if annex := strings.Index(text[start+1:], " ANNEXE "); end < 0 || annex >= 0 && annex < end {
		end = annex
	}
	return start, start + 1 + end
}

func removeFiches(codes ...string) change {
	return change{
		text: func(t *testing.T, text string) string {
			for _, code := range codes {
				if n := len(listing(code).FindAllString(text, -1)); n != 2 {
					t.Fatalf("fiche %s listée %d fois", code, n)
				}
				text = listing(code).ReplaceAllString(text, "")
				start, end := fichePages(t, text, code)
				text = text[:start] + text[end:]
			}
			return text
		},
		want: func(c *model.ConventionFile) {
			for i := range c.Convention.Axes {
				a := &c.Convention.Axes[i]
				var kept []model.Fiche
				for _, f := range a.Fiches {
					if !contains(codes, f.Code) {
						kept = append(kept, f)
					}
				}
				a.Fiches = kept
			}
		},
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// newFiche adds a fiche 4.3, written in the model's form, with its own
// steps and indicators, and renumbers fiche 7.1 as 7.3.
func newFiche() change {
	const title = "Développer l’accueil des jeunes en soirée et le week-end"
	page := ` Fiche action 4.3 : ` + title + ` 

Contexte (Les constats et les raisons justifiant cette action) 

Les jeunes de 15-17 ans trouvent peu de lieux ouverts en soirée et le week-end sur le territoire. 

Objectif(s) de l’action 

Ouvrir aux jeunes des lieux d’accueil en dehors des horaires habituels. 

Descriptif des actions et dates de mise en œuvre 

 
1) Dès 2025 : ouvrir un accueil jeunes le vendredi soir dans deux communes du territoire.  
 
Les indicateurs :  

- Le nombre de soirées d’ouverture  
- Le nombre de jeunes accueillis  

 
2) En 2026, organiser avec les jeunes un programme d’activités pour les week-ends.  
Les indicateurs :  

- Le nombre d’activités proposées le week-end  

 

Public visé 

 
Les jeunes de 15 à 17 ans du territoire  
`
	return change{
		text: func(t *testing.T, text string) string {
			text = listing("4.2").ReplaceAllStringFunc(text, func(l string) string { return l + "4.3 - " + title + "\n" })
			start, _ := fichePages(t, text, "7.1")
			text = text[:start] + page + text[start:]
			text = replaceOnce(t, text, "Fiche action 7.1", "Fiche action 7.3")
			return replaceOnce(t, text, "7-1 Favoriser", "7-3 Favoriser")
		},
		want: func(c *model.ConventionFile) {
			for i := range c.Convention.Axes {
				a := &c.Convention.Axes[i]
				for j := range a.Fiches {
					if a.Fiches[j].Code == "7.1" {
						a.Fiches[j].Code = "7.3"
					}
				}
				if a.Number != 4 {
					continue
				}
				ind := func(label string) model.Indicator { return model.Indicator{Label: label} }
				a.Fiches = append(a.Fiches, model.Fiche{Code: "4.3", Title: title, Steps: []model.Step{
					{Text: "ouvrir un accueil jeunes le vendredi soir dans deux communes du territoire.",
						Schedule:   model.Schedule{AsWritten: "Dès 2025"},
						Indicators: []model.Indicator{ind("Le nombre de soirées d’ouverture"), ind("Le nombre de jeunes accueillis")}},
					{Text: "organiser avec les jeunes un programme d’activités pour les week-ends.",
						Schedule:   model.Schedule{AsWritten: "En 2026"},
						Indicators: []model.Indicator{ind("Le nombre d’activités proposées le week-end")}},
				}})
			}
		},
	}
}

// equipmentRows returns where each row of the equipments table ends: at
// the blank line after the cell holding its postal code and city.
func equipmentRows(t *testing.T, text string) (start int, ends []int) {
	t.Helper()
	start = strings.Index(text, "ADRESSE COMMUNE")
	stop := strings.Index(text, " ANNEXE 3 ")
	if start < 0 || stop < start {
		t.Fatal("tableau des équipements introuvable")
	}
	start += len("ADRESSE COMMUNE")
	blank := regexp.MustCompile(`\n[ \t]*\n`)
	for _, m := range regexp.MustCompile(`\b\d{5}\b`).FindAllStringIndex(text[start:stop], -1) {
		end := stop
		if b := blank.FindStringIndex(text[start+m[1] : stop]); b != nil {
			end = start + m[1] + b[0] + 1
		}
		ends = append(ends, end)
	}
	return start, ends
}

// otherEquipments removes every fifth row from the second, renames two
// equipments, and adds a row in another real commune: the most populous
// current commune of the given EPCI.
func otherEquipments(ref *territory.Data, e *territory.EPCI) change {
	var commune *territory.Commune
	for _, c := range currentMembers(ref, e) {
		if len(c.PostalCodes) > 0 && (commune == nil || c.Population > commune.Population) {
			commune = c
		}
	}
	city := strings.ToUpper(textutil.Fold(commune.Name))
	row := "ASSOCIATION LES \nLUCIOLES \n\nMicro-crèche Les \nLucioles \n\nEtablissement \nd'Accueil du \nJeune Enfant \n\nMulti accueil   2 RUE DES \nECOLES \n\n  " +
		commune.PostalCodes[0] + " \n" + city + " \n\n"
	renames := [][2]string{{"LAEP A Petits Pas", "LAEP Les Premiers Pas"}, {"Périscolaire la Cordelière", "Périscolaire Les Tilleuls"}}
	removed := func(i int) bool { return i%5 == 1 }
	return change{
		text: func(t *testing.T, text string) string {
			start, ends := equipmentRows(t, text)
			var b strings.Builder
			b.WriteString(text[:start])
			from := start
			for i, end := range ends {
				if !removed(i) {
					b.WriteString(text[from:end])
				}
				from = end
			}
			b.WriteString("\n\n" + row)
			b.WriteString(text[from:])
			text = b.String()
			for _, r := range renames {
				text = words(r[0]).ReplaceAllString(text, r[1])
			}
			return text
		},
		want: func(c *model.ConventionFile) {
			var kept []model.Equipment
			for i, eq := range c.Convention.Equipments {
				if removed(i) {
					continue
				}
				for _, r := range renames {
					if textutil.Fold(eq.Name) == textutil.Fold(r[0]) {
						eq.Name = r[1]
					}
				}
				kept = append(kept, eq)
			}
			c.Convention.Equipments = append(kept, model.Equipment{Name: "Micro-crèche Les Lucioles", Commune: commune.INSEE})
		},
	}
}

func variantCases(ref *territory.Data) []variantCase {
	epcis := pickEPCIs(ref, 3)
	var cases []variantCase
	for _, e := range epcis {
		cases = append(cases, variantCase{"territoire " + e.Name, []change{otherTerritory(ref, e)}})
	}
	dates := otherDates("2025-01-01", "2028-12-31", "2025-03-14", "Annecy")
	caf := otherCaf("Caisse d’Allocations Familiales du Finistère")
	return append(cases,
		variantCase{"autre Caf", []change{caf}},
		variantCase{"autres dates", []change{dates}},
		variantCase{"fiches 2.2 et 4.2 retirées", []change{removeFiches("2.2", "4.2")}},
		variantCase{"fiche 4.3 ajoutée, 7.1 devenue 7.3", []change{newFiche()}},
		variantCase{"équipements changés", []change{otherEquipments(ref, epcis[0])}},
		variantCase{"tout à la fois", []change{otherTerritory(ref, epcis[1]), otherCaf("Caisse d’Allocations Familiales de la Gironde"),
			otherDates("2023-07-01", "2027-06-30", "2023-09-28", "Bordeaux"), removeFiches("2.2"), newFiche(), otherEquipments(ref, epcis[1])}},
	)
}

var families = []string{"titre", "dates", "articles", "parties", "fiches", "steps", "indicators", "equipments", "committees", "total"}

// TestVariantsMeasured reads variants of the seed and measures, per
// family of fields, the draft against the transcription changed the same
// way; it checks that nothing written is absent from the source and that
// no organization of the seed is left in a variant.
func TestVariantsMeasured(t *testing.T) {
	ref := territory.MustLoad()
	seed := seedText(t)
	overall := map[string]*score{}
	table := []string{"| variante | " + strings.Join(families, " | ") + " |", "|---" + strings.Repeat("|---", len(families)) + "|"}
	for _, vc := range variantCases(ref) {
		text := seed
		want, err := interchange.DecodeFile(examples.Forcalquier, ref)
		if err != nil {
			t.Fatal(err)
		}
		var gone []string
		for _, ch := range vc.changes {
			text = ch.text(t, text)
			ch.want(want)
			gone = append(gone, ch.gone...)
		}
		got, rep, err := Read(text, ref)
		if err != nil {
			t.Fatalf("%s : %v", vc.name, err)
		}
		scores := compare(facts(got), facts(want))
		row := "| " + vc.name + " |"
		for _, fam := range families {
			s := scores[fam]
			if s == nil {
				s = &score{}
			}
			if overall[fam] == nil {
				overall[fam] = &score{}
			}
			overall[fam].got += s.got
			overall[fam].want += s.want
			overall[fam].hit += s.hit
			row += fmt.Sprintf(" %.2f / %.2f |", s.precision(), s.recall())
		}
		table = append(table, row)
		if s := scores["total"]; s.precision() < 0.9 || s.recall() < 0.9 {
			t.Errorf("%s : précision %.2f, rappel %.2f : 0,9 au moins attendu", vc.name, s.precision(), s.recall())
			for k, n := range facts(want) {
				if facts(got)[k] < n {
					t.Logf("  manque : %s", k)
				}
			}
			for k, n := range facts(got) {
				if facts(want)[k] < n {
					t.Logf("  en trop : %s", k)
				}
			}
		}
		checkWritten(t, vc.name, text, rep)
		for _, o := range got.Convention.Organizations {
			for _, g := range gone {
				if textutil.Fold(o.Name) == textutil.Fold(g) || strings.Contains(textutil.Fold(o.Name), textutil.Fold(g)) {
					t.Errorf("%s : organisation du texte d'origine dans la variante : %s", vc.name, o.Name)
				}
			}
		}
		for _, g := range gone {
			if strings.Contains(textutil.Fold(got.Convention.Title), textutil.Fold(g)) {
				t.Errorf("%s : titre %q", vc.name, got.Convention.Title)
			}
		}
	}
	row := "| **ensemble** |"
	for _, fam := range families {
		s := overall[fam]
		row += fmt.Sprintf(" %.2f / %.2f |", s.precision(), s.recall())
	}
	table = append(table, row)
	t.Logf("précision / rappel par variante et par famille :\n%s", strings.Join(table, "\n"))
}

// checkWritten checks that every value the report says is copied from
// the text is in the text (letters and digits compared, accents and case
// folded).
func checkWritten(t *testing.T, name, text string, rep *Report) {
	t.Helper()
	letters := func(s string) string {
		var b strings.Builder
		for _, r := range textutil.Fold(strings.TrimSuffix(s, "…")) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	source := letters(text)
	for _, f := range rep.Fields {
		if f.AsWritten && !strings.Contains(source, letters(f.Value)) {
			t.Errorf("%s : %s : « %s » ne figure pas dans le texte", name, f.Path, f.Value)
		}
	}
}

// variantText returns the text of the variant that changes everything,
// and its expected transcription.
func variantText(t *testing.T, ref *territory.Data) (string, *model.ConventionFile) {
	t.Helper()
	cases := variantCases(ref)
	vc := cases[len(cases)-1]
	text := seedText(t)
	want, err := interchange.DecodeFile(examples.Forcalquier, ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range vc.changes {
		text = ch.text(t, text)
		ch.want(want)
	}
	return text, want
}

// TestPDFOfAVariant lays the text of a variant out in a PDF, reads the
// PDF's text back with pdftotext, and gets the same key fields as from the
// text itself.
func TestPDFOfAVariant(t *testing.T) {
	ref := territory.MustLoad()
	text, want := variantText(t, ref)
	pdf := pdftext.FromText(t, text)
	pdftext.Text(t, pdf) // skips without pdftotext
	extracted, err := pdfread.Text(context.Background(), pdf, pdfread.MaxText)
	if err != nil {
		t.Fatal(err)
	}
	fromText, _, err := Read(text, ref)
	if err != nil {
		t.Fatal(err)
	}
	fromPDF, rep, err := Read(extracted, ref)
	if err != nil {
		t.Fatal(err)
	}
	same := compare(facts(fromPDF), facts(fromText))
	for _, fam := range []string{"titre", "dates", "articles", "parties", "fiches", "committees"} {
		if s := same[fam]; s.precision() < 1 || s.recall() < 1 {
			t.Errorf("%s : le PDF ne donne pas les champs du texte (précision %.2f, rappel %.2f)", fam, s.precision(), s.recall())
		}
	}
	s := compare(facts(fromPDF), facts(want))["total"]
	t.Logf("PDF de la variante : précision %.2f, rappel %.2f", s.precision(), s.recall())
	if s.precision() < 0.9 || s.recall() < 0.9 {
		t.Errorf("PDF de la variante : précision %.2f, rappel %.2f : 0,9 au moins attendu", s.precision(), s.recall())
	}
	checkWritten(t, "PDF", extracted, rep)
	if len(rep.Invalid) > 0 {
		t.Errorf("brouillon du PDF non importable : %v", rep.Invalid)
	}
}
