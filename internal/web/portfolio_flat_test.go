package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The portfolio, its page, its CSV and the API, sends as many SQL
// statements at 52 conventions as at 1 once their lines are kept (the
// first view of the day computes them), the coverage of its département
// and the header's count of tasks included; the page shows 50 rows a page.
func TestPortfolioStatementsDoNotGrow(t *testing.T) {
	srv, svc, st, statements := countingServer(t)
	accounts := 0
	count := func(path string) (int64, string) {
		t.Helper()
		accounts++
		return signedInCounter(t, srv, st, statements, fmt.Sprintf("portefeuille%d@exemple.fr", accounts))(path)
	}
	paths := []string{"/portefeuille", "/portefeuille.csv", "/api/v1/portfolio", "/couverture?departement=04"}
	at1 := map[string]int64{}
	count("/portefeuille")
	for _, p := range paths {
		at1[p], _ = count(p)
	}
	importCopies(t, svc, 51)
	first, _ := count("/portefeuille")
	for _, p := range paths {
		if n, _ := count(p); n != at1[p] {
			t.Errorf("%s : %d requêtes SQL à 1 convention, %d à 52", p, at1[p], n)
		}
	}
	if first <= at1["/portefeuille"] {
		t.Errorf("la première vue après 51 imports calcule les lignes : %d requêtes, %d ensuite", first, at1["/portefeuille"])
	}
	_, body := count("/portefeuille")
	if n := strings.Count(body, `<th scope="row"><a href="/c/`); n != 50 || !strings.Contains(body, "52 convention(s), page 1 sur 2") ||
		!strings.Contains(body, `href="/portefeuille?page=2" rel="next"`) {
		t.Errorf("page 1 : %d lignes\n%s", n, body)
	}
	_, body = count("/portefeuille?tri=titre&page=2")
	if n := strings.Count(body, `<th scope="row"><a href="/c/`); n != 2 || !strings.Contains(body, `rel="prev"`) || !strings.Contains(body, "/c/ctg-51") {
		t.Errorf("page 2, par titre : %d lignes\n%s", n, body)
	}
	_, body = count("/api/v1/portfolio")
	var rows []struct {
		Slug string `json:"slug"`
	}
	if err := json.Unmarshal([]byte(body), &rows); err != nil || len(rows) != 52 {
		t.Errorf("API : %v, %d lignes", err, len(rows))
	}
}
