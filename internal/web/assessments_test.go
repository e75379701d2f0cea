package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
)

func TestAssessmentIsWrittenOnTheFichePage(t *testing.T) {
	e := newEnv(t)
	page := "/c/" + slug + "/fiches/2.2"
	post := page + "/appreciation"
	resp, body := e.do(t, "editeur", "GET", page+"?annee=2023", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<label for="appreciation-texte">Appréciation 2023</label>`) ||
		!strings.Contains(body, `<option value="2024" >2024</option>`) {
		t.Fatalf("formulaire d'appréciation absent : %d", resp.StatusCode)
	}
	text := "Démarche lancée : 262 allocataires contactés. À étendre aux communes du nord en 2025."
	resp, _ = e.do(t, "editeur", "POST", post, url.Values{"annee": {"2024"}, "version": {"0"}, "texte": {text}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"?annee=2024&enregistre=1#appreciation" {
		t.Fatalf("enregistrement : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.do(t, "editeur", "GET", page+"?annee=2024&enregistre=1", nil)
	for _, want := range []string{"Appréciation 2024 enregistrée", text, `<option value="2024" selected>2024 (écrite)</option>`,
		`name="version" value="1"`, "Appréciation 2024 – fiche 2.2"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la fiche après enregistrement", want)
		}
	}

	// A reader sees it and cannot change it; a contributor may once its
	// organization pilots the fiche.
	if _, body := e.do(t, "lecteur", "GET", page+"?annee=2024", nil); !strings.Contains(body, text) || strings.Contains(body, `name="texte"`) {
		t.Error("le lecteur ne voit pas l'appréciation, ou peut la modifier")
	}
	for _, role := range []string{"lecteur", "contributeur"} {
		if resp, _ := e.do(t, role, "POST", post, url.Values{"annee": {"2024"}, "version": {"1"}, "texte": {"Réécrite"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : %d, 403 attendu", role, resp.StatusCode)
		}
	}
	f := e.record(t, "fiche", fiche22)
	e.amend(t, "fiche", f.Target.Meta.ID, map[string]string{"pilots": "cordeliere"})
	resp, _ = e.do(t, "contributeur", "POST", post, url.Values{"annee": {"2024"}, "version": {"1"}, "texte": {text + " Relu par le pilote."}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("contributeur pilote : %d", resp.StatusCode)
	}

	// A save made on an old version is refused; what was typed is kept.
	resp, body = e.do(t, "editeur", "POST", post, url.Values{"annee": {"2024"}, "version": {"1"}, "texte": {"Ma version"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Ma version") || !strings.Contains(body, "Relu par le pilote.") ||
		!strings.Contains(body, `name="version" value="2"`) {
		t.Errorf("conflit : %d", resp.StatusCode)
	}
	resp, body = e.do(t, "editeur", "POST", post, url.Values{"annee": {"2031"}, "version": {"0"}, "texte": {"Plus tard"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "hors de la convention") || !strings.Contains(body, "Plus tard") {
		t.Errorf("année hors période : %d", resp.StatusCode)
	}

	hist, err := e.svc.History(t.Context(), auth.System, slug, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	var entries []string
	for _, h := range hist {
		if h.ObjectType == "assessment" {
			entries = append(entries, fmt.Sprintf("%s %s par %s", h.Action, h.ObjectLabel, h.Actor))
		}
	}
	if len(entries) != 2 || !strings.HasPrefix(entries[0], "update Appréciation 2024 – fiche 2.2 par contributeur") ||
		!strings.HasPrefix(entries[1], "create Appréciation 2024 – fiche 2.2 par editeur") {
		t.Errorf("historique : %v", entries)
	}
}
