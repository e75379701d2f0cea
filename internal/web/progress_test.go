package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// follow opens the page a save redirected to, as the browser would: with
// the cookies the save set.
func (e *testEnv) follow(t *testing.T, role string, saved *http.Response) (*http.Response, string) {
	t.Helper()
	loc := saved.Header.Get("Location")
	if saved.StatusCode != http.StatusSeeOther || loc == "" {
		t.Fatalf("pas de redirection après l'enregistrement : %d", saved.StatusCode)
	}
	req, err := http.NewRequest("GET", e.srv.URL+loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions[role].token})
	for _, c := range saved.Cookies() {
		if c.MaxAge >= 0 {
			req.AddCookie(c)
		}
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func TestPlanShowsLateStepsAndFicheStatesFromTheirSteps(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	// Fiche 3.1 has a step "En 2024" and a yearly step, both still planned.
	_, body := e.do(t, "lecteur", "GET", c+"/plan?statut=late&au=2025-06-01", nil)
	if !strings.Contains(body, "1 fiche(s) affichée(s)") || !strings.Contains(body, "Fiche 3.1 –") {
		t.Errorf("filtre « en retard » au 1er juin 2025 : fiche 3.1 attendue seule")
	}
	if !strings.Contains(body, `<span class="badge s-late">en retard</span></td>`) {
		t.Error("l'étape en retard n'est pas signalée dans le tableau des étapes")
	}
	_, body = e.do(t, "lecteur", "GET", c+"/plan?statut=late&au=2023-06-01", nil)
	if !strings.Contains(body, "0 fiche(s) affichée(s)") {
		t.Error("une étape est dite en retard avant son échéance")
	}
	// Fiche 2.2 is recorded "planned" but its first step is in progress.
	_, body = e.do(t, "lecteur", "GET", c+"/plan?au=2023-06-01", nil)
	if !regexp.MustCompile(`Fiche 2\.2 – [^<]*</a> <span class="badge s-in_progress">en cours</span>`).MatchString(body) {
		t.Error("la fiche 2.2 n'est pas « en cours » alors qu'une de ses étapes l'est")
	}
	_, body = e.do(t, "lecteur", "GET", c+"/plan?statut=in_progress&au=2023-06-01", nil)
	if !strings.Contains(body, "Fiche 2.2 –") {
		t.Error("le filtre « en cours » ne garde pas la fiche 2.2")
	}
	_, body = e.do(t, "lecteur", "GET", c+"/fiches/3.1?au=2025-06-01", nil)
	for _, want := range []string{`<span class="badge s-late">en retard</span> <span class="meta">d'après l'avancement de ses étapes</span>`, "échéance dépassée : 31 décembre 2024"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la fiche 3.1", want)
		}
	}
	// A status set on the fiche on purpose wins over its steps.
	fiche := e.record(t, "fiche", func(c *model.Convention) string { return c.Axes[2].Fiches[0].ID })
	resp, _ := e.do(t, "editeur", "POST", c+"/modifier/fiche/"+fiche.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(fiche.Version)}, "status": {"abandoned"}, "orig.status": {"planned"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification de la fiche : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", c+"/fiches/3.1?au=2025-06-01", nil)
	if !strings.Contains(body, `<span class="badge s-abandoned">abandonnée</span>`) || strings.Contains(body, "d'après l'avancement") {
		t.Error("l'avancement enregistré sur la fiche ne l'emporte pas")
	}
}

func TestProgressChangeTakesACommentAndIsConfirmed(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	fichePage := "/c/" + slug + "/fiches/2.2"
	_, body := e.do(t, "editeur", "GET", fichePage, nil)
	if !strings.Contains(body, `name="commentaire"`) {
		t.Fatal("pas de champ de commentaire avec l'avancement")
	}
	resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(step.Version)}, "status": {"done"}, "orig.status": {"in_progress"},
		"retour": {fichePage + "#etape-" + step.Target.Meta.ID}, "commentaire": {"Bilan présenté au COPIL de mars"}})
	_, body = e.follow(t, "editeur", resp)
	for _, want := range []string{
		`role="status"><p>Enregistré : modification de « Fiche 2.2 – étape 1 » — Avancement : en cours → réalisée, avec votre commentaire.</p>`,
		"Commentaire : « Bilan présenté au COPIL de mars »",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la fiche après l'enregistrement", want)
		}
	}
	// The confirmation is shown once.
	if _, body = e.do(t, "editeur", "GET", fichePage, nil); strings.Contains(body, "Enregistré :") {
		t.Error("la confirmation reste affichée")
	}
	hist, err := e.svc.History(context.Background(), auth.System, slug, []string{step.Target.Meta.ID}, 5)
	if err != nil || len(hist) == 0 || hist[0].Comment != "Bilan présenté au COPIL de mars" {
		t.Fatalf("commentaire absent de l'historique : %+v %v", hist, err)
	}
	// A comment alone is kept as a note.
	step = e.record(t, "step", step22)
	resp, _ = e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(step.Version)}, "status": {"done"}, "orig.status": {"done"},
		"retour": {fichePage}, "commentaire": {"Relancé pour 2025"}})
	_, body = e.follow(t, "editeur", resp)
	if !strings.Contains(body, "Enregistré : commentaire sur « Fiche 2.2 – étape 1 ».") || !strings.Contains(body, "Commentaire : « Relancé pour 2025 »") {
		t.Error("un commentaire seul n'est pas enregistré")
	}
	resp, body = e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(step.Version)}, "status": {"done"}, "commentaire": {strings.Repeat("long ", 120)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "commentaire trop long") {
		t.Errorf("commentaire trop long : %d", resp.StatusCode)
	}
}

func TestEverySaveIsConfirmed(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	c := "/c/" + slug
	fiche := e.record(t, "fiche", fiche22)
	// An edit form sent from its own page comes back to it, confirmed.
	resp, _ := e.do(t, "editeur", "POST", c+"/modifier/fiche/"+fiche.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(fiche.Version)}, "title": {"Aller vers les allocataires"}, "orig.title": {fiche.Values["title"]}})
	_, body := e.follow(t, "editeur", resp)
	// A long value is named, not quoted.
	if !strings.Contains(body, "Enregistré : modification de « Fiche 2.2 » — Titre.") {
		t.Errorf("pas de confirmation après la modification de la fiche : %s", statusBox(body))
	}
	resp, _ = e.do(t, "editeur", "POST", c+"/ajouter/step", url.Values{"parent": {fiche.Target.Meta.ID}, "text": {"Faire le point en COTECH"}, "status": {"planned"}})
	_, body = e.follow(t, "editeur", resp)
	if !strings.Contains(body, "Enregistré : ajout de « Fiche 2.2 – étape") {
		t.Errorf("pas de confirmation après un ajout : %s", statusBox(body))
	}
	cv, err := e.svc.Convention(context.Background(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	steps := cv.Axes[1].Fiches[1].Steps
	added := steps[len(steps)-1]
	resp, _ = e.do(t, "editeur", "POST", c+"/supprimer/step/"+added.ID, url.Values{"version": {strconv.Itoa(added.Version)}, "confirm": {"oui"}})
	_, body = e.follow(t, "editeur", resp)
	if !strings.Contains(body, "Enregistré : suppression de « Fiche 2.2 – étape") {
		t.Errorf("pas de confirmation après une suppression : %s", statusBox(body))
	}
}

// statusBox is the confirmation of a page, for messages.
func statusBox(body string) string {
	if m := regexp.MustCompile(`role="status"><p>([^<]*)</p>`).FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return "(aucune)"
}

func TestHistoryNamesFieldsByTheirLabelsInFrench(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := "/c/" + slug
	ind := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[1].Fiches[1].Steps[0].Indicators[0].ID })
	resp, _ := e.do(t, "editeur", "POST", c+"/modifier/indicator/"+ind.Target.Meta.ID, url.Values{
		"version": {strconv.Itoa(ind.Version)}, "periodicity": {"year"}, "orig.periodicity": {""}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification de l'indicateur : %d", resp.StatusCode)
	}
	v, err := e.svc.SaveValue(ctx, auth.System, slug, "2.2-1", app.ValueInput{Period: "2022", Number: "12"})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = e.svc.ValueAction(ctx, auth.System, slug, v.ID, v.Version, "soumettre", ""); err != nil {
		t.Fatal(err)
	}
	if _, err = e.svc.ValueAction(ctx, auth.System, slug, v.ID, v.Version, "valider", ""); err != nil {
		t.Fatal(err)
	}
	_, body := e.do(t, "lecteur", "GET", c+"/historique", nil)
	for _, want := range []string{
		"Périodicité : <del>non précisée</del> → <ins>annuelle</ins>",
		"État : <del>brouillon</del> → <ins>soumise</ins>",
		"État : <del>soumise</del> → <ins>validée</ins>",
		"accès accordé : contributeur·rice (Centre socioculturel La Cordelière)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de l'historique", want)
		}
	}
	for _, leak := range []string{">year<", ">validated<", ">submitted<", "state :", "period :", "Période :", "(cordeliere)"} {
		if strings.Contains(body, leak) {
			t.Errorf("%q dans l'historique", leak)
		}
	}
}

func TestEditFormsHighlightTheirSection(t *testing.T) {
	e := newEnv(t)
	cv, err := e.svc.Convention(context.Background(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	current := regexp.MustCompile(`aria-current="page">([^<]+)</a>`)
	for _, tc := range []struct{ kind, id, tab string }{
		{"equipment", cv.Equipments[0].ID, "Équipements"},
		{"finding", cv.Diagnostic.Findings[0].ID, "Diagnostic"},
		{"committee", cv.Committees[0].ID, "Gouvernance"},
		{"contact", cv.Contacts[0].ID, "Gouvernance"},
		{"article", cv.Articles[0].ID, "Texte"},
		{"annex", cv.Annexes[0].ID, "Texte"},
		{"legal_basis", cv.LegalBases[0].ID, "Texte"},
		{"organization", cv.Organizations[0].ID, "Vue d'ensemble"},
		{"party", cv.Parties[0].ID, "Vue d'ensemble"},
		{"representative", cv.Parties[0].Representatives[0].ID, "Vue d'ensemble"},
		{"authorization", cv.Parties[1].Authorization.ID, "Vue d'ensemble"},
		{"fiche", cv.Axes[1].Fiches[1].ID, "Plan d'actions"},
		{"step", cv.Axes[1].Fiches[1].Steps[0].ID, "Plan d'actions"},
		{"indicator", cv.Axes[1].Fiches[1].Steps[0].Indicators[0].ID, "Plan d'actions"},
	} {
		_, body := e.do(t, "editeur", "GET", "/c/"+slug+"/modifier/"+tc.kind+"/"+tc.id, nil)
		m := current.FindStringSubmatch(body)
		if m == nil || m[1] != tc.tab {
			t.Errorf("%s : onglet courant %v, %q attendu", tc.kind, m, tc.tab)
		}
	}
}

func TestReadOnlyViewsNameOrganizations(t *testing.T) {
	e := newEnv(t)
	eq := e.record(t, "equipment", cordeliere)
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/modifier/equipment/"+eq.Target.Meta.ID, nil)
	if !strings.Contains(body, "<dt>Organisation gestionnaire</dt><dd>Centre socioculturel La Cordelière</dd>") {
		t.Error("l'organisation gestionnaire n'est pas nommée dans la vue en lecture")
	}
	_, body = e.do(t, "contributeur", "GET", "/compte", nil)
	if !strings.Contains(body, "contributeur·rice pour Centre socioculturel La Cordelière") || strings.Contains(body, "pour cordeliere") {
		t.Error("la page du compte ne nomme pas l'organisation")
	}
}

func TestUnknownPathsAnswerInFrenchInTheLayout(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/nulle-part", "/static/", "/static/absent.css", "/c/" + slug + "/fiches/9.9", "/c/" + slug + "/modifier/inconnu/x"} {
		resp, body := e.do(t, "lecteur", "GET", path, nil)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "<h1>Page introuvable</h1>") || !strings.Contains(body, `<header class="site">`) {
			t.Errorf("%s : %d, page d'erreur en français attendue", path, resp.StatusCode)
		}
	}
	resp, body := e.do(t, "lecteur", "DELETE", "/c/"+slug+"/plan", nil)
	if resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(body, "Méthode non prise en charge") || !strings.Contains(body, `<header class="site">`) {
		t.Errorf("méthode refusée : %d", resp.StatusCode)
	}
}
