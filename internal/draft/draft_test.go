package draft

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

func seedText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/ctg-forcalquier-2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// facts lists the compared fields of a convention as "family|field=value"
// strings; a multiset, so repeated values count each time.
func facts(c *model.ConventionFile) map[string]int {
	out := map[string]int{}
	add := func(family, format string, args ...any) { out[family+"|"+fmt.Sprintf(format, args...)]++ }
	f := textutil.Fold
	add("titre", "title=%s", f(c.Title))
	add("dates", "period.start=%s", c.Period.Start)
	add("dates", "period.end=%s", c.Period.End)
	if c.Signature.Date != nil {
		add("dates", "signature.date=%s", c.Signature.Date)
	}
	add("dates", "signature.place=%s", f(c.Signature.Place))
	add("articles", "count=%d", len(c.Articles))
	for _, a := range c.Articles {
		add("articles", "%d=%s", a.Number, f(a.Title))
	}
	orgs := map[string]model.Organization{}
	for _, o := range c.Organizations {
		orgs[o.Key] = o
	}
	for _, p := range c.Parties {
		o := orgs[p.Organization]
		add("parties", "%s:%s", o.Kind, f(o.Name))
		if id := o.SIREN + o.INSEE; id != "" {
			add("parties", "id=%s", id)
		}
		for _, r := range p.Representatives {
			add("parties", "representative=%s:%s", f(r.Name), f(r.Title))
		}
	}
	fiches := 0
	for _, a := range c.Axes {
		add("fiches", "axis %d=%s", a.Number, f(a.Title))
		for _, fi := range a.Fiches {
			fiches++
			add("fiches", "fiche %s=%s", fi.Code, f(fi.Title))
			add("steps", "fiche %s steps=%d", fi.Code, len(fi.Steps))
			for k, s := range fi.Steps {
				add("steps", "fiche %s step %d=%s", fi.Code, k+1, f(s.Text))
				if s.Schedule.AsWritten != "" {
					add("steps", "fiche %s step %d schedule=%s", fi.Code, k+1, f(s.Schedule.AsWritten))
				}
			}
			n := len(fi.Indicators)
			for _, s := range fi.Steps {
				n += len(s.Indicators)
			}
			add("indicators", "fiche %s indicators=%d", fi.Code, n)
			labels := map[string]bool{}
			for _, ind := range fi.Indicators {
				labels[f(ind.Label)] = true
			}
			for _, s := range fi.Steps {
				for _, ind := range s.Indicators {
					labels[f(ind.Label)] = true
				}
			}
			for l := range labels {
				add("indicators", "fiche %s indicator=%s", fi.Code, l)
			}
		}
	}
	add("fiches", "count=%d", fiches)
	add("equipments", "count=%d", len(c.Equipments))
	for _, e := range c.Equipments {
		add("equipments", "%s@%s", f(e.Name), e.Commune)
	}
	for _, cm := range c.Committees {
		add("committees", "%s=%s", cm.Kind, f(cm.Name))
	}
	return out
}

type score struct{ got, want, hit int }

func (s score) precision() float64 { return float64(s.hit) / float64(max(s.got, 1)) }
func (s score) recall() float64    { return float64(s.hit) / float64(max(s.want, 1)) }

func compare(got, want map[string]int) map[string]*score {
	scores := map[string]*score{"total": {}}
	fam := func(k string) *score {
		name, _, _ := strings.Cut(k, "|")
		if scores[name] == nil {
			scores[name] = &score{}
		}
		return scores[name]
	}
	for k, n := range got {
		fam(k).got += n
		scores["total"].got += n
		h := min(n, want[k])
		fam(k).hit += h
		scores["total"].hit += h
	}
	for k, n := range want {
		fam(k).want += n
		scores["total"].want += n
	}
	return scores
}

// TestSeedAgainstTranscription reads the signed text and compares the
// draft with the bundled transcription of the same text, field by field.
func TestSeedAgainstTranscription(t *testing.T) {
	ref := territory.MustLoad()
	want, err := interchange.DecodeFile(examples.Forcalquier, ref)
	if err != nil {
		t.Fatal(err)
	}
	got, rep, err := Read(seedText(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	scores := compare(facts(got), facts(want))
	var names []string
	for n := range scores {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := scores[n]
		t.Logf("%-11s précision %.2f (%d/%d)  rappel %.2f (%d/%d)", n, s.precision(), s.hit, s.got, s.recall(), s.hit, s.want)
	}
	if s := scores["total"]; s.precision() < 0.95 || s.recall() < 0.95 {
		t.Errorf("précision %.2f, rappel %.2f : 0,95 au moins attendu", s.precision(), s.recall())
	}
	for _, n := range []string{"dates", "articles", "parties", "fiches", "steps", "committees"} {
		if s := scores[n]; s.precision() < 0.9 || s.recall() < 0.9 {
			t.Errorf("%s : précision %.2f, rappel %.2f : 0,9 au moins attendu", n, s.precision(), s.recall())
		}
	}
	if len(rep.Invalid) > 0 {
		t.Errorf("le brouillon du texte signé devrait être importable : %v", rep.Invalid)
	}
	// The draft is valid input for the import.
	data, err := interchange.EncodeFile(got)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := interchange.DecodeFile(data, ref); err != nil {
		t.Fatalf("brouillon refusé par le format d'échange : %v", err)
	}
}

// TestReportSaysWhereAndWhatIsMissing checks that fields carry their
// source line and that the blank dates of the text are reported missing,
// not invented.
func TestReportSaysWhereAndWhatIsMissing(t *testing.T) {
	text := seedText(t)
	lines := strings.Split(text, "\n")
	_, rep, err := Read(text, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]Field{}
	for _, f := range rep.Fields {
		if f.Line < 1 || f.Line > len(lines) || f.Confidence <= 0 || f.Confidence > 1 || f.Method == "" {
			t.Errorf("champ %s mal situé : %+v", f.Path, f)
		}
		found[f.Path] = f
	}
	for _, f := range rep.Fields {
		if strings.Contains(f.Path, ".representatives[") && strings.HasSuffix(f.Path, ".name") {
			surname := f.Value[strings.LastIndex(f.Value, " ")+1:]
			if !strings.Contains(lines[f.Line-1], surname) {
				t.Errorf("%s lu ligne %d : %q", f.Path, f.Line, lines[f.Line-1])
			}
		}
	}
	sig := found["signature.date"]
	if !strings.Contains(lines[sig.Line-1], "Fait à") {
		t.Errorf("date de signature lue ligne %d : %q", sig.Line, lines[sig.Line-1])
	}
	if !strings.Contains(lines[found["period.start"].Line-1], "compter du") {
		t.Errorf("période lue ligne %d", found["period.start"].Line)
	}
	// A value said to be copied from the text is in the text.
	checkWritten(t, "graine", text, rep)
	written := 0
	for _, f := range rep.Fields {
		if f.AsWritten {
			written++
		}
	}
	if written < 200 {
		t.Errorf("%d champs copiés du texte seulement", written)
	}
	missingDates := 0
	for _, m := range rep.Missing {
		if strings.HasSuffix(m.Path, "authorization.date") && strings.Contains(m.Reason, "XXXX") {
			missingDates++
		}
	}
	if missingDates != 5 {
		t.Errorf("%d dates de délibération « XXXX » signalées manquantes, 5 attendues", missingDates)
	}
}

// variant builds, from the signed text, the text of another convention on
// the same model: another real EPCI and three of its communes, another
// Caf, other dates, fiche 4.2 removed and fiche 7.1 renumbered 7.3.
func variant(t *testing.T, ref *territory.Data) (string, *territory.EPCI, []*territory.Commune) {
	t.Helper()
	var epci *territory.EPCI
	var communes []*territory.Commune
	for _, e := range ref.EPCIs() {
		if e.Type != "CC" || len(e.Members) < 3 {
			continue
		}
		communes = nil
		for _, code := range e.Members {
			if c, ok := ref.Commune(code); ok && c.Type == territory.CommuneCurrent && c.Departement != "04" {
				communes = append(communes, c)
			}
		}
		if len(communes) >= 3 {
			epci, communes = e, communes[:3]
			break
		}
	}
	if epci == nil {
		t.Fatal("aucun EPCI pour la variante")
	}
	epciName := "Communauté de Communes " + strings.TrimPrefix(epci.Name, "CC ")
	text := seedText(t)
	words := func(s string) *regexp.Regexp {
		return regexp.MustCompile(`(?i)` + strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`))
	}
	text = words("Communauté de Communes Pays de Forcalquier Montagne de Lure").ReplaceAllString(text, epciName)
	text = words("Commune de Forcalquier").ReplaceAllString(text, "Commune de "+communes[0].Name)
	text = words("Commune de Limans").ReplaceAllString(text, "Commune de "+communes[1].Name)
	text = regexp.MustCompile(`Commune de Saint[- ]Etienne les Orgues`).ReplaceAllString(text, "Commune de "+communes[2].Name)
	text = strings.ReplaceAll(text, "Caisse d’Allocations Familiales des Alpes de Haute-Provence", "Caisse d’Allocations Familiales de la Haute-Savoie")
	text = strings.ReplaceAll(text, "à compter du 1er janvier 2022 jusqu’au 31 décembre 2024", "à compter du 1er janvier 2025 jusqu’au 31 décembre 2028")
	text = strings.ReplaceAll(text, "Fait à Digne les bains, le 9 novembre 2022", "Fait à Annecy, le 14 mars 2025")
	// Fiche 4.2 removed: its listings and its pages.
	text = regexp.MustCompile(`4\.2 - Développer les projets jeunes sur le territoire\s*\n`).ReplaceAllString(text, "")
	start := strings.Index(text, " Fiche action 4.2")
	end := strings.Index(text, " Fiche action 7.1")
	if start < 0 || end < start {
		t.Fatal("fiches 4.2 et 7.1 introuvables dans le texte")
	}
	text = text[:start] + text[end:]
	// Fiche 7.1 renumbered 7.3.
	text = strings.ReplaceAll(text, "Fiche action 7.1", "Fiche action 7.3")
	text = strings.ReplaceAll(text, "7-1 Favoriser", "7-3 Favoriser")
	return text, epci, communes
}

func TestVariantIsFollowedNotTheSeed(t *testing.T) {
	ref := territory.MustLoad()
	text, epci, communes := variant(t, ref)
	c, rep, err := Read(text, ref)
	if err != nil {
		t.Fatal(err)
	}
	if c.Territory.EPCI != epci.SIREN {
		t.Errorf("EPCI %q, attendu %s (%s)", c.Territory.EPCI, epci.SIREN, epci.Name)
	}
	var insee, cafs []string
	for _, o := range c.Organizations {
		if o.Kind == model.KindCommune {
			insee = append(insee, o.INSEE)
		}
		if o.Kind == model.KindCaf {
			cafs = append(cafs, o.Name)
		}
		if strings.Contains(o.Name, "Forcalquier") || strings.Contains(o.Name, "Limans") {
			t.Errorf("organisation du texte d'origine dans la variante : %s", o.Name)
		}
	}
	wantINSEE := []string{communes[0].INSEE, communes[1].INSEE, communes[2].INSEE}
	if strings.Join(insee, ",") != strings.Join(wantINSEE, ",") {
		t.Errorf("communes %v, attendues %v", insee, wantINSEE)
	}
	if len(cafs) != 1 || cafs[0] != "Caisse d’Allocations Familiales de la Haute-Savoie" {
		t.Errorf("Caf %v", cafs)
	}
	if c.Period.Start.String() != "2025-01-01" || c.Period.End.String() != "2028-12-31" {
		t.Errorf("période %s – %s", c.Period.Start, c.Period.End)
	}
	if c.Signature.Date == nil || c.Signature.Date.String() != "2025-03-14" || c.Signature.Place != "Annecy" {
		t.Errorf("signature %+v", c.Signature)
	}
	var codes []string
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			codes = append(codes, f.Code)
		}
	}
	if got := strings.Join(codes, " "); got != "1.1 2.1 2.2 3.1 4.1 7.3" {
		t.Errorf("fiches %s, attendues 1.1 2.1 2.2 3.1 4.1 7.3", got)
	}
	if !strings.Contains(c.Title, strings.TrimPrefix(epci.Name, "CC ")) || !strings.Contains(c.Title, "2025-2028") {
		t.Errorf("titre %q", c.Title)
	}
	if len(rep.Invalid) > 0 {
		t.Errorf("variante non importable : %v", rep.Invalid)
	}
}

func TestEmptyAndForeignTexts(t *testing.T) {
	ref := territory.MustLoad()
	if _, _, err := Read(" \n\f\n", ref); !errors.Is(err, ErrNoText) {
		t.Errorf("texte vide : %v", err)
	}
	if _, _, err := Read("Compte rendu du conseil municipal\nOrdre du jour\n", ref); !errors.Is(err, ErrNotModel) {
		t.Errorf("texte hors modèle : %v", err)
	}
}

// TestPages places each field read from a text with form feeds (a PDF's
// text) on its page, the lines counted from the top of that page; a text
// without them has no pages.
func TestPages(t *testing.T) {
	ref := territory.MustLoad()
	lines := strings.Split(seedText(t), "\n")
	// A page break every 40 lines, as pdftotext writes it: a form feed at
	// the start of the page's first line.
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\n")
			if i%40 == 0 {
				b.WriteString("\f")
			}
		}
		b.WriteString(l)
	}
	_, plain, err := Read(seedText(t), ref)
	if err != nil {
		t.Fatal(err)
	}
	_, paged, err := Read(b.String(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range plain.Fields {
		if f.Page != 0 || f.PageLine != 0 {
			t.Fatalf("%s : page %d dans un texte sans saut de page", f.Path, f.Page)
		}
	}
	find := func(path string) Field {
		for _, f := range paged.Fields {
			if f.Path == path {
				return f
			}
		}
		t.Fatalf("%s non lu", path)
		return Field{}
	}
	for _, path := range []string{"signature.date", "period.start", "organizations[0].name"} {
		var want int
		for _, f := range plain.Fields {
			if f.Path == path {
				want = f.Line
			}
		}
		got := find(path)
		// Each form feed before the field adds one line to Read's count.
		if page, line := (want-1)/40+1, (want-1)%40+1; got.Page != page || got.PageLine != line {
			t.Errorf("%s (ligne %d du texte) : page %d ligne %d, attendu page %d ligne %d", path, want, got.Page, got.PageLine, page, line)
		}
	}
	for _, m := range paged.Missing {
		if m.Line > 0 && m.Page == 0 {
			t.Errorf("%s : sans page", m.Path)
		}
	}
}

// A text holding control characters or characters reversing the
// direction of writing gives a draft with none of them in its fields.
func TestDraftHoldsNoControlCharacters(t *testing.T) {
	text := strings.Replace(seedText(t), "OBJET DE LA CONVENTION", "OBJET \a\b DE LA\u202e CONVENTION\x00", 1)
	c, _, err := Read(text, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Articles {
		if p := model.TypedProblem(a.Title, false); p != "" || strings.Contains(a.Title, "\u202e") {
			t.Errorf("article %d : titre %q (%s)", a.Number, a.Title, p)
		}
	}
	if len(c.Articles) == 0 || !strings.Contains(c.Articles[0].Title, "OBJET") {
		t.Errorf("articles : %+v", c.Articles)
	}
}

func TestRegexpsCompile(t *testing.T) {
	textutil.CompileLazyRegexps()
}
