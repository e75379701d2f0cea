package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/pdftext"
)

const (
	adviser = "claire.conseil@caf04.fr"
	caf04   = "Caisse d’Allocations Familiales des Alpes de Haute-Provence"
	// Two intercommunalities of the Alpes-de-Haute-Provence (INSEE).
	digne = "200067437" // CA Provence-Alpes-Agglomération
	banon = "200071025" // CC Haute-Provence - Pays de Banon
)

// tally counts, from the embedded INSEE data and nothing of ctg's
// coverage, the current communes of the département 04 in an
// intercommunality and their population, as the coverage table writes
// them.
func tally(t *testing.T, p *platform, siren string) (communes int, population string) {
	t.Helper()
	pop := 0
	for _, c := range p.svc.Territory.CommunesIn("04") {
		if c.EPCI == siren {
			communes++
			pop += c.Population
		}
	}
	if communes == 0 {
		t.Fatalf("aucune commune de %s dans les données INSEE", siren)
	}
	return communes, coverage.Number(pop)
}

// coverageRow reads the row of a class in the coverage table of the page.
func coverageRow(t *testing.T, ctx context.Context, class string) string {
	t.Helper()
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const r = [...document.querySelectorAll("main table tr")].find(r => r.querySelector(".swatch-`+class+`"));
		return r ? r.innerText.replace(/\s+/g, " ").trim() : "";
	})()`))
	if err != nil || row == "" {
		t.Fatalf("ligne « %s » de la couverture introuvable (%v)", class, err)
	}
	return row
}

// variantText is the seed's signed text of another territory of the
// département: the Pays de Banon and three of its communes in the place of
// Forcalquier's, as another convention on the national model reads.
func variantText(t *testing.T, p *platform) string {
	t.Helper()
	seed, err := os.ReadFile(filepath.Join("..", "draft", "testdata", "ctg-forcalquier-2022.txt"))
	if err != nil {
		t.Fatal(err)
	}
	words := func(s string) *regexp.Regexp {
		return regexp.MustCompile(`(?i)` + strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`))
	}
	text := words("Communauté de Communes Pays de Forcalquier Montagne de Lure").ReplaceAllString(string(seed), "Communauté de Communes Haute-Provence - Pays de Banon")
	// The prefecture's stamp names the intercommunality by its SIREN.
	text = strings.ReplaceAll(text, "240400440", banon)
	var members []string
	for _, c := range p.svc.Territory.CommunesIn("04") {
		if c.EPCI == banon {
			members = append(members, c.Name)
		}
	}
	for i, old := range []*regexp.Regexp{words("Commune de Forcalquier"), words("Commune de Limans"), regexp.MustCompile(`(?i)Commune\s+de\s+Saint[- ]Etienne\s+les\s+Orgues`)} {
		text = old.ReplaceAllString(text, "Commune de "+members[i*len(members)/3])
	}
	return text
}

// The adviser of the Caf of the Alpes-de-Haute-Provence signs in and
// lands on her portfolio with the coverage of her département; she starts
// a convention for the Digne intercommunality in the wizard, which
// proposes her Caf, and sees it in her portfolio and in the coverage, in
// preparation; then she sends the PDF of the convention signed in the
// Pays de Banon, reviews the draft read from it, line by line, with what
// is missing before signature, and creates it: the coverage counts it.
func TestCafAdviserFollowsHerDepartement(t *testing.T) {
	axe := axeCore(t)
	p := startPlatform(t)
	ctx := context.Background()
	if _, err := p.svc.AddUser(ctx, app.NewUser{Email: adviser, Name: "Claire Conseil", Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := p.svc.SetAccountOrganization(ctx, auth.System, adviser, caf04, auth.RoleEditor); err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "ctg-pays-de-banon-signee.pdf")
	variant := variantText(t, p)
	if err := os.WriteFile(pdf, pdftext.FromText(t, variant), 0o600); err != nil {
		t.Fatal(err)
	}
	b := browser(t)
	do(t, b, "se connecter et arriver sur son portefeuille",
		chromedp.Navigate(p.url+"/connexion"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), adviser),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Portefeuille"]`)),
	)
	if got := mainText(t, b); !strings.Contains(got, "Communauté de Communes Pays de Forcalquier Montagne de Lure") || !strings.Contains(got, "Couverture du département 04") {
		t.Fatalf("portefeuille sans la convention de sa Caf ni la couverture :\n%s", got)
	}
	if row := coverageRow(t, b, "planned"); !strings.HasPrefix(row, "En préparation 0 0 0") {
		t.Errorf("en préparation avant : %s", row)
	}
	checkPageAccessibility(t, b, axe, "portefeuille")

	do(t, b, "chercher l'intercommunalité de Digne",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Nouvelle convention"]`)),
		chromedp.WaitVisible(chromedp.ID("n-q")),
		chromedp.SendKeys(chromedp.ID("n-q"), "Digne-les-Bains"),
		chromedp.Click(button("Rechercher")),
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="CA Provence-Alpes-Agglomération"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Nouvelle convention — CA Provence-Alpes-Agglomération")]`)),
	)
	caf, err := chromedp.Run(b, chromedp.Value(chromedp.ID("n-caf-nom")))
	if err != nil || caf != caf04 {
		t.Errorf("Caf proposée : %q (%v)", caf, err)
	}
	if msa, _ := chromedp.Run(b, chromedp.Value(chromedp.ID("n-msa"))); msa != "Mutualité Sociale Agricole Alpes Vaucluse" {
		t.Errorf("MSA proposée : %q", msa)
	}
	checkPageAccessibility(t, b, axe, "nouvelle-convention")
	do(t, b, "créer la convention en projet",
		chromedp.Click(button("Créer la convention en projet")),
		says("créée en projet"),
	)
	communes, population := tally(t, p, digne)
	do(t, b, "revenir à son portefeuille",
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Portefeuille"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Portefeuille"]`)),
	)
	if got := mainText(t, b); !strings.Contains(got, "CA Provence-Alpes-Agglomération") || !strings.Contains(got, "projet") {
		t.Errorf("la nouvelle convention manque au portefeuille :\n%s", got)
	}
	if row, want := coverageRow(t, b, "planned"), flat("En préparation 1 "+itoa(communes)+" "+population); !strings.HasPrefix(row, want) {
		t.Errorf("en préparation après le projet : %q, attendu %q…", row, want)
	}

	do(t, b, "lire le brouillon d'une convention signée",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Lire un brouillon depuis une convention signée"]`)),
		chromedp.WaitVisible(chromedp.ID("b-fichier")),
		chromedp.SetUploadFiles(chromedp.ID("b-fichier"), []string{pdf}),
		chromedp.Click(button("Lire le brouillon")),
		chromedp.WaitVisible(chromedp.ID("avant-signature")),
	)
	// The whole report, its closed groups included.
	report, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("main").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Communauté de Communes Haute-Provence - Pays de Banon", banon, caf04, "1er janvier 2022", "31 décembre 2024",
		"À vérifier en priorité", "Avant signature : ce qui manque", "page 1, ligne"} {
		if !strings.Contains(report, want) {
			t.Errorf("rapport du brouillon sans « %s »", want)
		}
	}
	// Nothing the text sent does not say: the seed's names it no longer
	// holds are nowhere in the report.
	sent := flat(variant)
	for _, name := range []string{"Communauté de Communes Pays de Forcalquier Montagne de Lure", "Commune de Limans", "Commune de Forcalquier", "Saint-Etienne les Orgues", "240400440"} {
		if strings.Contains(sent, name) {
			t.Fatalf("la variante tient encore « %s »", name)
		}
		if strings.Contains(flat(report), name) {
			t.Errorf("le brouillon tient « %s », absent du texte envoyé", name)
		}
	}
	checkPageAccessibility(t, b, axe, "brouillon-relu")
	do(t, b, "créer la convention lue",
		chromedp.Click(chromedp.Search(`//main//button[starts-with(normalize-space(), "Créer la convention (signée le")]`)),
		says("créée depuis le texte signé"),
		chromedp.Click(chromedp.Search(`//header//a[normalize-space()="Portefeuille"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Portefeuille"]`)),
	)
	if got := mainText(t, b); !strings.Contains(got, "Pays de Banon") {
		t.Errorf("la convention lue manque au portefeuille :\n%s", got)
	}
	// Signed for 2022-2024 and ended since, like Forcalquier's.
	banonCommunes, _ := tally(t, p, banon)
	forcalquierCommunes, _ := tally(t, p, "240400440")
	if row, want := coverageRow(t, b, "ended"), flat("Échue 2 "+itoa(banonCommunes+forcalquierCommunes))+" "; !strings.HasPrefix(row, want) {
		t.Errorf("échue après la convention lue : %q, attendu %q…", row, want)
	}
	checkPageAccessibility(t, b, axe, "portefeuille-apres")
}

func itoa(n int) string { return coverage.Number(n) }

// flat writes a text's spaces (narrow, non-breaking) as single spaces,
// as the page's text is read.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }
