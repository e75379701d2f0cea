package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/collection"
	"github.com/ctg-territoires/ctg/internal/model"
)

// sendFile posts a file from an upload form as the given role.
func (e *testEnv) sendFile(t *testing.T, role, path, name string, content []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", e.sessions[role].csrf)
	fw, _ := mw.CreateFormFile("fichier", name)
	_, _ = fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions[role].token})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

// assign confides indicators to an organization from the collection page.
func (e *testEnv) assign(t *testing.T, org string, codes ...string) {
	t.Helper()
	resp, body := e.do(t, "admin", "POST", "/c/"+slug+"/collecte/responsables", url.Values{"organisation": {org}, "indicateur": codes, "retour": {"collecte"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("attribution : %d %s", resp.StatusCode, body)
	}
}

func synthetic(t *testing.T, e *testEnv, code, period string) bool {
	t.Helper()
	values, err := e.st.Values(context.Background(), slug, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		if v.Period == period && v.Synthetic {
			return true
		}
	}
	return false
}

// Out of the box no indicator has a responsible organization: the
// collection page lists them and asks the coordinator, who assigns them
// in bulk; a contributor with nothing to fill is told why and whom to ask.
func TestResponsibilitiesOnTheCollectionPage(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	_, body := e.do(t, "admin", "GET", c+"/collecte?annee=2024", nil)
	for _, want := range []string{"28 indicateur(s) sans organisation responsable", `href="#responsabilites"`, `id="responsabilites"`,
		`<option value="cordeliere">Centre socioculturel La Cordelière</option>`, "à confier"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la collecte vue par l'administration", want)
		}
	}
	// The leisure centre has nothing to fill yet: no empty form, but why
	// and whom to ask (its administrator and editor, by name).
	for _, path := range []string{c + "/collecte/saisie?annee=2024", c + "/collecte?annee=2024"} {
		_, body = e.do(t, "contributeur", "GET", path, nil)
		if !strings.Contains(body, "Rien à saisir pour Centre socioculturel La Cordelière") || !strings.Contains(body, "demandez à admin ou editeur (coordination de la convention)") {
			t.Errorf("%s : pas d'explication pour un formulaire vide", path)
		}
		if strings.Contains(body, `id="responsabilites"`) || strings.Contains(body, "Enregistrer en brouillon") {
			t.Errorf("%s : formulaire montré à un contributeur sans indicateur", path)
		}
	}

	assigned, _ := e.do(t, "admin", "POST", c+"/collecte/responsables", url.Values{"organisation": {"cordeliere"}, "indicateur": {"4.1-1", "4.1-2"}, "retour": {"collecte"}})
	if flash, _ := url.QueryUnescape(assigned.Header.Get("Set-Cookie")); assigned.StatusCode != http.StatusSeeOther || !strings.Contains(flash, "2 indicateur(s) confié(s) à Centre socioculturel La Cordelière") {
		t.Errorf("attribution : %d, confirmation %q", assigned.StatusCode, flash)
	}
	if _, body = e.do(t, "admin", "GET", c+"/collecte?annee=2024", nil); !strings.Contains(body, "26 indicateur(s) sans organisation responsable") {
		t.Error("l'attribution n'est pas comptée")
	}
	_, body = e.do(t, "contributeur", "GET", c+"/collecte/saisie?annee=2024", nil)
	if !strings.Contains(body, "4.1-1 – Le nombre de structures ACM") || !strings.Contains(body, "4.1-2 –") || strings.Contains(body, "Rien à saisir") {
		t.Error("le formulaire du centre ne montre pas ses indicateurs")
	}
	// A fiche's pilot provides its indicators by default.
	f := e.record(t, "fiche", fiche22)
	e.amend(t, "fiche", f.Target.Meta.ID, map[string]string{"pilots": "limans"})
	_, body = e.do(t, "contributeur-autre", "GET", c+"/collecte/saisie?annee=2024", nil)
	if !strings.Contains(body, "2.2-1 – Le nombre de personnes contactées") {
		t.Error("le pilote de la fiche 2.2 ne voit pas ses indicateurs")
	}
	_, body = e.do(t, "lecteur", "GET", c+"/indicateurs/2.2-1", nil)
	if !strings.Contains(body, `Commune de Limans <span class="meta">(pilote de la fiche)</span>`) {
		t.Error("la page de l'indicateur ne dit pas qui le fournit")
	}
	// Contributors do not assign, and no choice of organization is refused with why.
	if resp, _ := e.do(t, "contributeur", "POST", c+"/collecte/responsables", url.Values{"organisation": {"cordeliere"}, "indicateur": {"3.1-1"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("attribution par un contributeur : %d", resp.StatusCode)
	}
	resp, body := e.do(t, "admin", "POST", c+"/collecte/responsables", url.Values{"indicateur": {"3.1-1"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "choisissez l&#39;organisation") {
		t.Errorf("attribution sans organisation : %d", resp.StatusCode)
	}
}

// A coordinator who manages the convention and whose organization
// provides no indicator is not told to ask the administration (herself):
// she is sent to the responsibilities, which she may change.
func TestEmptyOrganizationOfACoordinatorLinksToResponsibilities(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Grant(context.Background(), auth.System, "admin@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleAdmin, Organization: "cc-pflm"}); err != nil {
		t.Fatal(err)
	}
	c := "/c/" + slug
	for path, link := range map[string]string{"/taches": `href="` + c + `/collecte#responsabilites"`, c + "/collecte?annee=2024": `href="#responsabilites"`} {
		_, body := e.do(t, "admin", "GET", path, nil)
		if !strings.Contains(body, "Rien à saisir pour Communauté de Communes Pays de Forcalquier Montagne de Lure") {
			t.Errorf("%s : l'organisation sans indicateur n'est pas signalée", path)
		}
		if strings.Contains(body, "demandez à") || !strings.Contains(body, "confiez-lui les indicateurs concernés dans les <a "+link+">responsabilités des indicateurs</a>") {
			t.Errorf("%s : la coordinatrice est renvoyée à elle-même plutôt qu'aux responsabilités des indicateurs", path)
		}
	}
}

// The bundled synthetic values never block real ones: browser, XLSX,
// CSV and API entries replace them, with a trace in the history.
func TestRealValuesReplaceSyntheticOnesOnEveryPath(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	e.assign(t, "cordeliere", "4.1-1", "4.1-2", "4.2-1", "4.2-2", "4.2-3")

	// The XLSX form of the centre, filled and sent back.
	resp, form := e.do(t, "contributeur", "GET", c+"/collecte/formulaire.xlsx?annee=2024", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("formulaire : %d", resp.StatusCode)
	}
	book, err := excelize.OpenReader(strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows(collection.Sheet)
	filled := 0
	for i, row := range rows {
		if len(row) > 0 && (row[0] == "4.1-1" || row[0] == "4.1-2") {
			_ = book.SetCellValue(collection.Sheet, "F"+strconv.Itoa(i+1), 5+i)
			filled++
		}
	}
	var buf bytes.Buffer
	if filled != 2 || book.Write(&buf) != nil {
		t.Fatalf("formulaire rempli : %d ligne(s)", filled)
	}
	if !synthetic(t, e, "4.1-1", "2024") {
		t.Fatal("pas de valeur fictive 2024 pour 4.1-1 au départ")
	}
	status, body := e.sendFile(t, "contributeur", c+"/collecte/import?annee=2024", "collecte.xlsx", buf.Bytes())
	if status != 200 || !strings.Contains(body, "2 valeur(s) importée(s) en brouillon") {
		t.Fatalf("import XLSX par-dessus les valeurs fictives : %d\n%s", status, body)
	}
	if synthetic(t, e, "4.1-1", "2024") || synthetic(t, e, "4.1-2", "2024") {
		t.Error("valeurs fictives restées après l'import XLSX")
	}

	// The indicator page.
	if resp, body := e.do(t, "contributeur", "POST", c+"/indicateurs/4.2-1", url.Values{"period": {"2024"}, "value": {"3"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saisie sur la page de l'indicateur : %d %s", resp.StatusCode, body)
	}
	// CSV, then the API.
	status, body = e.sendFile(t, "contributeur", c+"/indicateurs/import", "valeurs.csv", []byte("Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n4.2-2;2024;;4;;;\r\n"))
	if status != 200 || !strings.Contains(body, "1 valeur(s) importée(s)") {
		t.Fatalf("import CSV : %d", status)
	}
	if got := e.apiCall(t, "contributeur", "POST", "/api/v1/conventions/"+slug+"/indicators/4.2-3/values", `{"period": "2024", "value": "2"}`); got != http.StatusCreated {
		t.Fatalf("API : %d", got)
	}
	for _, code := range []string{"4.2-1", "4.2-2", "4.2-3"} {
		if synthetic(t, e, code, "2024") {
			t.Errorf("%s : valeur fictive restée", code)
		}
	}
	_, body = e.do(t, "lecteur", "GET", c+"/historique", nil)
	if n := strings.Count(body, "valeur fictive remplacée par une valeur réelle"); n != 5 {
		t.Errorf("%d remplacement(s) dans l'historique, 5 attendus", n)
	}

	// What still refuses says what to do: a second real value, and an
	// indicator of another organization.
	resp, body = e.do(t, "contributeur", "POST", c+"/indicateurs/4.2-1", url.Values{"period": {"2024"}, "value": {"8"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "corrigez-la avec le lien « Corriger »") {
		t.Errorf("seconde valeur réelle : %d", resp.StatusCode)
	}
	resp, body = e.do(t, "contributeur", "POST", c+"/indicateurs/2.2-1", url.Values{"period": {"2024"}, "value": {"8"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "n&#39;est confié à aucune organisation") || !strings.Contains(body, "demandez à admin") {
		t.Errorf("indicateur d'une autre organisation : %d", resp.StatusCode)
	}
}

// "Mes tâches" and the bulk actions: the centre enters, submits all its
// drafts at once; the coordinator returns one and validates the rest in
// one go; the centre sees the returned value with the reason.
func TestTasksAndBulkActions(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	e.assign(t, "cordeliere", "4.1-1", "4.1-2")
	headerCount := func(role string) string {
		_, body := e.do(t, role, "GET", "/conventions", nil)
		m := regexp.MustCompile(`Mes tâches(?: <span class="badge">(\d+))?`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s : pas de lien « Mes tâches » dans l'en-tête", role)
		}
		return m[1]
	}
	if got := headerCount("contributeur"); got != "2" {
		t.Errorf("tâches du centre dans l'en-tête : %q, 2 attendues", got)
	}
	_, body := e.do(t, "contributeur", "GET", "/taches", nil)
	for _, want := range []string{"Valeurs 2024 à saisir (2 indicateur(s))", "4.1-1</a> – Le nombre de structures ACM", `href="/c/` + slug + `/collecte/saisie?annee=2024"`} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent des tâches du centre", want)
		}
	}
	// Contributors of an organization with nothing to do are told why.
	if _, body := e.do(t, "contributeur-autre", "GET", "/taches", nil); !strings.Contains(body, "Rien à saisir pour Commune de Limans") {
		t.Error("pas d'explication pour une organisation sans indicateur")
	}

	form := url.Values{"code": {"4.1-1", "4.1-2"}, "period": {"2024", "2024"}, "value": {"5", "1200"}, "text": {"", ""}, "source": {"", ""}, "comment": {"", ""}}
	if resp, body := e.do(t, "contributeur", "POST", c+"/collecte/saisie?annee=2024", form); resp.StatusCode != 200 || !strings.Contains(body, "Soumettre les 2 brouillons de Centre socioculturel La Cordelière (2024)") {
		t.Fatalf("saisie en ligne : %d", resp.StatusCode)
	}
	_, body = e.do(t, "contributeur", "GET", "/taches", nil)
	if !strings.Contains(body, "Brouillons à soumettre (2)") || strings.Contains(body, "à saisir") {
		t.Error("les brouillons ne sont pas dans les tâches du centre")
	}
	resp, _ := e.do(t, "contributeur", "POST", c+"/collecte/soumettre", url.Values{"annee": {"2024"}, "organisation": {"cordeliere"}, "retour": {"taches"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/taches?soumises=2" {
		t.Fatalf("soumission des brouillons : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := e.do(t, "contributeur", "GET", "/taches?soumises=2", nil); !strings.Contains(body, "2 valeurs soumises pour validation.") {
		t.Error("soumission non confirmée")
	}

	// The coordinator sees them waiting, on "Mes tâches" and on the collection page.
	if got := headerCount("admin"); got != "2" {
		t.Errorf("valeurs à valider dans l'en-tête de l'administration : %q", got)
	}
	_, body = e.do(t, "admin", "GET", c+"/collecte?annee=2024", nil)
	refs := regexp.MustCompile(`name="valeur" value="([0-9a-f]+:\d+)"`).FindAllStringSubmatch(body, -1)
	if len(refs) != 2 {
		t.Fatalf("%d valeur(s) à valider sur la collecte, 2 attendues", len(refs))
	}
	_, tasks := e.do(t, "admin", "GET", "/taches", nil)
	if !strings.Contains(tasks, "Valeurs à valider (2)") {
		t.Error("les valeurs soumises ne sont pas dans les tâches de l'administration")
	}
	// Returning needs a reason, and nothing changes without one.
	resp, body = e.do(t, "admin", "POST", c+"/valeurs/lot", url.Values{"action": {"renvoyer"}, "valeur": {refs[0][1]}, "retour": {"taches"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "motif : indiquez pourquoi les valeurs sont renvoyées") {
		t.Errorf("renvoi sans motif : %d", resp.StatusCode)
	}
	resp, _ = e.do(t, "admin", "POST", c+"/valeurs/lot", url.Values{"action": {"renvoyer"}, "valeur": {refs[0][1]}, "reason": {"chiffre de 2023 ?"}, "retour": {"collecte"}, "annee": {"2024"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "renvoyees=1") {
		t.Fatalf("renvoi : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := e.apiCall(t, "admin", "POST", "/api/v1/conventions/"+slug+"/values/bulk", `{"action": "valider", "values": [{"id": "`+strings.Split(refs[1][1], ":")[0]+`", "version": `+strings.Split(refs[1][1], ":")[1]+`}]}`); got != 200 {
		t.Fatalf("validation par l'API : %d", got)
	}
	values, _ := e.st.Values(context.Background(), slug, "")
	states := map[model.ValueState]int{}
	for _, v := range values {
		if !v.Synthetic && strings.HasPrefix(v.Indicator, "4.1-") {
			states[v.State]++
		}
	}
	if states[model.ValueReturned] != 1 || states[model.ValueValidated] != 1 {
		t.Errorf("états après le renvoi et la validation : %v", states)
	}
	_, body = e.do(t, "contributeur", "GET", "/taches", nil)
	if !strings.Contains(body, "Valeurs renvoyées à corriger (1)") || !strings.Contains(body, "motif : chiffre de 2023 ?") || !strings.Contains(body, "#saisie") {
		t.Error("le centre ne voit pas la valeur renvoyée et son motif")
	}
}

// The late steps of the fiches an organization pilots are on its list.
func TestTasksListLateSteps(t *testing.T) {
	e := newEnv(t)
	f := e.record(t, "fiche", func(c *model.Convention) string { return c.Axes[2].Fiches[0].ID })
	e.amend(t, "fiche", f.Target.Meta.ID, map[string]string{"pilots": "cordeliere"})
	_, body := e.do(t, "contributeur", "GET", "/taches?au=2025-06-01", nil)
	if !strings.Contains(body, "Étapes en retard (2)") || !strings.Contains(body, "Fiche 3.1, étape 2") || !strings.Contains(body, "En 2024, échéance du 31 décembre 2024") {
		t.Error("l'étape « En 2024 » de la fiche 3.1 n'est pas en retard au 1er juin 2025")
	}
	if _, body := e.do(t, "contributeur", "GET", "/taches?au=2023-06-01", nil); strings.Contains(body, "Étapes en retard") {
		t.Error("étape en retard avant son échéance")
	}
}

// A yearly step late because it never started shows the deadline it missed.
func TestLateYearlyStepShowsItsMissedDeadline(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "editeur", "GET", "/c/"+slug+"?au=2025-06-01", nil)
	if !strings.Contains(body, "« Dès 2023 et chaque année » · échéance du 31 décembre 2023") {
		t.Error("échéance manquée de l'étape annuelle absente de la vue d'ensemble")
	}
}

// Mes tâches shows a contributor the action decided for their
// organization and the public event whose financer moved the date.
func TestTasksShowActionsAndEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, d := apptest.HeldDecision(t, e.svc, auth.System, "2024-10-15")
	if _, err := e.svc.SaveAction(ctx, auth.System, slug, m.ID, d.ID, app.ActionInput{Text: "Réunir les animateurs", Organization: "cordeliere"}); err != nil {
		t.Fatal(err)
	}
	x, err := e.svc.SaveEventRequest(ctx, auth.System, slug, "", app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration",
		Title: "Nouvelle crèche", ProposedDate: "2025-06-14"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AnswerEventDate(ctx, auth.System, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "refused"}); err != nil {
		t.Fatal(err)
	}
	_, body := e.do(t, "contributeur", "GET", "/taches", nil)
	for _, want := range []string{"Actions décidées en comité (1)", "Réunir les animateurs", "Manifestations à revoir (1)", "Nouvelle crèche"} {
		if !strings.Contains(body, want) {
			t.Errorf("« %s » absent des tâches", want)
		}
	}
}

// « Mes tâches » reads and lists only the conventions where something may
// wait for the person, and says how many others they read: a platform
// administrator, who acts for no organization, reads none in full when
// nothing waits anywhere.
func TestTasksListOnlyConventionsWhereSomethingMayWait(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "plateforme", "GET", "/taches", nil)
	if !strings.Contains(body, "Aucune tâche pour vous dans les 2 conventions auxquelles vous avez accès.") || strings.Contains(body, `<section aria-labelledby="conv-`) ||
		strings.Contains(body, "membre d'aucune convention") {
		t.Errorf("plateforme : conventions sans rien à faire listées, ou non comptées :\n%s", body)
	}
	_, body = e.do(t, "contributeur", "GET", "/taches", nil)
	if !strings.Contains(body, `<section aria-labelledby="conv-`+slug+`"`) {
		t.Errorf("contributeur : sa convention n'est pas listée :\n%s", body)
	}
}
