package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// TestMeetingIsPlannedFromTheProposedAgenda plans a COPIL from the form,
// with bad then good input, records attendance, a decision and its
// action, and finds the action on the fiche it concerns.
func TestMeetingIsPlannedFromTheProposedAgenda(t *testing.T) {
	e := newEnv(t)
	base := "/c/" + slug + "/reunions"
	resp, body := e.do(t, "editeur", "GET", base+"/nouvelle?date=2025-10-14", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Étapes en retard : fiche") || !strings.Contains(body, `<label for="r-agenda">`) {
		t.Fatalf("formulaire de réunion : %d", resp.StatusCode)
	}
	// Bad input: the form comes back with what was typed and each error beside its field.
	resp, body = e.do(t, "editeur", "POST", base, url.Values{"committee": {"copil"}, "date": {"14/10/2025"}, "start_time": {"9h"},
		"place": {"Salle des fêtes"}, "agenda": {"Point gardé"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("saisie invalide : %d", resp.StatusCode)
	}
	for _, want := range []string{`id="r-date-erreur">La date « 14/10/2025 »`, `value="Salle des fêtes"`, ">Point gardé</textarea>",
		`aria-describedby="r-date-erreur"`, `id="r-time-erreur">L&#39;heure « 9h »`} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent du formulaire renvoyé", want)
		}
	}
	resp, _ = e.do(t, "editeur", "POST", base, url.Values{"committee": {"copil"}, "date": {"2025-10-14"}, "start_time": {"14:30"},
		"place": {"Mairie de Forcalquier"}, "agenda": {"Bilan 2024\nÉtapes en retard"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), base+"/") {
		t.Fatalf("planification : %d", resp.StatusCode)
	}
	page := resp.Header.Get("Location")
	_, body = e.do(t, "editeur", "GET", page, nil)
	for _, want := range []string{"Comité de pilotage du 14 octobre 2025", "<li>Bilan 2024</li>", "Mairie de Forcalquier", "non renseignée"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la page de la réunion", want)
		}
	}

	// The contributor of Limans, a member of the COPIL, may record their organization only.
	_, body = e.do(t, "contributeur-autre", "GET", page, nil)
	if !strings.Contains(body, `<option value="limans"`) || strings.Contains(body, `<option value="caf04"`) || strings.Contains(body, "Noter une décision") {
		t.Error("la contributrice voit d'autres organisations que la sienne, ou le formulaire de décision")
	}
	if resp, _ := e.do(t, "contributeur-autre", "POST", page+"/presences", url.Values{"organization": {"caf04"}, "status": {"present"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("présence de la Caf par la contributrice : %d", resp.StatusCode)
	}
	resp, body = e.do(t, "contributeur-autre", "POST", page+"/presences", url.Values{"organization": {"limans"}, "status": {"represented"}, "person": {"Mme Roux"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="p-rep-erreur"`) || !strings.Contains(body, `value="Mme Roux"`) {
		t.Errorf("représentée sans représentant : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "contributeur-autre", "POST", page+"/presences", url.Values{"organization": {"limans"}, "status": {"represented"},
		"represented_by": {"M. Blanc"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("présence de sa propre organisation : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "contributeur-autre", "POST", page+"/decisions", url.Values{"text": {"x"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("décision par la contributrice : %d", resp.StatusCode)
	}

	resp, body = e.do(t, "editeur", "POST", page+"/decisions", url.Values{"text": {"Relancer"}, "object_kind": {"fiche"}, "object_key": {"9.9"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "La fiche « 9.9 » n&#39;existe pas") {
		t.Errorf("décision sur une fiche inconnue : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "editeur", "POST", page+"/decisions", url.Values{"text": {"Relancer la démarche"}, "object_kind": {"fiche"}, "object_key": {"2.2"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("décision : %d", resp.StatusCode)
	}
	_, body = e.do(t, "editeur", "GET", page, nil)
	i := strings.Index(body, `/decisions/`)
	decision := strings.Split(body[i+len("/decisions/"):], "/")[0]
	actions := page + "/decisions/" + decision + "/actions"
	if resp, _ := e.do(t, "editeur", "POST", actions, url.Values{"text": {"Écrire aux familles"}, "organization": {"caf04"}, "due_on": {"2025-01-31"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("action : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/fiches/2.2", nil)
	if !strings.Contains(body, "Actions décidées") || !strings.Contains(body, "Écrire aux familles") || !strings.Contains(body, "en retard") {
		t.Error("l'action décidée n'apparaît pas sur la fiche 2.2, ou pas en retard")
	}
	_, body = e.do(t, "editeur", "GET", page, nil)
	for _, want := range []string{"M. Blanc", "Relancer la démarche", `href="/c/` + slug + `/fiches/2.2">fiche 2.2</a>`, "Écrire aux familles", "Marquer faite"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la réunion", want)
		}
	}
	// The list and its CSV export.
	_, body = e.do(t, "lecteur", "GET", base, nil)
	if !strings.Contains(body, "14 octobre 2025") || strings.Contains(body, "Planifier une réunion") {
		t.Error("liste des réunions du lecteur")
	}
	resp, body = e.do(t, "lecteur", "GET", base+".csv", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Comité de pilotage") || !strings.Contains(body, strconv.Itoa(1)) {
		t.Errorf("export CSV : %d %s", resp.StatusCode, body)
	}
}
