package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
)

// The people of the coordinator's year.
const (
	coordinator        = "coordination@exemple.fr"
	contributor        = "conseillere.caf@exemple.fr"
	contributorName    = "Inès Conseillère Caf"
	contributorSecret  = "lavande et sarriette sur la montagne"
	cafName            = "Caisse d’Allocations Familiales des Alpes de Haute-Provence"
	returnReason       = "Comptez aussi les droits ouverts en décembre"
	assessment2024Text = "Campagne 2024 menée avec la Caf : 318 allocataires contactés, 74 droits ouverts. Poursuivre en 2025 auprès des communes de la montagne de Lure."
)

// labelled selects the form control whose label reads exactly text, as a
// person finds a field (ids with dots are awkward in CSS).
func labelled(text string) chromedp.Search {
	return chromedp.Search(`//*[@id=//label[normalize-space()="` + text + `"]/@for]`)
}

// button selects a button by its visible text.
func button(text string) chromedp.Search {
	return chromedp.Search(`//main//button[normalize-space()="` + text + `"]`)
}

// says waits for the confirmation of the page that follows a form: a
// status that reads text (the page left may hold another one).
func says(text string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(chromedp.Search(`//*[@role="status"][contains(., "` + text + `")]`))
}

// do runs the steps of one action of a person. When they do not go
// through (a wait that never ends), it fails with what the page shows,
// rather than at the end of the whole test's delay without a clue.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(step, steps...); err != nil {
		saveScreenshot(t, ctx, "annee-echec")
		read, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		page, _ := chromedp.Run(read, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s : %v\npage affichée :\n%s", what, err, page)
	}
}

// choose picks, in a drop-down list, the option a person reads.
func choose(t *testing.T, ctx context.Context, id, option string) {
	t.Helper()
	found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.getElementById(`+jsString(id)+`);
		const o = s && [...s.options].find(o => o.textContent.trim() === `+jsString(option)+`);
		if (!o) return false;
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`))
	if err != nil || !found {
		t.Fatalf("liste %s : option %q introuvable (%v)", id, option, err)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// mainText reads the visible text of the main part of the current page.
func mainText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return text(t, ctx, "main")
}

// checkPageAccessibility runs axe-core on the page as it stands, in the
// state the story brought it to (forms with their values, confirmations).
func checkPageAccessibility(t *testing.T, ctx context.Context, axe []byte, name string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe)))
	var raw string
	if err == nil {
		raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	}
	var res axeResult
	if err == nil {
		err = json.Unmarshal([]byte(raw), &res)
	}
	if err != nil {
		t.Errorf("axe sur %s : %v", name, err)
		return
	}
	if res.Passes == 0 {
		t.Errorf("axe sur %s n'a vérifié aucune règle", name)
	}
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s : %s (%s) — %s, %d élément(s), ex. %s", name, v.ID, v.Impact, v.Help, v.Nodes, v.Target)
		}
	}
	saveScreenshot(t, ctx, "annee-"+name)
}

// fetchPDF downloads a PDF with the cookies of the browser context, as
// the link on the page does, and returns its text read by pdftotext.
func fetchPDF(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		missing(t, "pdftotext introuvable (apt-get install poppler-utils)")
	}
	encoded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+jsString(url)+`).then(r => {
		if (!r.ok || r.headers.get("Content-Type") !== "application/pdf") throw new Error("statut " + r.status + ", " + r.headers.get("Content-Type"));
		return r.arrayBuffer();
	}).then(b => {
		const u = new Uint8Array(b);
		let s = "";
		for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
		return btoa(s);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("téléchargement de %s : %v", url, err)
	}
	pdf, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext : %v", err)
	}
	return string(out)
}

// ficheLines returns, from the text of a bilan, the lines of the table of
// indicators of a fiche's page, by indicator code.
func ficheLines(t *testing.T, bilan, fiche string, codes []string) map[string]string {
	t.Helper()
	start := strings.LastIndex(bilan, "Fiche "+fiche+" – ")
	if start < 0 {
		t.Fatalf("la fiche %s est absente du bilan", fiche)
	}
	part := bilan[start:]
	if end := strings.Index(part, "Légende"); end >= 0 {
		part = part[:end]
	}
	lines := map[string]string{}
	for _, l := range strings.Split(part, "\n") {
		for _, c := range codes {
			if strings.HasPrefix(l, c+" – ") && lines[c] == "" {
				lines[c] = l
			}
		}
	}
	for _, c := range codes {
		if lines[c] == "" {
			t.Fatalf("ligne de l'indicateur %s absente de la fiche %s du bilan :\n%s", c, fiche, part)
		}
	}
	return lines
}

// lastFictive is the last figure marked "(fictive)" of a line of the
// bilan: the value of its last year.
var lastFictive = regexp.MustCompile(`([0-9][0-9 ,.\x{202f}\x{a0}]*) \(fictive\)\s*$`)

// TestCoordinatorsYear does the yearly job with the bundled example, as
// people would, through the pages only: the coordinator gives fiche 2.2's
// indicators to the Caf and invites its adviser; the adviser enters the
// 2024 values over the synthetic ones and submits them at once; the
// coordinator returns one and validates the rest in bulk; the adviser
// corrects it; the coordinator validates it, writes the fiche's
// assessment, and the 2024 bilan shows the figures and the assessment.
func TestCoordinatorsYear(t *testing.T) {
	axe := axeCore(t)
	p := startPlatform(t)
	ctx := context.Background()
	// The coordinator of the CTG, at the intercommunality, administers the
	// convention: the one account the platform is given.
	if _, err := p.svc.AddUser(ctx, app.NewUser{Email: coordinator, Name: "Coordinatrice CTG", Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := p.svc.Grant(ctx, auth.System, coordinator, auth.Membership{Convention: slug, Role: auth.RoleAdmin, Organization: "cc-pflm"}); err != nil {
		t.Fatal(err)
	}
	coord := browser(t)
	bilanURL := p.url + "/c/" + slug + "/bilan.pdf?annee=2024"
	codes := []string{"2.2-1", "2.2-2", "2.2-3", "2.2-4"}
	tasks := chromedp.Click(chromedp.Search(`//header//a[contains(., "Mes tâches")]`))

	// Before: the 2024 column of fiche 2.2 in the bilan holds synthetic values.
	do(t, coord, "connexion de la coordinatrice", signIn(p.url, coordinator))
	fictive := map[string]string{}
	for c, l := range ficheLines(t, fetchPDF(t, coord, bilanURL), "2.2", codes) {
		m := lastFictive.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("bilan avant la collecte : pas de valeur fictive 2024 pour %s : %q", c, l)
		}
		fictive[c] = strings.TrimSpace(m[1]) + " (fictive)"
	}

	// 1. The coordinator gives fiche 2.2's indicators to the Caf on the
	// collection page: the example names no pilot for the fiche.
	do(t, coord, "page de la collecte",
		chromedp.Click(chromedp.Search(`//a[contains(., "Convention territoriale globale")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Parties signataires")]`)),
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Indicateurs"]`)),
		chromedp.Click(chromedp.Search(`//main//a[contains(., "Avancement de la collecte par organisation")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Collecte des valeurs")]`)))
	if page := mainText(t, coord); !strings.Contains(page, "sans organisation responsable") {
		t.Errorf("la page de collecte ne signale pas les indicateurs sans organisation responsable : %q", page)
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, c := range codes {
		steps = append(steps, chromedp.Click(labelled("Choisir l'indicateur "+c)))
	}
	do(t, coord, "choix des indicateurs", steps...)
	choose(t, coord, "resp-org", cafName)
	do(t, coord, "attribution des indicateurs", chromedp.Click(button("Confier les indicateurs cochés")), says("4 indicateur(s) confié(s) à Caisse"))
	for _, c := range codes {
		row, err := chromedp.Run(coord, chromedp.Text(chromedp.Search(`//table//tr[td/a[normalize-space()="`+c+`"]]`)))
		if err != nil || !strings.Contains(row, cafName) {
			t.Errorf("l'indicateur %s n'est pas confié à la Caf : %q (%v)", c, row, err)
		}
	}
	// … and invites the Caf's adviser on the Membres page.
	do(t, coord, "page des membres",
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Membres"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Inviter une personne")]`)),
		chromedp.SendKeys(chromedp.ID("m-email"), contributor))
	choose(t, coord, "m-role", "contributeur·rice")
	choose(t, coord, "m-org", cafName)
	do(t, coord, "invitation", chromedp.Click(button("Inviter")), says("Invitation créée pour "+contributor))
	checkPageAccessibility(t, coord, axe, "membres-invitation")
	link, err := chromedp.Run(coord, chromedp.Value(chromedp.ID("lien-a-transmettre")))
	if err != nil || !strings.HasPrefix(link, p.url+"/invitation?jeton=") {
		t.Fatalf("lien d'invitation : %q (%v)", link, err)
	}

	// 2. The adviser opens the link in her own browser (other cookies),
	// chooses her name and password, and lands signed in.
	contrib, cancel := chromedp.NewContext(coord, chromedp.WithNewBrowserContext())
	defer cancel()
	// Open her tab on her own context: a tab lives as long as the context
	// it was first used with.
	if err := chromedp.Do(contrib); err != nil {
		t.Fatal(err)
	}
	do(t, contrib, "page de l'invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("l-name")))
	if page := mainText(t, contrib); !strings.Contains(page, contributor) || !strings.Contains(page, "Convention territoriale globale") {
		t.Errorf("la page de l'invitation ne dit pas à qui ni pour quoi : %q", page)
	}
	checkPageAccessibility(t, contrib, axe, "invitation")
	do(t, contrib, "activation du compte",
		chromedp.SendKeys(chromedp.ID("l-name"), contributorName),
		chromedp.SendKeys(chromedp.ID("l-password"), contributorSecret),
		chromedp.SendKeys(chromedp.ID("l-confirm"), contributorSecret),
		chromedp.Click(button("Activer mon compte")),
		chromedp.WaitVisible(chromedp.Search(`//header//a[normalize-space()="`+contributorName+`"]`)),
		// She lands on her tasks: the four indicators of fiche 2.2 for 2024.
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Mes tâches"]`)))
	page := mainText(t, contrib)
	for _, want := range append([]string{"Pour " + cafName, "Valeurs 2024 à saisir (4 indicateur(s))"}, codes...) {
		if !strings.Contains(page, want) {
			t.Errorf("%q absent de ses tâches : %q", want, page)
		}
	}
	checkPageAccessibility(t, contrib, axe, "taches-a-saisir")
	// She fills the browser form, over the synthetic values…
	do(t, contrib, "saisie en ligne",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Saisir en ligne"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Saisie 2024")]`)),
		chromedp.SendKeys(labelled("Valeur 2.2-1 2024"), "318"),
		chromedp.SendKeys(labelled("Valeur 2.2-2 2024"), "71"),
		chromedp.SendKeys(labelled("Valeur 2.2-3 2024"), "512,40"),
		chromedp.SendKeys(labelled("Valeur 2.2-4 2024"), "39"),
		chromedp.SendKeys(labelled("Source 2.2-1 2024"), "Requête Caf, décembre 2024"),
		chromedp.Click(button("Enregistrer en brouillon")),
		says("4 valeur(s) enregistrée(s) en brouillon"))
	checkPageAccessibility(t, contrib, axe, "saisie-brouillons")
	// … and submits them in one action.
	do(t, contrib, "soumission des brouillons",
		chromedp.Click(button("Soumettre les 4 brouillons de "+cafName+" (2024) pour validation")),
		says("4 valeurs soumises pour validation"))

	// 3. The coordinator sees the four values waiting in her tasks,
	// returns one with a reason…
	do(t, coord, "valeurs à valider", tasks, chromedp.WaitVisible(chromedp.Search(`//h3[contains(., "Valeurs à valider (4)")]`)))
	checkPageAccessibility(t, coord, axe, "taches-a-valider")
	do(t, coord, "renvoi d'une valeur",
		chromedp.Click(labelled("Choisir la valeur 2024 de l'indicateur 2.2-2")),
		chromedp.SendKeys(chromedp.CSS(`input[name=reason]`), returnReason),
		chromedp.Click(button("Renvoyer les valeurs cochées")),
		says("1 valeur renvoyée avec le motif indiqué"))
	// … and validates the three others at once on the collection page.
	do(t, coord, "valeurs 2024 à valider sur la page de la collecte",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="avancement de la collecte"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Valeurs 2024 à valider")]`)))
	checkPageAccessibility(t, coord, axe, "collecte-a-valider")
	steps = nil
	for _, c := range []string{"2.2-1", "2.2-3", "2.2-4"} {
		steps = append(steps, chromedp.Click(labelled("Choisir la valeur 2024 de l'indicateur "+c)))
	}
	do(t, coord, "validation en lot", append(steps, chromedp.Click(button("Valider les valeurs cochées")), says("3 valeurs validées"))...)

	// 4. The adviser sees the returned value with its reason, corrects it
	// and submits it.
	do(t, contrib, "valeur renvoyée", tasks, chromedp.WaitVisible(chromedp.Search(`//h3[contains(., "Valeurs renvoyées à corriger (1)")]`)))
	if page := mainText(t, contrib); !strings.Contains(page, "motif : "+returnReason) {
		t.Errorf("le motif du renvoi n'est pas montré : %q", page)
	}
	checkPageAccessibility(t, contrib, axe, "taches-renvoyee")
	do(t, contrib, "correction",
		chromedp.Click(chromedp.Search(`//main//a[contains(., "Corriger 2.2-2 – 2024")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[normalize-space()="Corriger une valeur"]`)),
		chromedp.Clear(chromedp.ID("v-value")),
		chromedp.SendKeys(chromedp.ID("v-value"), "74"),
		chromedp.SendKeys(chromedp.ID("v-comment"), "Droits de décembre ajoutés"),
		chromedp.Click(button("Enregistrer en brouillon")),
		says("Enregistré"))
	do(t, contrib, "soumission de la correction",
		chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Soumettre la valeur 2024"]`)),
		chromedp.WaitVisible(chromedp.Search(`//main//table//tr[td[normalize-space()="2024"]][contains(., "soumise")]`)))

	// The coordinator validates it from her tasks.
	do(t, coord, "validation de la correction", tasks,
		chromedp.WaitVisible(chromedp.Search(`//h3[contains(., "Valeurs à valider (1)")]`)),
		chromedp.Click(labelled("Choisir la valeur 2024 de l'indicateur 2.2-2")),
		chromedp.Click(button("Valider les valeurs cochées")),
		says("1 valeur validée"))
	do(t, coord, "avancement de la collecte",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="avancement de la collecte"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Collecte des valeurs 2024")]`)))
	if row, err := chromedp.Run(coord, chromedp.Text(chromedp.Search(`//table//tr[td[starts-with(normalize-space(), "`+cafName+`")]]`))); err != nil || !strings.Contains(row, "complète et validée") {
		t.Errorf("la collecte 2024 de la Caf n'apparaît pas complète et validée : %q (%v)", row, err)
	}

	// 5. She writes the fiche's assessment for 2024 on the fiche's page.
	do(t, coord, "appréciation",
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Plan d'actions"]`)),
		chromedp.Click(chromedp.Search(`//a[contains(., "Fiche 2.2")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Appréciation 2024")]`)),
		chromedp.SendKeys(chromedp.ID("appreciation-texte"), assessment2024Text),
		chromedp.Click(button("Enregistrer l'appréciation 2024")),
		says("Appréciation 2024 enregistrée"))
	checkPageAccessibility(t, coord, axe, "fiche-appreciation")

	// 6. The 2024 bilan shows the validated figures and the assessment,
	// and no longer the synthetic 2024 values of these indicators.
	bilan := fetchPDF(t, coord, bilanURL)
	want := map[string]string{"2.2-1": "318", "2.2-2": "74", "2.2-3": "512,4", "2.2-4": "39"}
	for c, l := range ficheLines(t, bilan, "2.2", codes) {
		// The 2024 column is the last one.
		if !strings.HasSuffix(strings.TrimSpace(l), " "+want[c]) {
			t.Errorf("bilan 2024, %s : la valeur validée %s n'est pas celle de 2024 : %q", c, want[c], l)
		}
		if strings.HasSuffix(strings.TrimSpace(l), fictive[c]) {
			t.Errorf("bilan 2024, %s : la valeur fictive %q est restée : %q", c, fictive[c], l)
		}
	}
	fiche := bilan[strings.LastIndex(bilan, "Fiche 2.2 – "):]
	if end := strings.Index(fiche, "Étapes"); end >= 0 {
		fiche = fiche[:end]
	}
	if flat := strings.Join(strings.Fields(fiche), " "); !strings.Contains(flat, "Appréciation 2024 de la coordination "+assessment2024Text) {
		t.Errorf("l'appréciation 2024 est absente de la fiche 2.2 du bilan :\n%s", fiche)
	}
}
