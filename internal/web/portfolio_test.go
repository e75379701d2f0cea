package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// withBriancon adds a convention for the CC du Briançonnais (05) whose
// title a spreadsheet would read as a formula. The tests look at the
// portfolio on 1 June 2024, within the conventions' period.
func withBriancon(t *testing.T, e *testEnv) {
	t.Helper()
	conv := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: briancon-ctg", 1)
	conv = strings.Replace(conv, "title: Convention territoriale globale (Ctg) 2022-2024 — Communauté de Communes Pays de Forcalquier Montagne de Lure",
		`title: '=HYPERLINK("http://exemple.invalid";"Briançon")'`, 1)
	conv = strings.Replace(conv, "territory:\n  epci: \"240400440\"", "territory:\n  epci: \"240500439\"", 1)
	if _, err := e.svc.Import(context.Background(), []byte(conv), false); err != nil {
		t.Fatal(err)
	}
}

// withoutConvention adds a signed-in account that reads no convention.
func withoutConvention(t *testing.T, e *testEnv) {
	t.Helper()
	ctx := context.Background()
	u := &auth.User{Email: "sans@exemple.fr", Name: "Sans convention", PasswordHash: "x"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	token, csrf, err := e.st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.sessions["sans"] = session{token, csrf}
}

func TestPortfolioPageListsTheConventionsAndTheCoverage(t *testing.T) {
	e := newEnv(t)
	withBriancon(t, e)
	resp, body := e.do(t, "plateforme", "GET", "/portefeuille?au=2024-06-01", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page : %d\n%s", resp.StatusCode, body)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		`<a href="/portefeuille">Portefeuille</a>`,
		`<a href="/c/` + slug + `">`, `<a href="/c/autre-ctg">`, `<a href="/c/briancon-ctg">`,
		"CC Pays Forcalquier et Montagne de Lure · SIREN 240400440 · 04",
		"CC du Briançonnais · SIREN 240500439 · 05",
		`<span class="badge life-in_force">en vigueur</span>`,
		"3 convention(s).", `href="/portefeuille.csv?au=2024-06-01"`,
		`<label for="f-organisation">Organisation signataire</label>`,
		// The département most conventions lie in, 04, and its coverage.
		"<h2 id=\"couverture\">Couverture du département 04</h2>",
		`<svg xmlns="http://www.w3.org/2000/svg"`,
		"Couverture par catégorie au ",
		`href="/couverture?departement=04&au=`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("la page ne contient pas %q", want)
		}
	}
	// A chosen département filters the conventions and gives its coverage.
	_, body = e.do(t, "plateforme", "GET", "/portefeuille?au=2024-06-01&departement=05", nil)
	text = html.UnescapeString(body)
	if !strings.Contains(text, "1 convention(s).") || !strings.Contains(text, `<a href="/c/briancon-ctg">`) || strings.Contains(text, `<a href="/c/`+slug+`">`) ||
		!strings.Contains(text, "Couverture du département 05") || !strings.Contains(text, `href="/portefeuille.csv?au=2024-06-01&departement=05"`) {
		t.Errorf("filtre du département 05 sans effet")
	}
	// A reader of one convention sees that one only, without the
	// organization filter of the platform's administrators.
	_, body = e.do(t, "lecteur", "GET", "/portefeuille?au=2024-06-01", nil)
	if !strings.Contains(body, "1 convention(s).") || !strings.Contains(body, `<a href="/c/`+slug+`">`) || strings.Contains(body, "autre-ctg") ||
		strings.Contains(body, "briancon-ctg") || strings.Contains(body, "f-organisation") {
		t.Errorf("le portefeuille du lecteur montre d'autres conventions")
	}
	// Filters that keep nothing, and filters that cannot be read.
	_, body = e.do(t, "plateforme", "GET", "/portefeuille?au=2024-06-01&texte=introuvable", nil)
	if !strings.Contains(body, "Aucune convention ne correspond à ces filtres.") {
		t.Errorf("aucun message quand les filtres ne gardent rien")
	}
	resp, body = e.do(t, "plateforme", "GET", "/portefeuille?etat=abandonnee&echeance=2024-02-31", nil)
	text = html.UnescapeString(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, "État : « abandonnee » n'est pas un état de convention") ||
		!strings.Contains(text, "Échéance avant le : « 2024-02-31 » n'est pas une date") {
		t.Errorf("filtres illisibles : %d", resp.StatusCode)
	}
}

func TestPortfolioIsEmptyWithoutConvention(t *testing.T) {
	e := newEnv(t)
	withoutConvention(t, e)
	resp, body := e.do(t, "sans", "GET", "/portefeuille?au=2024-06-01", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Votre portefeuille est vide") || strings.Contains(body, `<table class="portfolio">`) ||
		!strings.Contains(body, `<a href="/couverture">Choisir un département pour voir sa couverture</a>`) {
		t.Errorf("portefeuille vide : %d\n%s", resp.StatusCode, body)
	}
}

func TestPortfolioCSVNeutralisesFormulas(t *testing.T) {
	e := newEnv(t)
	withBriancon(t, e)
	rows := e.csvCells(t, "plateforme", "/portefeuille.csv?au=2024-06-01&departement=05")
	if bad := formulas(rows); len(bad) > 0 {
		t.Errorf("formules laissées telles quelles : %q", bad)
	}
	if len(rows) != 2 || rows[0][0] != "Convention" || rows[0][5] != "État" {
		t.Fatalf("CSV : %q", rows)
	}
	if rows[1][0] != `'=HYPERLINK("http://exemple.invalid";"Briançon")` || rows[1][1] != "briancon-ctg" || rows[1][3] != "240500439" || rows[1][5] != "en vigueur" {
		t.Errorf("ligne du Briançonnais : %q", rows[1])
	}
	resp, body := e.do(t, "plateforme", "GET", "/portefeuille.csv", nil)
	if !strings.HasPrefix(body, "\ufeffConvention;Identifiant;") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("CSV sans BOM ni « ; » : %q", body[:min(len(body), 40)])
	}
	// The reader's export holds their convention only.
	if rows := e.csvCells(t, "lecteur", "/portefeuille.csv"); len(rows) != 2 || rows[1][1] != slug {
		t.Errorf("CSV du lecteur : %q", rows)
	}
}

func TestPortfolioAPI(t *testing.T) {
	e := newEnv(t)
	withBriancon(t, e)
	resp, body := e.do(t, "plateforme", "GET", "/api/v1/portfolio?at=2024-06-01&tri=titre", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API : %d %s", resp.StatusCode, body)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(body), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0]["slug"] != "briancon-ctg" || rows[0]["epci_name"] != "CC du Briançonnais" {
		t.Fatalf("API : %d lignes, première %v", len(rows), rows[0]["slug"])
	}
	st := rows[0]["state"].(map[string]any)
	if st["code"] != "in_force" || rows[0]["next_deadline"] == nil || rows[0]["collection_year"] == nil {
		t.Errorf("ligne : %v", rows[0])
	}
	// The figures are those of the service.
	want, err := e.svc.Portfolio(context.Background(), &auth.Actor{PlatformAdmin: true}, app.PortfolioFilter{Departement: "05"}, model.MustDate("2024-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0]["errors"].(float64); len(want) != 1 || int(got) != want[0].Errors || want[0].Errors == 0 {
		t.Errorf("erreurs : %v, %d attendues", got, want[0].Errors)
	}
	_, body = e.do(t, "autre-convention", "GET", "/api/v1/portfolio?organisation="+url.QueryEscape("Caf du Rhône"), nil)
	if err := json.Unmarshal([]byte(body), &rows); err != nil || len(rows) != 1 || rows[0]["slug"] != "autre-ctg" {
		t.Errorf("autre convention (le filtre d'organisation ne vaut que pour la plateforme) : %s", body)
	}
	resp, body = e.do(t, "lecteur", "GET", "/api/v1/portfolio?departement=99", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "« 99 » n'est pas un département") {
		t.Errorf("département inconnu : %d %s", resp.StatusCode, body)
	}
}

// A person arrives on the portfolio when they follow several conventions
// or administer the platform, on their conventions otherwise; a page asked
// for before signing in wins.
func TestSignInLandsOnThePortfolio(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for role, want := range map[string]string{"plateforme": "/portefeuille", "lecteur": "/conventions", "autre-convention": "/conventions"} {
		if resp, _ := e.do(t, role, "GET", "/", nil); resp.Header.Get("Location") != want {
			t.Errorf("%s : accueil vers %q, %q attendu", role, resp.Header.Get("Location"), want)
		}
	}
	const password = "une phrase de passe assez longue"
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "conseillere@exemple.fr", Name: "Conseillère", Password: password}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{slug, "autre-ctg"} {
		if err := e.svc.Grant(ctx, auth.System, "conseillere@exemple.fr", auth.Membership{Convention: s, Role: auth.RoleReader}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browserFrom(t, "127.0.0.1")
	if _, body, _ := b.send("GET", "/connexion", nil); !strings.Contains(body, `name="suite" value="/"`) {
		t.Errorf("formulaire de connexion sans destination")
	}
	status, _, h := b.send("POST", "/connexion", url.Values{"email": {"conseillere@exemple.fr"}, "password": {password}, "suite": {"/"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("connexion : %d vers %q", status, h.Get("Location"))
	}
	if _, _, h := b.send("GET", "/", nil); h.Get("Location") != "/portefeuille" {
		t.Errorf("accueil de la conseillère vers %q", h.Get("Location"))
	}
	// A page asked for is kept, and kept local.
	b = e.browserFrom(t, "127.0.0.2")
	if _, _, h := b.send("POST", "/connexion", url.Values{"email": {"conseillere@exemple.fr"}, "password": {password}, "suite": {"/c/" + slug + "/plan"}}); h.Get("Location") != "/c/"+slug+"/plan" {
		t.Errorf("page demandée perdue : %q", h.Get("Location"))
	}
}
