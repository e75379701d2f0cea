package newconv

import (
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// other is an intercommunality other than the bundled example's, of
// 46 communes: Provence-Alpes-Agglomération.
const other = "200067437"

func proposal(t *testing.T, siren string) (*territory.Data, Input) {
	t.Helper()
	ref := territory.MustLoad()
	e, ok := ref.EPCI(siren)
	if !ok {
		t.Fatalf("EPCI %s absent du référentiel", siren)
	}
	in := Propose(ref, e, model.Date{Year: 2026, Month: 5, Day: 12})
	in.Caf = Org{Name: "Caisse d’allocations familiales des Alpes-de-Haute-Provence", ShortName: "la Caf"}
	in.MSA = Org{Name: "Mutualité sociale agricole Alpes-Vaucluse"}
	return ref, in
}

func TestProposal(t *testing.T) {
	ref, in := proposal(t, other)
	if in.Start != (model.Date{Year: 2027, Month: 1, Day: 1}) || in.End != (model.Date{Year: 2030, Month: 12, Day: 31}) {
		t.Errorf("période proposée %s – %s, attendu 2027-01-01 – 2030-12-31", in.Start, in.End)
	}
	e, _ := ref.EPCI(other)
	if in.Title != "Convention territoriale globale (Ctg) 2027-2030 — Communauté d’agglomération "+strings.TrimPrefix(e.Name, "CA ") {
		t.Errorf("titre proposé %q", in.Title)
	}
	if !strings.HasPrefix(in.Slug, "ctg-") || !strings.HasSuffix(in.Slug, "-2027") || !convention.ValidSlug(in.Slug) || strings.Contains(in.Slug, "-de-") {
		t.Errorf("identifiant proposé %q", in.Slug)
	}
	if len(in.Communes) != len(Members(ref, e)) || len(in.Communes) < 10 {
		t.Errorf("%d communes proposées, %d membres", len(in.Communes), len(Members(ref, e)))
	}
}

func TestBuildIsAValidDraft(t *testing.T) {
	ref, in := proposal(t, other)
	c := Build(ref, in)
	if err := convention.Validate(c, ref); err != nil {
		t.Fatalf("la convention créée n'est pas valide : %v", err)
	}
	if got := lifecycle.Of(c).On(model.Date{Year: 2026, Month: 6, Day: 1}); got != lifecycle.Draft {
		t.Errorf("état %q, attendu projet", got)
	}
	// Caf, MSA, EPCI and every member commune sign.
	if want := 3 + len(in.Communes); len(c.Parties) != want {
		t.Errorf("%d parties, %d attendues", len(c.Parties), want)
	}
	kinds := map[model.OrganizationKind]int{}
	for _, o := range c.Organizations {
		kinds[o.Kind]++
		switch o.Kind {
		case model.KindEPCI:
			if o.SIREN != other {
				t.Errorf("SIREN de l'EPCI %q", o.SIREN)
			}
		case model.KindCommune:
			com, ok := ref.Commune(o.INSEE)
			if !ok || com.EPCI != other || o.Name != CommuneName(com.Name) {
				t.Errorf("commune %+v", o)
			}
		}
	}
	if kinds[model.KindCaf] != 1 || kinds[model.KindMSA] != 1 || kinds[model.KindEPCI] != 1 {
		t.Errorf("organisations par type : %v", kinds)
	}
	// The file imports as it stands, as a draft.
	data, err := interchange.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := interchange.Decode(data, ref)
	if err != nil {
		t.Fatalf("import refusé : %v", err)
	}
	if back.Status != model.StatusDraft || len(back.Articles) != 14 || back.Territory.EPCI != other {
		t.Errorf("importée : statut %s, %d articles, EPCI %s", back.Status, len(back.Articles), back.Territory.EPCI)
	}
}

func TestModelTextFilledIn(t *testing.T) {
	ref, in := proposal(t, other)
	c := Build(ref, in)
	e, _ := ref.EPCI(other)
	full := FullName(e)
	for i, a := range c.Articles {
		if a.Number != i+1 || a.Title == "" || a.Text == "" {
			t.Errorf("article %d : numéro %d, titre %q, %d caractères", i+1, a.Number, a.Title, len(a.Text))
		}
		if u := Unfilled(a.Title + a.Text); len(u) > 0 {
			t.Errorf("article %d : valeurs non remplies %v", a.Number, u)
		}
	}
	if u := Unfilled(c.Preamble.Text); len(u) > 0 {
		t.Errorf("préambule : valeurs non remplies %v", u)
	}
	art := func(n int) string { return c.Articles[n-1].Text }
	if !strings.Contains(art(10), "à compter du 1er janvier 2027 jusqu’au 31 décembre 2030") {
		t.Errorf("article 10 : %q", art(10))
	}
	if !strings.HasPrefix(art(5), "La Caf, la Mutualité sociale agricole Alpes-Vaucluse, la "+full+" et les communes signataires s’engagent") {
		t.Errorf("article 5 : %q", art(5)[:200])
	}
	if !strings.Contains(art(6), "- de la "+full+",") || !strings.Contains(art(6), "- des communes signataires,") {
		t.Errorf("article 6, composition du comité : %q", art(6))
	}
	if !strings.Contains(art(8), "financement de la Caisse d’allocations familiales des Alpes-de-Haute-Provence") {
		t.Errorf("article 8 : %q", art(8))
	}
	// The model is generic: nothing of the bundled example's territory.
	for _, word := range []string{"Forcalquier", "Lure", "Limans", "Orgues", "Digne", "Haute-Provence", "management des liens", "04 92", "2022", "2024"} {
		if strings.Contains(modelText, word) {
			t.Errorf("le texte modèle contient « %s », propre à une convention", word)
		}
	}
	// What the territory must say stays an explicit gap.
	if !strings.Contains(art(3), "[à compléter") || !strings.Contains(art(4), "[à compléter") {
		t.Error("les articles 3 et 4 devraient laisser leurs champs propres au territoire « à compléter »")
	}
}

func TestWithoutMSANorCommunes(t *testing.T) {
	ref, in := proposal(t, other)
	in.MSA = Org{}
	in.Communes = nil
	c := Build(ref, in)
	if err := convention.Validate(c, ref); err != nil {
		t.Fatal(err)
	}
	if len(c.Parties) != 2 {
		t.Errorf("%d parties, attendu la Caf et l'EPCI", len(c.Parties))
	}
	if a5 := c.Articles[4].Text; strings.Contains(a5, "Mutualité") || strings.Contains(a5, "communes signataires") || !strings.HasPrefix(a5, "La Caf et la Communauté") {
		t.Errorf("article 5 sans MSA ni communes : %q", a5[:120])
	}
}

// TestLintReportsWhatIsMissing runs the checker on a new draft: it reports
// what must be completed before the signature, and no defect of the model.
func TestLintReportsWhatIsMissing(t *testing.T) {
	ref, in := proposal(t, other)
	c := Build(ref, in)
	fs := lint.Run(c, ref, model.Date{Year: 2026, Month: 6, Day: 1})
	rules := map[string]int{}
	for _, f := range fs {
		rules[f.Rule]++
	}
	for _, want := range []string{"AUTH-DATE-MISSING", "NAME-EMPTY", "TEXT-PLACEHOLDER"} {
		if rules[want] == 0 {
			t.Errorf("le vérificateur devrait signaler %s ; règles signalées : %v", want, rules)
		}
	}
	// A draft is not signed yet: its signature date is not missing.
	if rules["SIGNATURE-DATE-MISSING"] != 0 {
		t.Errorf("date de signature réclamée à un projet : %v", rules)
	}
	if rules["AUTH-DATE-MISSING"] != len(c.Parties) || rules["NAME-EMPTY"] != len(c.Parties) {
		t.Errorf("une délibération et un·e représentant·e à compléter par partie (%d) : %v", len(c.Parties), rules)
	}
	// Not spurious errors: what the model itself writes is consistent.
	for _, spurious := range []string{"ANNEX-REFERENCE", "AUTH-MISSING", "IDENT-SIREN", "IDENT-INSEE", "PARTY-NOT-ENGAGED", "TEXT-REPEATED-WORDS", "TERRITORY-NON-SIGNATORY", "CONVENTION-EXPIRED"} {
		if rules[spurious] > 0 {
			for _, f := range fs {
				if f.Rule == spurious {
					t.Errorf("%s : %s", f.Rule, f.Message)
				}
			}
		}
	}
}

func TestSearchAndResolve(t *testing.T) {
	ref := territory.MustLoad()
	const forcalquier = "240400440"
	for _, q := range []string{"240400440", "forcalquier montagne", "Pays Forcalquier", "FORCALQUIER", "Limans", "04104", "saint etienne les orgues"} {
		e, err := Resolve(ref, q)
		if err != nil || e.SIREN != forcalquier {
			t.Errorf("Resolve(%q) = %v, %v ; attendu l'EPCI %s", q, e, err, forcalquier)
		}
	}
	// A commune belongs to one intercommunality; a name shared by several
	// communes is ambiguous, and the message lists them.
	_, err := Resolve(ref, "Sainte-Colombe")
	if err == nil || !strings.Contains(err.Error(), "ambigu") || strings.Count(err.Error(), "commune de Sainte-Colombe") < 3 {
		t.Errorf("Sainte-Colombe : %v", err)
	}
	// A postal code shared by communes of two intercommunalities.
	if _, err := Resolve(ref, "04300"); err == nil || !strings.Contains(err.Error(), "SIREN 240400440") || !strings.Contains(err.Error(), "code postal 04300") {
		t.Errorf("code postal 04300 : %v", err)
	}
	if _, err := Resolve(ref, "zzzzqx"); err == nil || !strings.Contains(err.Error(), "aucune intercommunalité") {
		t.Errorf("nom inconnu : %v", err)
	}
	list := Search(ref, "forcalquier", 10)
	if len(list) != 1 || list[0].Communes != 13 || !slices.Equal(list[0].Departements, []string{"04"}) {
		t.Errorf("Search(forcalquier) = %+v", list)
	}
	if list := Search(ref, "montagne", 5); len(list) != 5 {
		t.Errorf("Search(montagne) limitée à 5 : %d", len(list))
	}
}

func TestCommuneName(t *testing.T) {
	for in, want := range map[string]string{"Limans": "Commune de Limans", "Oraison": "Commune d’Oraison", "Le Castellet": "Commune du Castellet",
		"Les Mées": "Commune des Mées", "La Brillanne": "Commune de La Brillanne", "Étoile-Saint-Cyrice": "Commune d’Étoile-Saint-Cyrice"} {
		if got := CommuneName(in); got != want {
			t.Errorf("CommuneName(%q) = %q, attendu %q", in, got, want)
		}
	}
}

// A commune is found by the beginning of its name when none has the name
// typed: « Digne » finds the intercommunality of Digne-les-Bains.
func TestSearchByTheBeginningOfACommuneName(t *testing.T) {
	ref := territory.MustLoad()
	found := false
	for _, m := range Search(ref, "Digne", 10) {
		found = found || m.EPCI.SIREN == "200067437"
	}
	if !found {
		t.Errorf("« Digne » : %v", Search(ref, "Digne", 10))
	}
	// An exact commune name is not drowned by the longer ones.
	if list := Search(ref, "Limans", 10); len(list) != 1 || list[0].EPCI.SIREN != "240400440" {
		t.Errorf("« Limans » : %v", list)
	}
}
