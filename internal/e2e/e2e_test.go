package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdftext"
	"github.com/ctg-territoires/ctg/internal/web"
)

const (
	slug     = examples.ForcalquierSlug
	password = "mot de passe de test"
)

// platform is a real ctg server over SQLite with two accounts: a CTG
// coordinator (editor) and a Caf adviser (admin of the convention).
type platform struct {
	url string
	svc *app.Service
}

func startPlatform(t *testing.T) *platform {
	t.Helper()
	ctx := context.Background()
	svc := apptest.New(t)
	for email, role := range map[string]auth.Role{"coordinatrice@exemple.fr": auth.RoleEditor, "conseiller@exemple.fr": auth.RoleAdmin} {
		if _, err := svc.AddUser(ctx, app.NewUser{Email: email, Name: strings.Split(email, "@")[0], Password: password}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Grant(ctx, auth.System, email, auth.Membership{Convention: slug, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	h, err := web.New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "e2e")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &platform{url: srv.URL, svc: svc}
}

func (p *platform) convention(t *testing.T) *model.Convention {
	c, err := p.svc.Convention(context.Background(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// missing skips the test for lack of a tool, or fails it when
// CTG_REQUIRE_BROWSER=1 says the browser tests must run.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CTG_REQUIRE_BROWSER") == "1" {
		t.Fatal(what)
	}
	t.Skip(what + " : tests dans le navigateur ignorés")
}

// axeCore reads the axe-core script that the accessibility checks run.
func axeCore(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile("../../tools/e2e/node_modules/axe-core/axe.min.js")
	if err != nil {
		missing(t, "axe-core absent (cd tools/e2e && npm ci)")
	}
	return axe
}

// browser starts headless Chromium and returns a context for its first tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		missing(t, "chromium introuvable (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// Room for the longest walk (every page checked by axe) on a shared,
	// loaded machine; each action has its own minute (see do).
	ctx, cancelTimeout := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("démarrage de chromium : %v", err)
	}
	return ctx
}

// signIn fills the sign-in form as a person would.
func signIn(base, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/connexion"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		// The list of one's conventions, or the portfolio of those who
		// follow several.
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Mes conventions") or normalize-space()="Portefeuille"]`)),
	)
}

// text reads the visible text of the first node matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("%s : %v", sel, err)
	}
	return s
}

func TestCoordinatorUpdatesAStepAndSeesItInHistory(t *testing.T) {
	p := startPlatform(t)
	ctx := browser(t)
	step := p.convention(t).Axes[1].Fiches[1].Steps[0]
	err := chromedp.Do(ctx,
		signIn(p.url, "coordinatrice@exemple.fr"),
		chromedp.Click(chromedp.Search(`//a[contains(., "Convention territoriale globale")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "Parties signataires")]`)),
		chromedp.Click(chromedp.Search(`//nav//a[contains(., "Plan d'actions")]`)),
		chromedp.Click(chromedp.Search(`//a[contains(., "Fiche 2.2")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Fiche action 2.2")]`)),
		chromedp.SetValue(chromedp.ID("statut-"+step.ID), "done"),
		chromedp.SendKeys(chromedp.ID("commentaire-"+step.ID), "Bilan présenté au COPIL"),
		chromedp.Click(chromedp.CSS("#etape-"+step.ID+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.Search(`//table//td[contains(., "Fiche 2.2 – étape 1")]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	badge, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("statut-`+step.ID+`").selectedOptions[0].textContent`))
	if err != nil {
		t.Fatal(err)
	}
	history := text(t, ctx, "#historique table tbody")
	if strings.TrimSpace(badge) != "réalisée" {
		t.Errorf("avancement affiché : %q", badge)
	}
	if saved := text(t, ctx, "[role=status]"); !strings.Contains(saved, "Enregistré : modification de « Fiche 2.2 – étape 1 » — Avancement : en cours → réalisée") {
		t.Errorf("confirmation : %q", saved)
	}
	for _, want := range []string{"coordinatrice", "Fiche 2.2 – étape 1", "Avancement", "en cours", "réalisée", "Bilan présenté au COPIL"} {
		if !strings.Contains(history, want) {
			t.Errorf("%q absent de l'historique : %q", want, history)
		}
	}
	saveScreenshot(t, ctx, "fiche-2.2")
}

func TestConcurrentEditShowsTheConflict(t *testing.T) {
	p := startPlatform(t)
	first := browser(t)
	// A second browser context: separate cookies, as another person.
	second, cancel := chromedp.NewContext(first, chromedp.WithNewBrowserContext())
	defer cancel()
	// The notes of the steering committee are follow-up: editable on the
	// signed convention.
	copil := p.convention(t).Committees[0]
	form := p.url + "/c/" + slug + "/modifier/committee/" + copil.ID
	open := chromedp.Steps(chromedp.Navigate(form), chromedp.WaitVisible(chromedp.ID("champ-notes")))
	if err := chromedp.Do(first, signIn(p.url, "coordinatrice@exemple.fr"), open); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(second, signIn(p.url, "conseiller@exemple.fr"), open,
		chromedp.SetValue(chromedp.ID("champ-notes"), "Réunion de mars reportée en avril"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("[role=status]")))
	if err != nil {
		t.Fatal(err)
	}
	if saved := text(t, second, "[role=status]"); !strings.Contains(saved, "Enregistré") {
		t.Fatalf("second navigateur : %q", saved)
	}
	err = chromedp.Do(first,
		chromedp.SetValue(chromedp.ID("champ-notes"), "Réunion de mars maintenue"),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID("conflit")))
	if err != nil {
		t.Fatal(err)
	}
	conflict := text(t, first, "#conflit")
	kept, err := chromedp.Run(first, chromedp.Value(chromedp.ID("champ-notes")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"modifié par quelqu'un d'autre", "Réunion de mars reportée en avril", "conseiller"} {
		if !strings.Contains(conflict, want) {
			t.Errorf("%q absent du message de conflit : %q", want, conflict)
		}
	}
	if strings.Contains(conflict, "Composition") {
		t.Errorf("un champ inchangé est signalé comme modifié : %q", conflict)
	}
	if kept != "Réunion de mars maintenue" {
		t.Errorf("la saisie n'a pas été conservée : %q", kept)
	}
	saveScreenshot(t, first, "conflit")
	if got := p.convention(t).Committees[0].Notes; got != "Réunion de mars reportée en avril" {
		t.Errorf("notes enregistrées : %q", got)
	}
}

// axeRun runs axe-core in the page and returns its violations and the
// number of rules that passed.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify({
	passes: r.passes.length,
	violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: String(v.nodes[0].target)}))}))`

type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// axeViolation is what axe-core reports for one rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  int    `json:"nodes"`
	Target string `json:"target"`
}

func TestEveryPageHasNoSeriousAccessibilityViolation(t *testing.T) {
	axe := axeCore(t)
	p := startPlatform(t)
	ctx := browser(t)
	c := p.convention(t)
	base := p.url + "/c/" + slug
	pages := []string{
		p.url + "/",
		p.url + "/connexion",
	}
	signedIn := []string{
		p.url + "/conventions", p.url + "/conventions?texte=forcalquier", p.url + "/couverture?departement=04&au=2023-06-30", p.url + "/couverture?departement=99", p.url + "/compte", p.url + "/taches", p.url + "/admin/comptes", p.url + "/admin/courriels", p.url + "/admin/organisations", base, base + "/diagnostic", base + "/plan", base + "/plan?statut=in_progress",
		p.url + "/conventions", p.url + "/portefeuille", p.url + "/portefeuille?au=2023-06-30&departement=04", p.url + "/couverture?departement=04&au=2023-06-30", p.url + "/couverture?departement=99", p.url + "/compte", p.url + "/taches", p.url + "/admin/comptes", p.url + "/admin/courriels", base, base + "/diagnostic", base + "/plan", base + "/plan?statut=in_progress",
		base + "/fiches/2.2", base + "/fiches/7.1", base + "/equipements", base + "/equipements?commune=04206", base + "/gouvernance",
		base + "/texte", base + "/recherche?q=logement", base + "/historique", base + "/membres", base + "/controles", base + "/vie",
		base + "/indicateurs", base + "/indicateurs/2.2-1", base + "/indicateurs/2.1-4", base + "/collecte?annee=2024", base + "/collecte/saisie?annee=2024",
		base + "/modifier/fiche/" + c.Axes[1].Fiches[1].ID, base + "/modifier/step/" + c.Axes[1].Fiches[1].Steps[0].ID,
		base + "/modifier/equipment/" + c.Equipments[0].ID, base + "/modifier/authorization/" + c.Parties[1].Authorization.ID,
		base + "/modifier/convention/" + c.ID, base + "/documents", base + "/modifier/article/" + c.Articles[11].ID, base + "/avenants", base + "/avenants/1", base + "/versions", base + "/texte?a=2023-03-15",
		p.url + "/c/" + slug + "--avenant-1/plan",
		base + "/calendrier", base + "/calendrier?type=step",
		p.url + "/brouillon",
		p.url + "/conventions/nouvelle", p.url + "/conventions/nouvelle?q=Forcalquier", p.url + "/conventions/nouvelle?epci=240400440",
	}
	// Avenant n° 1 in preparation, for its page and its working copy.
	if _, err := p.svc.PrepareAmendment(context.Background(), auth.System, slug, "Fiches actions des axes 5 et 6"); err != nil {
		t.Fatal(err)
	}
	// A message in the outbox, for its page.
	if err := p.svc.Enqueue(context.Background(), app.Outgoing{To: "membre@exemple.fr", Subject: "Invitation à rejoindre la convention", Text: "Bonjour,\nvoici le lien."}); err != nil {
		t.Fatal(err)
	}
	if outbox, err := p.svc.Outbox(context.Background(), &auth.Actor{PlatformAdmin: true}, 1); err != nil || len(outbox) != 1 {
		t.Fatal(err)
	} else {
		signedIn = append(signedIn, p.url+"/admin/courriels/"+outbox[0].ID)
	}
	// An organization of the directory, with its conventions and accounts.
	if list, err := p.svc.DirectoryEntries(context.Background(), &auth.Actor{PlatformAdmin: true}); err != nil || len(list) == 0 {
		t.Fatal(err)
	} else {
		signedIn = append(signedIn, p.url+"/admin/organisations/"+list[0].ID)
	}
	// The documents page with a document in each group.
	for _, in := range []app.DocumentInput{{Name: "convention-signee.pdf", Title: "Original signé"},
		{OwnerKind: model.OwnerAuthorization, OwnerKey: "limans", Name: "deliberation-limans.pdf"}} {
		in.Content = strings.NewReader("%PDF-1.4\n%%EOF\n")
		if _, err := p.svc.AttachDocument(context.Background(), auth.System, slug, in); err != nil {
			t.Fatal(err)
		}
	}
	// A held COPIL with attendance, a decision and its action, for the meetings pages.
	ctx0 := context.Background()
	m, err := p.svc.SaveMeeting(ctx0, auth.System, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2025-10-14", StartTime: "14:30",
		Place: "Mairie de Forcalquier", Status: "held", Agenda: []string{"Bilan 2024", "Étapes en retard"}, Minutes: "Séance ouverte à 14 h 30."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.RecordAttendance(ctx0, auth.System, slug, m.ID, app.AttendanceInput{Organization: "caf04", Status: "represented", RepresentedBy: "Mme Durand"}); err != nil {
		t.Fatal(err)
	}
	d, err := p.svc.SaveDecision(ctx0, auth.System, slug, m.ID, app.DecisionInput{Text: "Relancer la démarche", ObjectKind: "fiche", ObjectKey: "2.2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.SaveAction(ctx0, auth.System, slug, m.ID, d.ID, app.ActionInput{Text: "Écrire aux familles", Organization: "caf04", DueOn: "2025-01-31"}); err != nil {
		t.Fatal(err)
	}
	signedIn = append(signedIn, base+"/reunions", base+"/reunions/nouvelle", base+"/reunions/"+m.ID)
	// The communication page with an event to answer and a party's logo.
	if _, err := p.svc.SaveEventRequest(ctx0, auth.System, slug, "", app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration",
		Title: "Crèche rénovée", ProposedDate: "2025-06-14"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.PutLogo(ctx0, auth.System, slug, app.LogoInput{Organization: "caf04", Name: "caf.svg",
		Content: strings.NewReader(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"><rect width="2" height="1" fill="#036"/></svg>`)}); err != nil {
		t.Fatal(err)
	}
	signedIn = append(signedIn, base+"/communication")
	// A data-exchange request in study, for the article 7 pages.
	req, err := p.svc.FileDataRequest(ctx0, auth.System, slug, app.DataRequestInput{Requester: "cc-pflm", Holder: "caf04", Title: "Familles allocataires",
		DataCategories: "composition du foyer", Purpose: "tarification", LegalBasis: "public_task", Persons: "allocataires", Retention: "un an",
		Recipients: "service enfance", Security: "dépôt chiffré"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.AdvanceDataRequest(ctx0, auth.System, slug, req.ID, app.StepStudy, app.DataRequestStep{}); err != nil {
		t.Fatal(err)
	}
	signedIn = append(signedIn, base+"/echanges-donnees", base+"/echanges-donnees/nouvelle", base+"/echanges-donnees/"+req.ID, base+"/registre-art30")
	audit := func(url string) (axeResult, error) {
		var res axeResult
		err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
		if err == nil {
			_, err = chromedp.Run(ctx, chromedp.Evaluate[any](string(axe)))
		}
		var raw string
		if err == nil {
			raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
		}
		if err == nil {
			err = json.Unmarshal([]byte(raw), &res)
		}
		return res, err
	}
	check := func(url string) {
		res, err := audit(url)
		if err != nil {
			t.Errorf("%s : %v", url, err)
			return
		}
		if res.Passes == 0 {
			t.Errorf("%s : axe n'a vérifié aucune règle", url)
		}
		serious := 0
		for _, v := range res.Violations {
			if v.Impact == "serious" || v.Impact == "critical" {
				serious++
				t.Errorf("%s : %s (%s) — %s, %d élément(s), ex. %s", strings.TrimPrefix(url, p.url), v.ID, v.Impact, v.Help, v.Nodes, v.Target)
			}
		}
		t.Logf("axe %s : %d violation(s), dont %d graves ou critiques", strings.TrimPrefix(url, p.url), len(res.Violations), serious)
	}
	// The engine itself must catch known violations, or the checks below
	// would prove nothing.
	bad, err := audit(`data:text/html,<html><body><img src="x.png"><input type="text"></body></html>`)
	if err != nil {
		t.Fatal(err)
	}
	caught := map[string]bool{}
	for _, v := range bad.Violations {
		caught[v.ID] = true
	}
	if !caught["image-alt"] || !caught["html-has-lang"] {
		t.Fatalf("axe ne détecte pas les défauts d'une page témoin : %+v", bad.Violations)
	}
	for _, u := range pages {
		check(u)
	}
	if err := chromedp.Do(ctx, signIn(p.url, "conseiller@exemple.fr")); err != nil {
		t.Fatal(err)
	}
	for _, u := range signedIn {
		check(u)
		saveScreenshot(t, ctx, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(strings.TrimPrefix(u, p.url)))
	}
	// The report of a signed convention's PDF, sent on the upload page.
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext absent : page du brouillon lu d'un PDF non vérifiée")
		return
	}
	seed, err := os.ReadFile("../draft/testdata/ctg-forcalquier-2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	pdf := filepath.Join(t.TempDir(), "convention-signee.pdf")
	if err := os.WriteFile(pdf, pdftext.FromText(t, string(seed)), 0o644); err != nil {
		t.Fatal(err)
	}
	// The upload page and its report are a platform administrator's.
	if _, err := p.svc.AddUser(context.Background(), app.NewUser{Email: "plateforme@exemple.fr", Name: "Plateforme", Password: password, PlatformAdmin: true}); err != nil {
		t.Fatal(err)
	}
	adm := browser(t)
	do(t, adm, "connexion de l'administrateur·rice de la plateforme", signIn(p.url, "plateforme@exemple.fr"),
		chromedp.Navigate(p.url+"/brouillon"), chromedp.WaitVisible(chromedp.ID("b-fichier")))
	checkPageAccessibility(t, adm, axe, "brouillon")
	do(t, adm, "lecture du PDF d'une convention signée", chromedp.Navigate(p.url+"/brouillon"), chromedp.WaitVisible(chromedp.ID("b-fichier")),
		chromedp.SetUploadFiles(chromedp.ID("b-fichier"), []string{pdf}), chromedp.Click(button("Lire le brouillon")),
		chromedp.WaitVisible(chromedp.ID("avant-signature")))
	checkPageAccessibility(t, adm, axe, "brouillon-pdf")
}

// saveScreenshot writes a full-page PNG to $CTG_SCREENSHOTS, when set, so
// that a person can look at the pages the tests saw.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("CTG_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("capture %s : %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err == nil {
		_ = os.WriteFile(filepath.Join(dir, strings.Trim(name, "_")+".png"), png, 0o644)
	}
}

// pageWidths measures the page and the window, and names the first
// elements that stick out of the window, to tell what to fix.
const pageWidths = `(() => {
	const win = document.documentElement.clientWidth, wide = [];
	for (const el of document.body.querySelectorAll("*")) {
		if (wide.length >= 5) break;
		const r = el.getBoundingClientRect();
		let boxed = false;
		for (let p = el.parentElement; p && !boxed; p = p.parentElement) boxed = getComputedStyle(p).overflowX !== "visible";
		if (r.right > win + 1 && !boxed) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " (" + Math.round(r.right) + " px)");
	}
	return JSON.stringify({Page: document.documentElement.scrollWidth, Window: win, Wide: wide});
})()`

// TestPagesFitTheWindow measures, in the browser, that no page scrolls
// sideways in a 1,280 px window, nor the pages read on a phone in a 390 px
// one: wide tables scroll inside their own box.
func TestPagesFitTheWindow(t *testing.T) {
	p := startPlatform(t)
	ctx := browser(t)
	c := p.convention(t)
	base := p.url + "/c/" + slug
	desktop := []string{
		p.url + "/conventions", p.url + "/portefeuille", p.url + "/compte", p.url + "/taches", p.url + "/admin/comptes", p.url + "/admin/courriels", base, base + "/diagnostic", base + "/plan", base + "/fiches/2.2", base + "/fiches/7.1",
		base + "/equipements", base + "/gouvernance", base + "/texte", base + "/recherche?q=logement", base + "/historique",
		base + "/membres", base + "/controles", base + "/vie", base + "/indicateurs", base + "/indicateurs/2.2-1", base + "/collecte?annee=2024",
		base + "/collecte/saisie?annee=2024", base + "/modifier/fiche/" + c.Axes[1].Fiches[1].ID,
		base + "/modifier/step/" + c.Axes[1].Fiches[1].Steps[0].ID, base + "/modifier/equipment/" + c.Equipments[0].ID,
		base + "/modifier/committee/" + c.Committees[0].ID, base + "/modifier/convention/" + c.ID, p.url + "/nulle-part",
	}
	phone := []string{p.url + "/couverture?departement=04&au=2023-06-30", base, base + "/plan", base + "/fiches/2.2", base + "/fiches/7.1", base + "/indicateurs", base + "/equipements", p.url + "/taches", base + "/vie", base + "/calendrier"}
	if err := chromedp.Do(ctx, signIn(p.url, "conseiller@exemple.fr")); err != nil {
		t.Fatal(err)
	}
	measure := func(width int64, url string) {
		var widths struct {
			Page, Window int
			Wide         []string
		}
		err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
		if err == nil {
			var raw string
			raw, err = chromedp.Run(ctx, chromedp.Evaluate[string](pageWidths))
			if err == nil {
				err = json.Unmarshal([]byte(raw), &widths)
			}
		}
		if err != nil {
			t.Errorf("%s : %v", url, err)
			return
		}
		if widths.Page > widths.Window {
			t.Errorf("%s à %d px : la page fait %d px de large pour %d px de fenêtre ; dépassent : %s", strings.TrimPrefix(url, p.url), width, widths.Page, widths.Window, strings.Join(widths.Wide, ", "))
			saveScreenshot(t, ctx, fmt.Sprintf("largeur-%d%s", width, strings.NewReplacer("/", "_", "?", "_", "=", "_").Replace(strings.TrimPrefix(url, p.url))))
		}
	}
	for _, u := range desktop {
		measure(1280, u)
	}
	for _, u := range phone {
		measure(390, u)
	}
}
