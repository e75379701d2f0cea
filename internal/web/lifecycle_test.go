package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
)

// ended is the state of the bundled convention in late 2026, as the
// overview explains it.
const ended = "Signée le 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024 ; échue depuis le 1er janvier 2025, aucun renouvellement décidé."

// stateCell returns the state shown in the list's row of a convention.
func stateCell(t *testing.T, body, slug string) string {
	t.Helper()
	i := strings.Index(body, `<a href="/c/`+slug+`">`)
	if i < 0 {
		t.Fatalf("convention « %s » absente de la liste", slug)
	}
	row := body[i:]
	row = row[:strings.Index(row, "</tr>")]
	j := strings.Index(row, `<span class="badge life-`)
	if j < 0 {
		t.Fatalf("pas d'état dans la ligne : %s", row)
	}
	cell := row[j:]
	return cell[strings.Index(cell, ">")+1 : strings.Index(cell, "</span>")]
}

func TestConventionsListShowsTheComputedState(t *testing.T) {
	e := newEnv(t)
	unsigned := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: en-attente", 1)
	unsigned = strings.Replace(unsigned, "  date: 2022-11-09\n", "", 1)
	if _, err := e.svc.Import(context.Background(), []byte(unsigned), false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ on, bundled, awaiting string }{
		{"2022-06-01", "projet", "projet"},
		{"2023-06-01", "en vigueur", "en attente de signatures"},
		{"2026-11-29", "échue", "en attente de signatures"},
	} {
		resp, body := e.do(t, "plateforme", "GET", "/conventions?au="+tc.on, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("liste : %d", resp.StatusCode)
		}
		if got := stateCell(t, body, slug); got != tc.bundled {
			t.Errorf("le %s, convention signée : « %s », attendu « %s »", tc.on, got, tc.bundled)
		}
		if got := stateCell(t, body, "en-attente"); got != tc.awaiting {
			t.Errorf("le %s, convention non signée : « %s », attendu « %s »", tc.on, got, tc.awaiting)
		}
	}
}

func TestOverviewExplainsTheState(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"?au=2026-11-29", nil)
	if !strings.Contains(body, ">échue</span> au 29 novembre 2026 · "+ended) {
		t.Errorf("en-tête de la vue d'ensemble sans l'état échu expliqué")
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"?au=2023-06-01", nil)
	if !strings.Contains(body, ">en vigueur</span> au 1er juin 2023 · Signée le 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024.") {
		t.Errorf("en-tête de la vue d'ensemble sans l'état en vigueur")
	}
}

func TestLifePageSaysTheStateIsComputed(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/vie", nil)
	if !strings.Contains(body, "L'état se calcule chaque jour à partir de ce qui est enregistré") {
		t.Error("la page Vie de la convention ne dit pas que l'état affiché est calculé")
	}
}

type apiState struct {
	Code, Label, Explanation, On string
}

func TestAPIGivesTheState(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/api/v1/conventions?at=2023-06-01", nil)
	var list struct {
		Conventions []struct {
			Slug  string
			State apiState
		}
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || resp.StatusCode != http.StatusOK || len(list.Conventions) != 1 {
		t.Fatalf("liste : %d %v %s", resp.StatusCode, err, body)
	}
	if s := list.Conventions[0].State; s.Code != "in_force" || s.Label != "en vigueur" || s.On != "2023-06-01" {
		t.Errorf("état dans la liste : %+v", s)
	}

	resp, body = e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"?at=2026-11-29", nil)
	var one struct {
		Slug    string
		Parties []any
		State   apiState
	}
	if err := json.Unmarshal([]byte(body), &one); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("convention : %d %v", resp.StatusCode, err)
	}
	if one.Slug != slug || len(one.Parties) != 6 {
		t.Errorf("la convention a perdu son contenu : %s, %d parties", one.Slug, len(one.Parties))
	}
	if one.State.Code != "ended" || one.State.Label != "échue" || one.State.Explanation != ended {
		t.Errorf("état de la convention : %+v", one.State)
	}

	for _, path := range []string{"/api/v1/conventions?at=2026-13-01", "/api/v1/conventions/" + slug + "?at=demain"} {
		resp, body = e.do(t, "lecteur", "GET", path, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "AAAA-MM-JJ") {
			t.Errorf("%s : %d %s", path, resp.StatusCode, body)
		}
	}
}
