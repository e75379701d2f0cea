package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

const slug = examples.ForcalquierSlug

// testEnv is a running server over a real SQLite store holding the
// bundled convention and a second one, with one account per role.
type testEnv struct {
	srv      *httptest.Server
	svc      *app.Service
	st       store.Store
	sessions map[string]session
}

type session struct{ token, csrf string }

// The accounts of the test platform, by role name.
var roles = []string{"anonyme", "plateforme", "admin", "editeur", "contributeur", "contributeur-autre", "lecteur", "autre-convention"}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	other := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: autre-ctg", 1)
	if _, err := svc.Import(ctx, []byte(other), false); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{svc: svc, st: st, sessions: map[string]session{}}
	grants := map[string]auth.Membership{
		"admin":              {Convention: slug, Role: auth.RoleAdmin},
		"editeur":            {Convention: slug, Role: auth.RoleEditor},
		"contributeur":       {Convention: slug, Role: auth.RoleContributor, Organization: "cordeliere"},
		"contributeur-autre": {Convention: slug, Role: auth.RoleContributor, Organization: "limans"},
		"lecteur":            {Convention: slug, Role: auth.RoleReader},
		"autre-convention":   {Convention: "autre-ctg", Role: auth.RoleEditor},
	}
	for _, r := range roles[1:] {
		u := &auth.User{Email: r + "@exemple.fr", Name: r, PasswordHash: "x", PlatformAdmin: r == "plateforme"}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if m, ok := grants[r]; ok {
			if err := svc.Grant(ctx, auth.System, u.Email, m); err != nil {
				t.Fatal(err)
			}
		}
		token, csrf, err := st.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e.sessions[r] = session{token, csrf}
	}
	h, err := New(svc, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// draft makes the bundled convention a draft again (its signature date
// cleared), its whole text editable: for the tests of editing that are
// not about the signed text.
func (e *testEnv) draft(t *testing.T) { apptest.Unsign(t, e.svc, e.st, slug) }

// amend changes a record of the bundled convention as a signed avenant
// would, its signed text included.
func (e *testEnv) amend(t *testing.T, kind, id string, values map[string]string) {
	apptest.Amend(t, e.svc, e.st, slug, kind, id, values)
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request as the given role; form values get the role's CSRF
// token unless they carry one.
func (e *testEnv) do(t *testing.T, role, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		if _, ok := form["csrf"]; !ok {
			form.Set("csrf", e.sessions[role].csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return e.send(t, role, req)
}

// send sends a request with role's session cookie, without following a
// redirect, and returns the response and its body.
func (e *testEnv) send(t *testing.T, role string, req *http.Request) (*http.Response, string) {
	t.Helper()
	if s, ok := e.sessions[role]; ok {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// record returns a record of the bundled convention as the system sees it.
func (e *testEnv) record(t *testing.T, kind string, pick func(c *model.Convention) string) *app.Record {
	t.Helper()
	c, err := e.svc.Convention(context.Background(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Record(context.Background(), auth.System, slug, kind, pick(c))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fiche22(c *model.Convention) string { return c.Axes[1].Fiches[1].ID }
func step22(c *model.Convention) string  { return c.Axes[1].Fiches[1].Steps[0].ID }

// cordeliere returns the first equipment run by La Cordelière; limans the
// one run by the commune of Limans.
func cordeliere(c *model.Convention) string { return c.Equipments[0].ID }
func limans(c *model.Convention) string     { return c.Equipments[12].ID }

func TestPagesRender(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	pages := []struct {
		path     string
		contains []string
	}{
		{"/conventions", []string{"Mes conventions", "CC Pays Forcalquier et Montagne de Lure", "13 communes, dont 3 signataires", "En retard depuis le"}},
		{"/c/" + slug, []string{"Parties signataires", "Thierry AUTARD", "date non renseignée", "« XXXX » dans le texte", "Sigonce", "004-240400440-20221213-99-2022-DE"}},
		{"/c/" + slug + "/diagnostic", []string{"Les dynamiques sociodémographiques", "Analyse qualitative", "Le management des liens"}},
		{"/c/" + slug + "/plan", []string{"Fiche 2.2", "A partir du deuxième trimestre 2023", "au plus tard le 31 mars 2023", "7 fiche(s) affichée(s) sur 7"}},
		{"/c/" + slug + "/plan?statut=in_progress", []string{"1 fiche(s) affichée(s) sur 7", "Fiche 2.2"}},
		{"/c/" + slug + "/plan?axe=3", []string{"1 fiche(s) affichée(s) sur 7", "Fiche 3.1"}},
		{"/c/" + slug + "/fiches/2.2", []string{"Datamaning", "Le montant moyen des droits ouverts", "Avancement de l'étape 1", `name="version" value="` + strconv.Itoa(step.Version) + `"`}},
		{"/c/" + slug + "/fiches/2.1", []string{"Tableau de bord de la fiche", "2.1-3</a> – Le nombre de Rdv téléphoniques", "fictive"}},
		{"/c/" + slug + "/fiches/4.2", []string{"Intitulé dans article 4 : « 4.2 – Développer les projets jeunes sur le territoire »"}},
		{"/c/" + slug + "/equipements", []string{"15 équipement(s) sur 15", "La Ninèia", "Télécharger le tableau"}},
		{"/c/" + slug + "/equipements?commune=04206", []string{"1 équipement(s) sur 15", "Le village"}},
		{"/c/" + slug + "/equipements?type=Relais+Petite+Enfance", []string{"1 équipement(s) sur 15", "13 BOULEVARD DES MARTYRS"}},
		{"/c/" + slug + "/gouvernance", []string{"Comité de pilotage", "Comité technique", "04 92 30 22 16", "Secrétariat"}},
		{"/c/" + slug + "/texte", []string{"Article 12 – LA FIN DE LA CONVENTION", "délai de prévenance de 6 mois", "Digne les bains"}},
		{"/c/" + slug + "/recherche?q=prevenance", []string{"1 résultat(s)", "Article 12"}},
		{"/c/" + slug + "/recherche?q=EQUIPEMENT", []string{"résultat(s)", "Équipement"}},
		{"/c/" + slug + "/historique", []string{"import de la convention"}},
		{"/c/" + slug + "/controles?au=2026-11-27", []string{"AUTH-DATE-MISSING", "FICHES-PROMISED-OVERDUE", "au 27 novembre 2026", "Corriger"}},
		{"/c/" + slug + "?au=2026-11-27", []string{"Avancement du plan", "Collecte 2024", "Contrôles", "9 erreur(s)", "Voir tous les contrôles"}},
		{"/c/" + slug + "/membres", []string{"editeur@exemple.fr", "contributeur·rice"}},
		{"/c/" + slug + "/modifier/step/" + step.Target.Meta.ID, []string{"Fiche 2.2 – étape 1", "Calendrier tel qu&#39;écrit", "Historique de cet élément"}},
		{"/compte", []string{"Jetons d'accès à l'API"}},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			resp, body := e.do(t, "admin", "GET", p.path, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("statut %d", resp.StatusCode)
			}
			if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") || resp.Header.Get("X-Frame-Options") != "DENY" {
				t.Error("en-têtes de sécurité absents")
			}
			for _, want := range p.contains {
				if !strings.Contains(body, want) {
					t.Errorf("%q absent de la page", want)
				}
			}
			if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
				t.Error("style ou script en ligne : la CSP les bloquerait")
			}
		})
	}
}

func TestEquipmentsCSVIsForExcelInFrench(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/equipements.csv?commune=04104", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "\uFEFFGestionnaire;Équipement;") {
		t.Fatalf("statut %d, début %q", resp.StatusCode, body[:min(len(body), 40)])
	}
	lines := strings.Split(strings.TrimSpace(body), "\r\n")
	if len(lines) != 2 || !strings.Contains(lines[1], "Accueil périscolaire de Limans;") {
		t.Errorf("lignes : %q", lines)
	}
}

func TestStepStatusChangeIsRecordedInHistory(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	form := url.Values{"version": {strconv.Itoa(step.Version)}, "orig.status": {"in_progress"}, "status": {"done"},
		"retour": {"/c/" + slug + "/fiches/2.2"}}
	resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/c/"+slug+"/fiches/2.2" {
		t.Fatalf("statut %d vers %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/fiches/2.2", nil)
	for _, want := range []string{"<td>editeur</td>", "Fiche 2.2 – étape 1", "<del>en cours</del> → <ins>réalisée</ins>"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de l'historique de la fiche", want)
		}
	}
	if strings.Contains(body, "editeur@exemple.fr") {
		t.Error("l'adresse de l'auteur est montrée à un·e lecteur·rice")
	}
	if after := e.record(t, "step", step22); after.Version != step.Version+1 || after.Values["status"] != "done" {
		t.Errorf("version %d, statut %s", after.Version, after.Values["status"])
	}
}

func TestStaleEditIsRefusedWithWhatChanged(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	f := e.record(t, "fiche", fiche22)
	v := strconv.Itoa(f.Version)
	first := url.Values{"version": {v}, "orig.title": {f.Values["title"]}, "title": {"Titre changé par Éditeur"}}
	if resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/fiche/"+f.Target.Meta.ID, first); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("première modification : %d\n%s", resp.StatusCode, body)
	}
	second := url.Values{"version": {v}, "orig.title": {f.Values["title"]}, "title": {"Titre changé par Admin"}}
	resp, body := e.do(t, "admin", "POST", "/c/"+slug+"/modifier/fiche/"+f.Target.Meta.ID, second)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("modification sur une version périmée : statut %d", resp.StatusCode)
	}
	for _, want := range []string{"modifié par quelqu'un d'autre", "Titre changé par Éditeur", "Titre changé par Admin", "par editeur"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent du message de conflit", want)
		}
	}
	if got := e.record(t, "fiche", fiche22); got.Values["title"] != "Titre changé par Éditeur" {
		t.Errorf("titre = %q : une modification a été perdue", got.Values["title"])
	}
}

func TestBadValueIsShownNextToTheFieldAndNothingWritten(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	eq := e.record(t, "equipment", cordeliere)
	form := url.Values{"version": {strconv.Itoa(eq.Version)}, "commune": {"99999"}, "postal_code": {"4300"}, "name": {"Nouveau nom"}}
	resp, body := e.do(t, "contributeur", "POST", "/c/"+slug+"/modifier/equipment/"+eq.Target.Meta.ID, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	for _, want := range []string{`id="champ-commune-erreur"`, "code commune INSEE « 99999 » inconnu", `id="champ-postal_code-erreur"`, `value="Nouveau nom"`} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent", want)
		}
	}
	if got := e.record(t, "equipment", cordeliere); got.Version != eq.Version || got.Values["name"] != eq.Values["name"] {
		t.Error("une valeur a été écrite malgré l'erreur")
	}
}

func TestSignInAndRateLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "coord@exemple.fr", Name: "Coordinatrice", Password: "un mot de passe solide"}); err != nil {
		t.Fatal(err)
	}
	resp, _ := e.do(t, "anonyme", "POST", "/connexion", url.Values{"email": {"coord@exemple.fr"}, "password": {"un mot de passe solide"}, "suite": {"/compte"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/compte" {
		t.Fatalf("connexion : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie de session : %+v", cookie)
	}
	resp, _ = e.do(t, "anonyme", "POST", "/connexion", url.Values{"email": {"coord@exemple.fr"}, "password": {"x"}, "suite": {"https://ailleurs.example/"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("mauvais mot de passe : %d", resp.StatusCode)
	}
	for range 4 {
		e.do(t, "anonyme", "POST", "/connexion", url.Values{"email": {"coord@exemple.fr"}, "password": {"x"}})
	}
	resp, body := e.do(t, "anonyme", "POST", "/connexion", url.Values{"email": {"coord@exemple.fr"}, "password": {"un mot de passe solide"}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Trop de tentatives") {
		t.Errorf("après 5 échecs : %d", resp.StatusCode)
	}
}

func TestForeignFormPostIsRefused(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	form := url.Values{"version": {strconv.Itoa(step.Version)}, "status": {"done"}, "csrf": {"faux"}}
	if resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("jeton CSRF faux : statut %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/deconnexion", strings.NewReader("csrf="+e.sessions["editeur"].csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://site-malveillant.example")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions["editeur"].token})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("envoi depuis un autre site : statut %d", resp.StatusCode)
	}
}

func TestAPIReadAndWriteWithToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, _ := e.st.UserByEmail(ctx, "editeur@exemple.fr")
	a, _ := e.st.Actor(ctx, u)
	token, _, err := e.svc.CreateToken(ctx, a, "tableur")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, list := call("GET", "/api/v1/conventions", "")
	if code != 200 || len(list["conventions"].([]any)) != 1 {
		t.Fatalf("liste : %d %v", code, list)
	}
	var c model.Convention
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/conventions/"+slug, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, _ := http.DefaultClient.Do(req)
	_ = json.NewDecoder(resp.Body).Decode(&c)
	resp.Body.Close()
	if len(c.Territory.Resolved) != 13 || len(c.Parties) != 6 {
		t.Fatalf("convention : %d communes, %d parties", len(c.Territory.Resolved), len(c.Parties))
	}
	stepID := c.Axes[1].Fiches[1].Steps[2].ID
	path := "/api/v1/conventions/" + slug + "/records/step/" + stepID
	code, rec := call("GET", path, "")
	if code != 200 || rec["can_edit"] != true {
		t.Fatalf("élément : %d %v", code, rec)
	}
	version := int(rec["version"].(float64))
	code, out := call("PATCH", path, `{"version": `+strconv.Itoa(version)+`, "fields": {"status": "in_progress"}}`)
	if code != 200 || int(out["version"].(float64)) != version+1 {
		t.Fatalf("modification : %d %v", code, out)
	}
	code, out = call("PATCH", path, `{"version": `+strconv.Itoa(version)+`, "fields": {"status": "done"}}`)
	if code != http.StatusConflict || out["current"] == nil {
		t.Fatalf("version périmée : %d %v", code, out)
	}
	code, out = call("PATCH", path, `{"version": `+strconv.Itoa(version+1)+`, "fields": {"status": "fini"}}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(out), "status") {
		t.Fatalf("valeur invalide : %d %v", code, out)
	}
	code, out = call("GET", "/api/v1/conventions/"+slug+"/history?object="+stepID, "")
	if code != 200 || len(out["history"].([]any)) != 1 {
		t.Fatalf("historique : %d %v", code, out)
	}
	code, _ = call("GET", "/api/v1/conventions/autre-ctg", "")
	if code != http.StatusNotFound {
		t.Errorf("convention d'autrui : %d", code)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestAddAndDeleteAStep(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	f := e.record(t, "fiche", fiche22)
	c := "/c/" + slug
	resp, body := e.do(t, "editeur", "GET", c+"/ajouter/step?parent="+f.Target.Meta.ID, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Ajouter : étape") || !strings.Contains(body, `<option value="planned" selected>`) {
		t.Fatalf("formulaire d'ajout : %d", resp.StatusCode)
	}
	form := url.Values{"parent": {f.Target.Meta.ID}, "text": {""}, "schedule.as_written": {"En 2024"}, "schedule.start": {"2025-01-01"}}
	resp, body = e.do(t, "editeur", "POST", c+"/ajouter/step", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "champ obligatoire vide") || !strings.Contains(body, "2024") {
		t.Fatalf("étape invalide : %d", resp.StatusCode)
	}
	form = url.Values{"parent": {f.Target.Meta.ID}, "text": {"Bilan des contacts avec les allocataires"}, "schedule.as_written": {"En 2024"},
		"schedule.start": {"2024-01-01"}, "schedule.end": {"2024-12-31"}, "status": {"planned"}}
	resp, _ = e.do(t, "editeur", "POST", c+"/ajouter/step", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c+"/fiches/2.2" {
		t.Fatalf("ajout : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.do(t, "lecteur", "GET", c+"/fiches/2.2", nil)
	if !strings.Contains(body, "Bilan des contacts avec les allocataires") || !strings.Contains(body, "Étape 4") || !strings.Contains(body, "ajout") {
		t.Fatal("l'étape ajoutée n'apparaît pas, ou pas dans l'historique")
	}
	added := e.record(t, "step", func(c *model.Convention) string { return c.Axes[1].Fiches[1].Steps[3].ID })
	del := c + "/supprimer/step/" + added.Target.Meta.ID
	if resp, _ := e.do(t, "editeur", "POST", del, url.Values{"version": {"1"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("suppression sans confirmation : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "editeur", "POST", del, url.Values{"version": {"1"}, "confirm": {"oui"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("suppression : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", c+"/historique", nil)
	if !strings.Contains(body, "suppression") {
		t.Error("la suppression n'est pas dans l'historique")
	}
	if got := e.record(t, "fiche", fiche22); len(got.Convention.Axes[1].Fiches[1].Steps) != 3 {
		t.Errorf("%d étapes après suppression", len(got.Convention.Axes[1].Fiches[1].Steps))
	}
}

func TestAddAFichePromisedByAmendment(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	axis5 := e.record(t, "axis", func(c *model.Convention) string { return c.Axes[4].ID })
	c := "/c/" + slug
	form := url.Values{"parent": {axis5.Target.Meta.ID}, "code": {"6.1"}, "title": {"Soutenir les parents"}, "status": {"planned"}}
	resp, body := e.do(t, "editeur", "POST", c+"/ajouter/fiche", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="champ-code-erreur"`) || !strings.Contains(body, "rangée sous l&#39;axe 5") {
		t.Fatalf("code d'un autre axe : %d", resp.StatusCode)
	}
	form.Set("code", "5.1")
	resp, _ = e.do(t, "editeur", "POST", c+"/ajouter/fiche", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ajout : %d", resp.StatusCode)
	}
	resp, body = e.do(t, "lecteur", "GET", c+"/fiches/5.1", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "Soutenir les parents") {
		t.Fatalf("fiche 5.1 : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", "/conventions", nil)
	if strings.Contains(body, "Fiches de l&#39;axe 5") {
		t.Error("l'échéance de l'axe 5 est encore affichée alors que sa fiche existe")
	}
	org := url.Values{"parent": {axis5.Convention.ID}, "key": {"maison-france-services"}, "name": {"Maison France Services"}, "kind": {"other"}}
	if resp, body := e.do(t, "editeur", "POST", c+"/ajouter/organization", org); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ajout d'organisation : %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, "editeur", "POST", c+"/ajouter/organization", org); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("clé en double : %d", resp.StatusCode)
	}
}

func TestFrenchFormats(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 5222: "5\u202F222", 1234567: "1\u202F234\u202F567", -1500: "-1\u202F500"} {
		if got := frenchNumber(n); got != want {
			t.Errorf("frenchNumber(%d) = %q", n, got)
		}
	}
	if got := frenchDate(model.MustDate("2022-11-01")); got != "1er novembre 2022" {
		t.Errorf("frenchDate = %q", got)
	}
}

func TestChecksFollowEdits(t *testing.T) {
	e := newEnv(t)
	auth := e.record(t, "authorization", func(c *model.Convention) string { return c.Parties[3].Authorization.ID })
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/controles?au=2026-11-27", nil)
	if !strings.Contains(body, "Commune de Forcalquier à signer n&#39;a pas de date") ||
		!strings.Contains(body, "/c/"+slug+"/modifier/authorization/"+auth.Target.Meta.ID) {
		t.Fatal("la délibération non datée de Forcalquier n'est pas signalée avec son lien")
	}
	form := url.Values{"version": {strconv.Itoa(auth.Version)}, "date": {"2022-10-20"}, "reference": {"DEL-2022-57"}}
	if resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/authorization/"+auth.Target.Meta.ID, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/controles?au=2026-11-27", nil)
	if strings.Contains(body, "Commune de Forcalquier à signer n&#39;a pas de date") || !strings.Contains(body, "8 erreur(s)") {
		t.Error("le contrôle n'a pas été recalculé après la modification")
	}
	resp, csvBody := e.do(t, "lecteur", "GET", "/c/"+slug+"/controles.csv?au=2026-11-27", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(csvBody, "\uFEFFGravité;Règle;") || !strings.Contains(csvBody, "erreur;AUTH-DATE-MISSING;") {
		t.Errorf("export CSV : %d %q", resp.StatusCode, csvBody[:min(len(csvBody), 80)])
	}
}

func TestEditingAnIndicatorChangesAllItsMentions(t *testing.T) {
	e := newEnv(t)
	// 2.1-3 "Le nombre de Rdv téléphoniques" is listed under steps 1 and 3.
	first := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[1].Fiches[0].Steps[0].Indicators[2].ID })
	form := url.Values{"version": {strconv.Itoa(first.Version)}, "periodicity": {"quarter"}, "targets": {"2024 = 120\n2025 = 150,5"}, "tolerance": {"15"}}
	if resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/indicator/"+first.Target.Meta.ID, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification : %d\n%s", resp.StatusCode, body)
	}
	c := e.record(t, "fiche", fiche22).Convention
	for _, ind := range []model.Indicator{c.Axes[1].Fiches[0].Steps[0].Indicators[2], c.Axes[1].Fiches[0].Steps[2].Indicators[0]} {
		if ind.Code != "2.1-3" || ind.Periodicity != "quarter" || ind.Tolerance != 15 || len(ind.Targets) != 2 || ind.Targets[1].Value != 150.5 {
			t.Errorf("mention %+v", ind)
		}
	}
}

func TestIndicatorValueWorkflow(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	// La Cordelière reports the number of ACM structures (4.1-1).
	ind := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[3].Fiches[0].Indicators[0].ID })
	form := url.Values{"version": {strconv.Itoa(ind.Version)}, "responsible": {"cordeliere"}, "periodicity": {"year"}, "targets": {"2022 = 10"}, "tolerance": {"10"}}
	if resp, body := e.do(t, "editeur", "POST", c+"/modifier/indicator/"+ind.Target.Meta.ID, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("catalogue : %d %s", resp.StatusCode, body)
	}
	page := c + "/indicateurs/4.1-1"
	if resp, _ := e.do(t, "contributeur-autre", "POST", page, url.Values{"period": {"2022"}, "value": {"6"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("autre organisation : %d", resp.StatusCode)
	}
	resp, body := e.do(t, "contributeur", "POST", page, url.Values{"period": {"2022-T1"}, "value": {"6,5"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="v-period-erreur"`) || !strings.Contains(body, "nombre entier positif") {
		t.Fatalf("saisie invalide : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "contributeur", "POST", page, url.Values{"period": {"2022"}, "value": {"6"}, "source": {"bilan annuel"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saisie : %d", resp.StatusCode)
	}
	value := func() model.Value {
		vs, err := e.st.Values(context.Background(), slug, "4.1-1")
		if err != nil || len(vs) == 0 {
			t.Fatalf("valeurs : %v", err)
		}
		for _, v := range vs {
			if v.Period == "2022" {
				return v
			}
		}
		t.Fatal("valeur 2022 absente")
		return model.Value{}
	}
	act := func(role, action string, extra url.Values) int {
		v := value()
		f := url.Values{"version": {strconv.Itoa(v.Version)}}
		for k, x := range extra {
			f[k] = x
		}
		resp, _ := e.do(t, role, "POST", c+"/valeurs/"+v.ID+"/"+action, f)
		return resp.StatusCode
	}
	if got := act("contributeur", "valider", nil); got != http.StatusForbidden {
		t.Errorf("un contributeur valide : %d", got)
	}
	if got := act("contributeur", "soumettre", nil); got != http.StatusSeeOther || value().State != model.ValueSubmitted {
		t.Fatalf("soumission : %d %s", got, value().State)
	}
	if got := act("editeur", "renvoyer", url.Values{"code": {"4.1-1"}}); got != http.StatusUnprocessableEntity {
		t.Errorf("renvoi sans motif : %d", got)
	}
	if got := act("editeur", "renvoyer", url.Values{"reason": {"compter aussi la garderie"}}); got != http.StatusSeeOther || value().State != model.ValueReturned {
		t.Fatalf("renvoi : %d", got)
	}
	v := value()
	correction := url.Values{"id": {v.ID}, "version": {strconv.Itoa(v.Version)}, "period": {"2022"}, "value": {"7"}, "source": {"bilan annuel"}}
	if resp, _ := e.do(t, "contributeur", "POST", page, correction); resp.StatusCode != http.StatusSeeOther || *value().Number != 7 {
		t.Fatalf("correction : %d", resp.StatusCode)
	}
	act("contributeur", "soumettre", nil)
	if got := act("editeur", "valider", nil); got != http.StatusSeeOther || value().State != model.ValueValidated || value().ValidatedBy == "" {
		t.Fatalf("validation : %d", got)
	}
	_, body = e.do(t, "lecteur", "GET", c+"/indicateurs", nil)
	for _, want := range []string{"Écarts importants", "4.1-1</a> – Le nombre de structures ACM", "−30 %", "cible 10", "Données fictives"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent du tableau de bord", want)
		}
	}
	_, body = e.do(t, "lecteur", "GET", page, nil)
	for _, want := range []string{`<svg class="chart"`, "<title id=\"chart-title\">", "validée", "bilan annuel", "cordeliere"} {
		if !strings.Contains(body, want) && !(want == "cordeliere" && strings.Contains(body, "Centre socioculturel La Cordelière")) {
			t.Errorf("%q absent de la page de l'indicateur", want)
		}
	}
	_, body = e.do(t, "lecteur", "GET", c+"/collecte?annee=2022", nil)
	if !strings.Contains(body, "saisie en ligne<span class=\"visually-hidden\"> pour Centre socioculturel La Cordelière</span></a></td>\n<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">1</td>") ||
		!strings.Contains(body, "complète et validée") {
		t.Errorf("avancement de la collecte :\n%s", body[strings.Index(body, "<tbody>"):])
	}
	_, body = e.do(t, "lecteur", "GET", c+"/historique", nil)
	if !strings.Contains(body, "Indicateur 4.1-1 – 2022") || !strings.Contains(body, "compter aussi la garderie") {
		t.Error("le parcours de la valeur n'est pas dans l'historique")
	}
	// The bilan's figures are the dashboard's.
	resp, xlsxBody := e.do(t, "lecteur", "GET", c+"/bilan.xlsx?annee=2022", nil)
	book, err := excelize.OpenReader(strings.NewReader(xlsxBody))
	if resp.StatusCode != 200 || err != nil {
		t.Fatalf("bilan XLSX : %d %v", resp.StatusCode, err)
	}
	rows, _ := book.GetRows("Indicateurs")
	okRow := false
	for _, row := range rows {
		okRow = okRow || (len(row) > 6 && row[1] == "4.1-1" && row[4] == "7" && row[5] == "10" && row[6] == "-30")
	}
	if !okRow {
		t.Errorf("bilan : ligne 4.1-1 différente du tableau de bord : %v", rows)
	}
	if resp, pdf := e.do(t, "lecteur", "GET", c+"/bilan.pdf?annee=2022", nil); resp.StatusCode != 200 || !strings.HasPrefix(pdf, "%PDF-") {
		t.Errorf("bilan PDF : %d", resp.StatusCode)
	}
	resp, csvBody := e.do(t, "lecteur", "GET", c+"/indicateurs.csv", nil)
	if resp.StatusCode != 200 || !strings.Contains(csvBody, "4.1-1;Le nombre de structures ACM;2022;;7;;validée;Centre socioculturel La Cordelière;bilan annuel;;non") ||
		!strings.Contains(csvBody, ";oui\r\n") {
		t.Errorf("export des valeurs :\n%s", csvBody[:min(len(csvBody), 600)])
	}
}

func TestDiffusableExportMasksSmallCounts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, in := range []struct{ code, value string }{{"2.2-1", "3"}, {"2.1-3", "12"}, {"2.2-3", "4"}} {
		v, err := e.svc.SaveValue(ctx, auth.System, slug, in.code, app.ValueInput{Period: "2022", Number: in.value})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ValueAction(ctx, auth.System, slug, v.ID, v.Version, app.ActionValidate, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.SaveValue(ctx, auth.System, slug, "2.1-5", app.ValueInput{Period: "2022", Number: "2"}); err != nil {
		t.Fatal(err)
	}
	_, all := e.do(t, "lecteur", "GET", "/c/"+slug+"/indicateurs.csv", nil)
	_, public := e.do(t, "lecteur", "GET", "/c/"+slug+"/indicateurs.csv?diffusable=1", nil)
	if !strings.Contains(all, "2.2-1;Le nombre de personnes contactées;2022;;3;") || !strings.Contains(all, "2.1-5;") {
		t.Error("l'export interne doit garder les valeurs exactes et les brouillons")
	}
	for _, want := range []string{"2.2-1;Le nombre de personnes contactées;2022;;< 5;", "2.1-3;Le nombre de Rdv téléphoniques;2022;;12;",
		"2.2-3;Le montant moyen des droits ouverts;2022;;4;"} {
		if !strings.Contains(public, want) {
			t.Errorf("%q absent de l'export diffusable", want)
		}
	}
	if strings.Contains(public, "2.1-5;Le nombre de Rdv Visio;2022") {
		t.Error("un brouillon figure dans l'export diffusable")
	}
}

func TestIndicatorBreakdownByCommune(t *testing.T) {
	e := newEnv(t)
	ind := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[3].Fiches[0].Indicators[0].ID })
	form := url.Values{"version": {strconv.Itoa(ind.Version)}, "dimensions": {"", "commune"}}
	if resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/indicator/"+ind.Target.Meta.ID, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ventilation : %d %s", resp.StatusCode, body)
	}
	ctx := context.Background()
	for b, n := range map[string]string{"commune=04088": "3", "commune=04104": "1"} {
		v, err := e.svc.SaveValue(ctx, auth.System, slug, "4.1-1", app.ValueInput{Period: "2022", Breakdown: b, Number: n})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.ValueAction(ctx, auth.System, slug, v.ID, v.Version, app.ActionValidate, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.SaveValue(ctx, auth.System, slug, "4.1-1", app.ValueInput{Period: "2022", Breakdown: "commune=75056", Number: "1"}); err == nil {
		t.Error("commune hors référentiel acceptée")
	}
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/indicateurs/4.1-1", nil)
	for _, want := range []string{"Par commune", "<th scope=\"row\">Forcalquier</th><td class=\"num\">3</td>", "<th scope=\"row\">Limans</th><td class=\"num\">1</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent", want)
		}
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/indicateurs", nil)
	if !strings.Contains(body, ">4</td>") && !strings.Contains(body, ">4<") {
		t.Error("le total 2022 (3 + 1) n'est pas au tableau de bord")
	}
}

func TestBrowserCollectionForm(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug + "/collecte/saisie?annee=2022"
	resp, body := e.do(t, "editeur", "GET", c, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "2.2-1 – Le nombre de personnes contactées") || !strings.Contains(body, `id="t-`) {
		t.Fatalf("formulaire : %d", resp.StatusCode)
	}
	lines := func(v22, v21 string) url.Values {
		return url.Values{"code": {"2.2-1", "2.1-4", "2.2-2"}, "period": {"2022", "2022", "2022"}, "value": {v22, "", v21},
			"text": {"", "Carte publiée", ""}, "source": {"requête", "", ""}, "comment": {"", "", ""}}
	}
	resp, body = e.do(t, "editeur", "POST", c, lines("120", "douze"))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "ligne 3 (Valeur)") || !strings.Contains(body, `value="120"`) {
		t.Fatalf("ligne fautive : %d", resp.StatusCode)
	}
	if vs, _ := e.st.Values(context.Background(), slug, "2.2-1"); len(vs) != 2 {
		t.Errorf("une valeur a été écrite malgré l'erreur : %d", len(vs))
	}
	resp, body = e.do(t, "editeur", "POST", c, lines("120", "12"))
	if resp.StatusCode != 200 || !strings.Contains(body, "3 valeur(s) enregistrée(s)") {
		t.Fatalf("enregistrement : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "lecteur", "POST", c, lines("1", "1")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("lecteur : %d", resp.StatusCode)
	}
	// A contributor without responsibility for these indicators is told so, line by line.
	if resp, body := e.do(t, "contributeur", "POST", c, lines("1", "1")); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "confié à aucune organisation") || !strings.Contains(body, "retirez cette ligne") {
		t.Errorf("contributeur : %d", resp.StatusCode)
	}
}
