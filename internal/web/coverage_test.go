package web

import (
	"encoding/json"
	"html"
	"net/http"
	"strings"
	"testing"
)

func TestCoveragePageShowsTheDepartement(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/couverture?departement=04&au=2023-06-30", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page : %d\n%s", resp.StatusCode, body)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{
		"Couverture du département 04",
		"<strong>6,0\u202f%</strong> de la population du département",
		"Seules les conventions que vous pouvez consulter sont comptées",
		`<svg xmlns="http://www.w3.org/2000/svg"`,
		"<caption>Couverture par catégorie au 30 juin 2023</caption>",
		`<th scope="row"><span class="swatch swatch-in_force" aria-hidden="true"></span> En vigueur</th><td class="num">1</td><td class="num">13</td>`,
		`CC Pays Forcalquier et Montagne de Lure<br><span class="meta">SIREN 240400440</span>`,
		`<option value="04" selected>04</option>`,
		`href="/couverture.csv?departement=04&au=2023-06-30"`,
		`<a href="/c/` + slug + `">`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("la page ne contient pas %q", want)
		}
	}
	// Another convention's editor counts only the convention they read.
	_, body = e.do(t, "autre-convention", "GET", "/couverture?departement=04&au=2023-06-30", nil)
	if strings.Contains(body, `href="/c/`+slug+`"`) || !strings.Contains(body, `href="/c/autre-ctg"`) {
		t.Errorf("la page compte une convention que la personne ne peut pas consulter")
	}
	// The conventions list leads to it.
	if _, body := e.do(t, "lecteur", "GET", "/conventions", nil); !strings.Contains(body, `<a href="/couverture">Couverture du département</a>`) {
		t.Errorf("la liste des conventions ne mène pas à la couverture")
	}
	// Without a département, the form alone.
	resp, body = e.do(t, "lecteur", "GET", "/couverture", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<select id="f-departement" name="departement">`) || strings.Contains(body, "<svg") {
		t.Errorf("formulaire seul : %d", resp.StatusCode)
	}
}

func TestCoveragePageRefusesAnUnknownDepartement(t *testing.T) {
	e := newEnv(t)
	for path, want := range map[string]string{
		"/couverture?departement=99":               "Département : « 99 » n'est pas un département des données INSEE",
		"/couverture?departement=04&au=2023-13-40": "Date : « 2023-13-40 » n'est pas une date",
		"/couverture.csv?departement=99":           "Département : « 99 » n'est pas un département des données INSEE",
		"/couverture?departement=&au=2023-06-30":   "Département : choisissez un département",
	} {
		resp, body := e.do(t, "lecteur", "GET", path, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("%s : %d, %q absent", path, resp.StatusCode, want)
		}
	}
}

func TestCoverageCSVListsTheCommunes(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/couverture.csv?departement=04&au=2023-06-30", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV : %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(body, "\ufeff")), "\r\n")
	inForce := 0
	for _, l := range lines[1:] {
		if strings.Contains(l, ";240400440;") && strings.HasSuffix(l, ";en vigueur;"+slug) {
			inForce++
		}
	}
	if len(lines) != 199 || !strings.HasPrefix(lines[0], "Code INSEE;Commune;") || inForce != 13 {
		t.Errorf("CSV : %d lignes, %d communes en vigueur ; 198 communes et un en-tête, 13 en vigueur attendus\n%s", len(lines), inForce, lines[0])
	}
}

func TestCoverageNeedsSignIn(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/couverture?departement=04", "/couverture.csv?departement=04"} {
		resp, _ := e.do(t, "anonyme", "GET", path, nil)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/connexion?suite=") {
			t.Errorf("%s : %d %s", path, resp.StatusCode, loc)
		}
	}
	if resp, _ := e.do(t, "anonyme", "GET", "/api/v1/coverage?departement=04", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API : %d", resp.StatusCode)
	}
}

func TestCoverageAPI(t *testing.T) {
	e := newEnv(t)
	status, body := e.apiJSON(t, "lecteur", "GET", "/api/v1/coverage?departement=04&at=2023-06-30", "")
	if status != http.StatusOK {
		t.Fatalf("API : %d %s", status, body)
	}
	var out struct {
		Departement string  `json:"departement"`
		Date        string  `json:"date"`
		Population  int     `json:"population"`
		Covered     float64 `json:"covered_share"`
		Totals      map[string]struct {
			EPCIs, Communes, Population int
		} `json:"totals"`
		EPCIs []struct {
			SIREN, Class string
			Communes     int
		} `json:"epcis"`
		Communes []struct{ INSEE, Class string } `json:"communes"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	in := out.Totals["in_force"]
	if out.Departement != "04" || out.Date != "2023-06-30" || len(out.Communes) != 198 || in.Communes != 13 || in.EPCIs != 1 ||
		out.Covered < 0.0595 || out.Covered >= 0.0605 || in.Population*1000/out.Population != int(out.Covered*1000) {
		t.Errorf("chiffres : %+v", out)
	}
	status, body = e.apiJSON(t, "lecteur", "GET", "/api/v1/coverage?departement=99", "")
	if status != http.StatusBadRequest || !strings.Contains(body, `"path": "departement"`) {
		t.Errorf("département inconnu : %d %s", status, body)
	}
}
