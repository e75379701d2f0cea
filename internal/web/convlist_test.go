package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
)

// The conventions list, on the page and in the API, sends as many SQL
// statements at 52 conventions as at 1 — the header's count of tasks
// included, counted afresh for a new account each time — and pages them
// by 50.
func TestConventionListStatementsDoNotGrow(t *testing.T) {
	srv, svc, st, statements := countingServer(t)
	accounts := 0
	// count requests path as a new platform administrator and returns
	// the statements it sent and the body.
	count := func(path string) (int64, string) {
		t.Helper()
		accounts++
		return signedInCounter(t, srv, st, statements, fmt.Sprintf("plateforme%d@exemple.fr", accounts))(path)
	}
	page1, body := count("/conventions")
	if !strings.Contains(body, "Fiches de l&#39;axe 5 promises par avenant") {
		t.Fatalf("liste à 1 convention sans prochaine échéance :\n%s", body)
	}
	api1, _ := count("/api/v1/conventions")

	importCopies(t, svc, 51)
	pageN, body := count("/conventions")
	if pageN != page1 {
		t.Errorf("/conventions : %d requêtes SQL à 1 convention, %d à 52", page1, pageN)
	}
	if n := strings.Count(body, "<tr>") - 1; n != 50 || !strings.Contains(body, "52 conventions, page 1 sur 2") || !strings.Contains(body, `href="/conventions?page=2" rel="next"`) {
		t.Errorf("page 1 : %d lignes\n%s", n, body)
	}
	if _, body := count("/conventions?page=2"); strings.Count(body, "<tr>")-1 != 2 || !strings.Contains(body, "ctg-forcalquier-2022") {
		t.Errorf("page 2 :\n%s", body)
	}
	apiN, body := count("/api/v1/conventions?page=2")
	if apiN != api1 {
		t.Errorf("/api/v1/conventions : %d requêtes SQL à 1 convention, %d à 52", api1, apiN)
	}
	var got struct {
		Conventions []struct {
			Slug         string `json:"slug"`
			NextDeadline *struct {
				Label string `json:"label"`
			} `json:"next_deadline"`
		} `json:"conventions"`
		Total, Page, Pages int
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || got.Total != 52 || got.Page != 2 || got.Pages != 2 || len(got.Conventions) != 2 ||
		got.Conventions[1].Slug != examples.ForcalquierSlug || got.Conventions[1].NextDeadline == nil {
		t.Errorf("API, page 2 : %v\n%s", err, body)
	}
}

// A page number or a state that does not exist is explained.
func TestConventionListRefusesUnknownFilters(t *testing.T) {
	e := newEnv(t)
	// The list viewed, then refused: the refusal shows no line, and the
	// list kept for the next view keeps its lines.
	if _, body := e.do(t, "plateforme", http.MethodGet, "/conventions", nil); !strings.Contains(body, `<a href="/c/`) {
		t.Fatalf("liste sans ligne :\n%s", body)
	}
	resp, body := e.do(t, "plateforme", http.MethodGet, "/conventions?etat=perdue&page=0", nil)
	if strings.Contains(body, `<a href="/c/`) {
		t.Errorf("une liste refusée montre des lignes :\n%s", body)
	}
	defer func() {
		if _, body := e.do(t, "plateforme", http.MethodGet, "/conventions", nil); !strings.Contains(body, `<a href="/c/`) {
			t.Errorf("après un refus, la liste n'a plus de ligne :\n%s", body)
		}
	}()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "« perdue » n&#39;est pas un état de convention") ||
		!strings.Contains(body, "« 0 » n&#39;est pas un numéro de page") {
		t.Errorf("statut %d\n%s", resp.StatusCode, body)
	}
	resp, body = e.do(t, "plateforme", http.MethodGet, "/api/v1/conventions?page=deux", nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "page") {
		t.Errorf("API : statut %d\n%s", resp.StatusCode, body)
	}
}

// A filtered list says how many conventions it found, and its table
// scrolls on a phone within a region a keyboard reaches.
func TestFilteredConventionListSaysHowMany(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "plateforme", "GET", "/conventions?texte=forcalquier", nil)
	if !strings.Contains(body, "2 conventions.") {
		t.Errorf("liste filtrée sans son nombre de conventions :\n%s", body)
	}
	if !strings.Contains(body, `<div class="table-scroll" role="region" aria-label="Conventions auxquelles vous avez accès" tabindex="0">`) {
		t.Error("la table des conventions ne défile pas dans une région")
	}
}

// A list is filtered by a text of 200 characters at most: a longer one is
// refused with the field named, on the pages and in the API.
func TestListFilterTextsAreBounded(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("é", 201)
	for _, path := range []string{"/conventions?texte=" + long, "/portefeuille?texte=" + long, "/portefeuille?organisation=" + long,
		"/api/v1/conventions?texte=" + long, "/api/v1/portfolio?texte=" + long} {
		resp, body := e.do(t, "plateforme", http.MethodGet, path, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "200 caractères au plus (201 saisis)") {
			t.Errorf("%s : statut %d\n%.600s", path[:min(len(path), 40)], resp.StatusCode, body)
		}
	}
	if resp, _ := e.do(t, "plateforme", http.MethodGet, "/portefeuille?texte="+strings.Repeat("é", 200), nil); resp.StatusCode != http.StatusOK {
		t.Errorf("200 caractères : statut %d", resp.StatusCode)
	}
}
