package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/pdftext"
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
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Comité de pilotage;2025-10-14;14:30;Mairie de Forcalquier;prévue;Bilan 2024 | Étapes en retard;1;1;1") {
		t.Errorf("export CSV : %d %s", resp.StatusCode, body)
	}
}

// TestMeetingsAPI plans a meeting, records a decision and its action and
// reads them back as JSON; a bad field is named in the error.
func TestMeetingsAPI(t *testing.T) {
	e := newEnv(t)
	api := "/api/v1/conventions/" + slug + "/meetings"
	status, body := e.apiJSON(t, "editeur", "POST", api, `{"committee": "copil", "date": "2025-10-14", "start_time": "25:00"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"start_time"`) {
		t.Errorf("heure invalide : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "editeur", "POST", api, `{"committee": "copil", "date": "2025-10-14", "agenda": ["Bilan 2024", "Avenant"]}`)
	var m struct {
		ID        string   `json:"id"`
		Version   int      `json:"version"`
		Status    string   `json:"status"`
		Agenda    []string `json:"agenda"`
		Decisions []struct {
			ID      string `json:"id"`
			Text    string `json:"text"`
			Actions []struct {
				Text  string `json:"text"`
				DueOn string `json:"due_on"`
			} `json:"actions"`
		} `json:"decisions"`
	}
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &m) != nil || m.Status != "planned" || len(m.Agenda) != 2 {
		t.Fatalf("création : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "editeur", "PUT", api+"/"+m.ID, `{"version": `+strconv.Itoa(m.Version)+`, "committee": "copil", "date": "2025-10-14", "status": "held"}`)
	if status != http.StatusOK || !strings.Contains(body, `"status": "held"`) {
		t.Errorf("mise à jour : %d %s", status, body)
	}
	if status, _ := e.apiJSON(t, "editeur", "PUT", api+"/"+m.ID, `{"version": 1, "committee": "copil", "date": "2025-10-14"}`); status != http.StatusConflict {
		t.Errorf("version dépassée : %d", status)
	}
	status, body = e.apiJSON(t, "editeur", "POST", api+"/"+m.ID+"/decisions", `{"text": "Revoir la cible", "object_kind": "indicator", "object_key": "2.2-1"}`)
	if status != http.StatusOK || json.Unmarshal([]byte(body), &m) != nil || len(m.Decisions) != 1 {
		t.Fatalf("décision : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "editeur", "POST", api+"/"+m.ID+"/decisions/"+m.Decisions[0].ID+"/actions",
		`{"text": "Proposer une cible", "organization": "caf04", "due_on": "2025-12-31"}`)
	if status != http.StatusOK || json.Unmarshal([]byte(body), &m) != nil || len(m.Decisions[0].Actions) != 1 || m.Decisions[0].Actions[0].DueOn != "2025-12-31" {
		t.Fatalf("action : %d %s", status, body)
	}
	if status, body := e.apiJSON(t, "contributeur-autre", "POST", api+"/"+m.ID+"/attendance", `{"organization": "caf04", "status": "present"}`); status != http.StatusForbidden {
		t.Errorf("présence d'une autre organisation par l'API : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "lecteur", "GET", api, "")
	if status != http.StatusOK || !strings.Contains(body, "Proposer une cible") {
		t.Errorf("liste : %d %s", status, body)
	}
}

// TestMeetingPDFs: a reader downloads the convocation from the meeting
// page; the minutes are refused, with the reason, until the meeting is
// held, then hold the attendance, the decision and its action.
func TestMeetingPDFs(t *testing.T) {
	e := newEnv(t)
	base := "/c/" + slug + "/reunions"
	resp, _ := e.do(t, "editeur", "POST", base, url.Values{"committee": {"copil"}, "date": {"2025-10-14"}, "start_time": {"14:30"},
		"place": {"Salle des fêtes de Limans"}, "agenda": {"Bilan 2024\nÉtapes en retard"}})
	page := resp.Header.Get("Location")
	_, body := e.do(t, "lecteur", "GET", page, nil)
	if !strings.Contains(body, `href="`+page+`/convocation.pdf"`) || strings.Contains(body, `href="`+page+`/compte-rendu.pdf"`) ||
		!strings.Contains(body, "disponible une fois la réunion tenue") {
		t.Errorf("liens des PDF d'une réunion prévue :\n%s", body)
	}
	resp, body = e.do(t, "lecteur", "GET", page+"/convocation.pdf", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="`+slug+`-copil-2025-10-14-convocation.pdf"` {
		t.Fatalf("convocation : %d %v", resp.StatusCode, resp.Header)
	}
	text := strings.Join(strings.Fields(pdftext.Text(t, []byte(body))), " ")
	for _, want := range []string{"Convocation – Comité de pilotage", "14 octobre 2025 à 14 h 30", "Salle des fêtes de Limans", "1. Bilan 2024", "2. Étapes en retard"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q absent de la convocation :\n%s", want, text)
		}
	}
	resp, body = e.do(t, "lecteur", "GET", page+"/compte-rendu.pdf", nil)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "n&#39;est pas encore disponible : la réunion est prévue") {
		t.Errorf("compte rendu d'une réunion prévue : %d\n%s", resp.StatusCode, body)
	}

	// Held, with attendance, a decision and its action.
	if resp, _ := e.do(t, "editeur", "POST", page, url.Values{"version": {"1"}, "committee": {"copil"}, "date": {"2025-10-14"}, "start_time": {"14:30"},
		"status": {"held"}, "agenda": {"Bilan 2024"}, "minutes": {"Séance ouverte à 14 h 35."}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("réunion tenue : %d", resp.StatusCode)
	}
	e.do(t, "editeur", "POST", page+"/presences", url.Values{"organization": {"limans"}, "status": {"represented"}, "represented_by": {"M. Blanc"}})
	e.do(t, "editeur", "POST", page+"/decisions", url.Values{"text": {"Réviser le calendrier de la fiche"}, "object_kind": {"fiche"}, "object_key": {"2.2"}})
	_, m, err := e.svc.Meeting(context.Background(), auth.System, slug, strings.TrimPrefix(page, base+"/"))
	if err != nil || len(m.Decisions) != 1 {
		t.Fatalf("décision : %v", err)
	}
	e.do(t, "editeur", "POST", page+"/decisions/"+m.Decisions[0].ID+"/actions", url.Values{"text": {"Proposer un calendrier révisé"},
		"organization": {"limans"}, "due_on": {"2025-12-31"}})
	_, body = e.do(t, "lecteur", "GET", page, nil)
	if !strings.Contains(body, `href="`+page+`/compte-rendu.pdf"`) {
		t.Error("pas de lien vers le compte rendu d'une réunion tenue")
	}
	resp, body = e.do(t, "lecteur", "GET", page+"/compte-rendu.pdf", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("compte rendu : %d", resp.StatusCode)
	}
	text = strings.Join(strings.Fields(pdftext.Text(t, []byte(body))), " ")
	for _, want := range []string{"Compte rendu – Comité de pilotage", "réunion tenue", "Commune de Limans représenté", "M. Blanc", "Séance ouverte à 14 h 35.",
		"Réviser le calendrier de la fiche", "Objet : fiche 2.2 – Mettre en œuvre", "Proposer un calendrier révisé", "31 décembre 2025", "à faire",
		"Compte rendu rédigé par"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q absent du compte rendu :\n%s", want, text)
		}
	}
	// Every member reads the minutes: their author is named, without their address.
	if strings.Contains(text, "@") {
		t.Errorf("une adresse électronique dans le compte rendu :\n%s", text)
	}
}

// The contributor of the organization an action is given to finds the
// button that marks it done on the meeting's page; a reader does not.
func TestAssigneeFindsTheButtonToMarkTheActionDone(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	m, d := apptest.HeldDecision(t, e.svc, auth.System, "2024-10-15")
	if _, err := e.svc.SaveAction(ctx, auth.System, slug, m.ID, d.ID, app.ActionInput{Text: "Réunir les animateurs", Organization: "cordeliere"}); err != nil {
		t.Fatal(err)
	}
	page := "/c/" + slug + "/reunions/" + m.ID
	if _, body := e.do(t, "contributeur", "GET", page, nil); !strings.Contains(body, "Marquer faite<span class=\"visually-hidden\"> : Réunir les animateurs") {
		t.Error("la contributrice de l'organisation chargée de l'action ne peut pas la marquer faite")
	}
	if _, body := e.do(t, "lecteur", "GET", page, nil); strings.Contains(body, "Marquer faite") {
		t.Error("un lecteur se voit proposer de marquer l'action faite")
	}
}

// Convening a committee whose organizations have no member with an
// address says that no convocation left.
func TestConveningNobodySaysSo(t *testing.T) {
	e := newEnv(t)
	m, err := e.svc.SaveMeeting(context.Background(), auth.System, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2026-12-15"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"admin@exemple.fr", "editeur@exemple.fr", "contributeur@exemple.fr", "contributeur-autre@exemple.fr"} {
		_ = e.svc.RemoveMember(context.Background(), auth.System, p, slug)
	}
	form := url.Values{"version": {strconv.Itoa(m.Version)}, "committee": {"copil"}, "date": {"2026-12-15"}, "status": {"convened"}}
	resp, _ := e.do(t, "plateforme", "POST", "/c/"+slug+"/reunions/"+m.ID, form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("convocation : %d", resp.StatusCode)
	}
	// The confirmation travels in a cookie to the page that follows.
	var flash string
	for _, c := range resp.Cookies() {
		if c.Name == flashCookie {
			flash, _ = url.QueryUnescape(c.Value)
		}
	}
	if !strings.Contains(flash, "aucune convocation n'est partie") {
		t.Errorf("confirmation : %q", flash)
	}
}
