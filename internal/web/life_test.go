package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
)

// apiJSON sends a JSON request as a role and returns the status and body.
func (e *testEnv) apiJSON(t *testing.T, role, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	s := e.sessions[role]
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
	req.Header.Set("X-CSRF-Token", s.csrf)
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestLifePageShowsTheTimeline(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/vie?au=2026-11-29", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("page : %d", resp.StatusCode)
	}
	for _, want := range []string{
		`aria-current="page">Vie de la convention</a>`,
		"Délibération de Commune de Limans",
		"date non renseignée",
		"9 novembre 2022", "à Digne-les-Bains",
		"Accusé de réception en préfecture",
		"Fiches de l&#39;axe 5 attendues par avenant au plus tard le 31 mars 2023 — manquantes",
		"31 décembre 2024", "Échue, aucun renouvellement décidé",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page sans « %s »", want)
		}
	}
	if strings.Contains(body, "Enregistrer une résiliation") || strings.Contains(body, "Décider le renouvellement") {
		t.Error("formulaires montrés à un·e lecteur·rice")
	}
	_, body = e.do(t, "editeur", "GET", "/c/"+slug+"/vie", nil)
	if !strings.Contains(body, "Enregistrer une résiliation") || !strings.Contains(body, "Décider le renouvellement") ||
		!strings.Contains(body, `value="ctg-forcalquier-2025"`) || !strings.Contains(body, `value="2027-12-31"`) {
		t.Error("formulaires absents ou sans les valeurs proposées")
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug, nil)
	if !strings.Contains(body, `href="/c/`+slug+`/vie"`) {
		t.Error("la vue d'ensemble ne mène pas à la vie de la convention")
	}
}

func TestTerminationForm(t *testing.T) {
	e := newEnv(t)
	path := "/c/" + slug + "/vie/resiliation"
	bad := url.Values{"mode": {"breach_of_laws"}, "sender": {"limans"}, "letter_on": {"2024-03-12"}, "received_on": {"2024-03-15"}, "references": {"LRAR 1A"}}
	resp, body := e.do(t, "editeur", "POST", path, bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("mode refusé : %d", resp.StatusCode)
	}
	if !strings.Contains(body, `id="termination-sender-erreur">Partie qui envoie la lettre : l&#39;article 12 réserve la résiliation de plein droit avec mise en demeure, pour infraction aux lois et règlements à la Caf : Commune de Limans ne peut pas l&#39;envoyer.`) {
		t.Errorf("erreur absente ou mal placée :\n%s", body[strings.Index(body, "<main"):])
	}
	if !strings.Contains(body, `<option value="limans" selected>`) || !strings.Contains(body, `value="LRAR 1A"`) {
		t.Error("saisie perdue")
	}
	resp, body = e.do(t, "editeur", "POST", path, url.Values{"mode": {"mutual_consent"}, "sender": {"caf04"}, "letter_on": {"2024-03-12"}, "received_on": {"2024-03-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="termination-received_on-erreur">Date de réception : le 1er mars 2024 précède la lettre du 12 mars 2024.`) {
		t.Errorf("réception avant la lettre : %d", resp.StatusCode)
	}
	if acts, _ := e.svc.Acts(context.Background(), auth.System, slug); acts.Termination != nil {
		t.Fatal("un refus a enregistré une résiliation")
	}
	resp, body = e.do(t, "lecteur", "POST", path, url.Values{"mode": {"mutual_consent"}, "sender": {"caf04"}, "letter_on": {"2024-03-12"}, "received_on": {"2024-03-15"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("lecteur·rice : %d", resp.StatusCode)
	}

	resp, _ = e.do(t, "editeur", "POST", path, url.Values{"mode": {"breach_of_obligations"}, "sender": {"limans"}, "letter_on": {"2024-03-12"}, "received_on": {"2024-03-15"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("résiliation : %d", resp.StatusCode)
	}
	_, body = e.do(t, "editeur", "GET", "/c/"+slug+"/vie?au=2024-04-01", nil)
	for _, want := range []string{"Date d'effet</dt><dd><strong>15 avril 2024</strong>", "Lettre de résiliation envoyée par Commune de Limans",
		"préavis de résiliation en cours, effet le 15 avril 2024"} {
		if !strings.Contains(body, want) {
			t.Errorf("page sans « %s »", want)
		}
	}
	if strings.Contains(body, `action="/c/`+slug+`/vie/resiliation"`) {
		t.Error("le formulaire de résiliation reste proposé")
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/historique", nil)
	if !strings.Contains(body, "résiliation enregistrée, effet le 15 avril 2024") {
		t.Error("résiliation absente de l'historique")
	}
}

func TestRenewalForm(t *testing.T) {
	e := newEnv(t)
	path := "/c/" + slug + "/vie/renouvellement"
	resp, body := e.do(t, "admin", "POST", path, url.Values{"decided_on": {"2024-10-15"}, "acts": {""}, "successor_slug": {"CTG 2025"},
		"successor_title": {"CTG 2025-2027"}, "successor_start": {"2025-01-01"}, "successor_end": {"2027-12-31"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("saisie invalide : %d", resp.StatusCode)
	}
	for _, want := range []string{`id="renewal-acts-erreur">Actes de la décision : indiquez`, `id="renewal-successor_slug-erreur">Identifiant de la convention suivante : « CTG 2025 » n&#39;est pas valide`,
		`value="CTG 2025"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page sans « %s »", want)
		}
	}
	if list, _ := e.svc.Conventions(context.Background(), auth.System); len(list) != 2 {
		t.Fatalf("%d conventions après un refus", len(list))
	}
	resp, _ = e.do(t, "admin", "POST", path, url.Values{"decided_on": {"2024-10-15"}, "acts": {"Délibérations d'octobre 2024"},
		"successor_slug": {"ctg-forcalquier-2025"}, "successor_title": {"CTG Pays de Forcalquier 2025-2027"}, "successor_start": {"2025-01-01"}, "successor_end": {"2027-12-31"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("renouvellement : %d", resp.StatusCode)
	}
	_, body = e.do(t, "admin", "GET", "/c/ctg-forcalquier-2025", nil)
	if !strings.Contains(body, `Convention précédente : <a href="/c/`+slug+`">`) || !strings.Contains(body, "CTG Pays de Forcalquier 2025-2027") {
		t.Error("la suivante ne mène pas à la précédente")
	}
	if !strings.Contains(body, `<a href="/c/`+slug+`/bilan.pdf?final=1">son bilan final (PDF)</a>`) {
		t.Error("la suivante ne mène pas au bilan final de la précédente")
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug, nil)
	if !strings.Contains(body, `Convention suivante : <a href="/c/ctg-forcalquier-2025">`) {
		t.Error("la précédente ne mène pas à la suivante")
	}
	_, body = e.do(t, "admin", "GET", "/c/ctg-forcalquier-2025/indicateurs/2.2-1", nil)
	if !strings.Contains(body, "2024 <span class=\"meta\">convention précédente</span>") {
		t.Error("l'indicateur de la suivante ne montre pas l'historique de la précédente")
	}
}

func TestActsAPI(t *testing.T) {
	e := newEnv(t)
	base := "/api/v1/conventions/" + slug
	status, body := e.apiJSON(t, "editeur", "POST", base+"/termination", `{"mode": "breach_of_laws", "sender": "forcalquier", "letter_on": "2024-03-12", "received_on": "2024-03-15"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"path": "sender"`) || !strings.Contains(body, "article 12") {
		t.Errorf("mode refusé : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "editeur", "POST", base+"/termination", `{"mode": "mutual_consent", "sender": "forcalquier", "letter_on": "2024-01-29", "received_on": "2024-01-31", "references": "courrier"}`)
	var out struct {
		Termination struct {
			EffectiveOn string `json:"effective_on"`
		}
	}
	if err := json.Unmarshal([]byte(body), &out); status != http.StatusCreated || err != nil || out.Termination.EffectiveOn != "2024-07-31" {
		t.Errorf("résiliation : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "editeur", "POST", base+"/renewal", `{"decided_on": "2024-10-15", "acts": "Délibérations"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "une résiliation est enregistrée") {
		t.Errorf("renouvellement après résiliation : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "lecteur", "GET", base+"/acts?at=2024-08-01", "")
	var acts struct {
		Termination *struct{ Mode string }
		State       struct{ Code string }
		Events      []struct{ Label, State string }
	}
	if err := json.Unmarshal([]byte(body), &acts); status != http.StatusOK || err != nil || acts.Termination == nil || acts.State.Code != "terminated" || len(acts.Events) < 10 {
		t.Errorf("actes : %d %s", status, body)
	}
}
