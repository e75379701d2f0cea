package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// smallPNG is a whole 8 × 4 PNG image.
var smallPNG = func() []byte {
	var b bytes.Buffer
	_ = png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 4)))
	return b.Bytes()
}()

// cleanSVG is an SVG logo with nothing to run or fetch.
const cleanSVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"><rect width="2" height="1" fill="#036"/></svg>`

// logoFor gives La Cordelière a logo and returns its organization key.
func (e *testEnv) logoFor(t *testing.T) string {
	t.Helper()
	if _, err := e.svc.PutLogo(context.Background(), auth.System, slug, app.LogoInput{Organization: "cordeliere", Name: "logo.png",
		Content: bytes.NewReader(smallPNG)}); err != nil {
		t.Fatal(err)
	}
	return "cordeliere"
}

// eventFor declares an event of La Cordelière, financed by the Caf.
func (e *testEnv) eventFor(t *testing.T) *model.EventRequest {
	t.Helper()
	x, err := e.svc.SaveEventRequest(context.Background(), auth.System, slug, "", app.EventRequestInput{Organization: "cordeliere",
		Kind: "inauguration", Title: "Crèche rénovée", ProposedDate: "2025-06-14"})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// otherDateEvent declares an event of La Cordelière for which the Caf
// proposes another date, at version 2.
func (e *testEnv) otherDateEvent(t *testing.T) *model.EventRequest {
	t.Helper()
	x := e.eventFor(t)
	x, err := e.svc.AnswerEventDate(context.Background(), auth.System, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date",
		OtherDate: "2025-06-21"})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func (e *testEnv) eventVersion(t *testing.T, id string) int {
	t.Helper()
	_, x, err := e.svc.EventRequest(context.Background(), auth.System, slug, id)
	if err != nil {
		t.Fatal(err)
	}
	return x.Version
}

// TestCommunicationPageListsLogosArticleAndContacts: the page quotes the
// convention's own article 8, lists every party's logo or says it is
// missing, shows the contacts of the text, and is reached from the
// governance page.
func TestCommunicationPageListsLogosArticleAndContacts(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.PutLogo(context.Background(), auth.System, slug, app.LogoInput{Organization: "caf04", Name: "caf.svg",
		Content: strings.NewReader(cleanSVG)}); err != nil {
		t.Fatal(err)
	}
	_, gov := e.do(t, "lecteur", "GET", "/c/"+slug+"/gouvernance", nil)
	if !strings.Contains(gov, `href="/c/`+slug+`/communication"`) {
		t.Error("la page Gouvernance ne mène pas à la communication")
	}
	resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/communication", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	for _, want := range []string{"Article 8 – COMMUNICATION", "Les supports communs font apparaître les logos de chacune des parties.",
		`alt="Logo : Caisse d’Allocations Familiales des Alpes de Haute-Provence"`, "Logos à compléter", "<li>Mutualité Sociale Agricole",
		"04 92 30 22 16", "04 92 30 24 20", "Télécharger tous les logos (ZIP)"} {
		if !strings.Contains(body, want) {
			t.Errorf("la page ne contient pas %q", want)
		}
	}
	if strings.Contains(body, "<li>Caisse d’Allocations") {
		t.Error("la Caf, qui a son logo, est dans les logos à compléter")
	}
	if strings.Contains(body, "Déposer ou remplacer un logo") {
		t.Error("un lecteur voit le formulaire de dépôt")
	}
}

// TestLogoUploadAndServing: a contributor uploads their organization's
// logo from the page; an unsafe SVG is refused with its reason; the logo
// is served with its type, nosniff and, for an SVG, the policy that
// forbids scripts; the ZIP holds it under a safe name.
func TestLogoUploadAndServing(t *testing.T) {
	e := newEnv(t)
	page := "/c/" + slug + "/communication/logos"
	fields := map[string]string{"organization": "cordeliere"}
	resp, body := e.attach(t, "contributeur", page, "fichier", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), fields)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "gestionnaire d&#39;événement (attribut onload)") {
		t.Errorf("SVG avec onload : %d", resp.StatusCode)
	}
	resp, _ = e.attach(t, "contributeur", page, "fichier", "logo.png", smallPNG, map[string]string{"organization": "caf04"})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("logo d'une autre organisation : %d", resp.StatusCode)
	}
	big := append(append([]byte{}, smallPNG...), bytes.Repeat([]byte{0}, app.MaxLogoSize)...)
	resp, _ = e.attach(t, "contributeur", page, "fichier", "logo.png", big, fields)
	if resp.StatusCode != http.StatusRequestEntityTooLarge && resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("logo de plus de 2 Mo : %d", resp.StatusCode)
	}
	resp, _ = e.attach(t, "contributeur", page, "fichier", "../../logo.svg", []byte(cleanSVG), fields)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("dépôt du logo : %d", resp.StatusCode)
	}
	if flash, _ := url.QueryUnescape(resp.Header.Get("Set-Cookie")); !strings.Contains(flash, "Logo enregistré : Centre socioculturel La Cordelière.") {
		t.Errorf("confirmation du dépôt : %q", flash)
	}
	resp, body = e.do(t, "lecteur", "GET", page+"/cordeliere", nil)
	h := resp.Header
	if resp.StatusCode != http.StatusOK || body != cleanSVG || h.Get("Content-Type") != "image/svg+xml" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Security-Policy") != "default-src 'none'; style-src 'unsafe-inline'" ||
		h.Get("Content-Disposition") != `inline; filename=cordeliere.svg` {
		t.Errorf("logo servi : %d %v", resp.StatusCode, h)
	}
	resp, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/communication/logos.zip", nil)
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil || resp.Header.Get("Content-Type") != "application/zip" || len(zr.File) != 1 || zr.File[0].Name != "cordeliere.svg" {
		t.Fatalf("archive des logos : %v %v", err, resp.Header)
	}
	resp, _ = e.do(t, "contributeur", "POST", page+"/cordeliere/supprimer", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("retrait : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "lecteur", "GET", page+"/cordeliere", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("logo retiré encore servi : %d", resp.StatusCode)
	}
}

// TestEventRequestsOnThePageAndInTheAPI: the partner declares an event
// on the page, the Caf answers through the API, a date passed without
// agreement is flagged, and the event reaches the iCalendar of the
// calendar page.
func TestEventRequestsOnThePageAndInTheAPI(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"organization": {"cordeliere"}, "kind": {"first_stone"}, "title": {"Nouvelle crèche"}, "subject": {"fiche|2.2"},
		"proposed_date": {"2020-06-14"}, "place": {"Forcalquier"}, "financer": {"caf04"}}
	resp, _ := e.do(t, "contributeur", "POST", "/c/"+slug+"/communication/evenements", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("déclaration : %d", resp.StatusCode)
	}
	bad := url.Values{"organization": {"cordeliere"}, "kind": {"first_stone"}, "title": {""}, "proposed_date": {"demain"}}
	resp, body := e.do(t, "contributeur", "POST", "/c/"+slug+"/communication/evenements", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "n&#39;est pas une date") {
		t.Errorf("déclaration incomplète : %d", resp.StatusCode)
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/communication", nil)
	for _, want := range []string{"Pose de la première pierre « Nouvelle crèche »", `État de la demande : <strong class="badge bad">passée sans accord</strong>`, `href="/c/` + slug + `/fiches/2.2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("la page ne contient pas %q", want)
		}
	}
	if strings.Contains(body, "Réponse sur la date") {
		t.Error("un lecteur voit le formulaire de réponse")
	}
	_, list, err := e.svc.EventRequests(context.Background(), auth.System, slug)
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	id := list[0].ID
	api := "/api/v1/conventions/" + slug + "/communication/events/" + id
	if got := e.apiCall(t, "contributeur", "PUT", api+"/date-agreement", `{"version": 1, "date_agreement": "accepted"}`); got != http.StatusForbidden {
		t.Errorf("l'organisateur répond pour la Caf : %d", got)
	}
	if got := e.apiCall(t, "editeur", "PUT", api+"/date-agreement", `{"version": 1, "date_agreement": "accepted"}`); got != http.StatusOK {
		t.Errorf("accord sur la date : %d", got)
	}
	if got := e.apiCall(t, "editeur", "PUT", api+"/charter-agreement", `{"version": 1, "charter_agreement": "granted"}`); got != http.StatusConflict {
		t.Errorf("réponse sur une version dépassée : %d", got)
	}
	_, body = e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"/communication/events", nil)
	var got struct {
		Requests []model.EventRequest `json:"event_requests"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Requests) != 1 || got.Requests[0].Date != model.DateAccepted {
		t.Errorf("demandes lues par l'API : %v %s", err, body)
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/communication", nil)
	if strings.Contains(body, "passée sans accord") {
		t.Error("une date acceptée est signalée sans accord")
	}
	_, body = e.do(t, "lecteur", "GET", "/c/"+slug+"/calendrier?au=2020-01-01", nil)
	if !strings.Contains(body, "Manifestation : pose de la première pierre « Nouvelle crèche »") {
		t.Error("la manifestation n'est pas au calendrier")
	}
}

// TestLogoAPI: upload by multipart, metadata list, and the size bound.
func TestLogoAPI(t *testing.T) {
	e := newEnv(t)
	api := "/api/v1/conventions/" + slug + "/communication/logos"
	resp, body := e.attach(t, "contributeur", api, "file", "logo.png", smallPNG, map[string]string{"organization": "cordeliere"})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != api+"/cordeliere" {
		t.Fatalf("dépôt par l'API : %d %s", resp.StatusCode, body)
	}
	_, body = e.do(t, "lecteur", "GET", api, nil)
	var got struct{ Logos []model.Logo }
	if err := json.Unmarshal([]byte(body), &got); err != nil || len(got.Logos) != 1 || got.Logos[0].Width != 8 || got.Logos[0].ContentType != "image/png" {
		t.Errorf("logos lus : %v %s", err, body)
	}
	big := bytes.Repeat([]byte{0}, app.MaxLogoSize+(2<<20))
	resp, _ = e.attach(t, "contributeur", api, "file", "logo.png", big, map[string]string{"organization": "cordeliere"})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("corps de plus de 3 Mo : %d", resp.StatusCode)
	}
	if n := strconv.Itoa(e.apiCall(t, "contributeur", "DELETE", api+"/cordeliere", "")); n != "204" {
		t.Errorf("retrait par l'API : %s", n)
	}
}

// TestEventOrganizerCannotApproveItself: an organizer naming itself
// financer, from the form or the API, or changing the financer of its
// event, is refused on the financer; a contributor's form has no
// financer to choose, an editor's has.
func TestEventOrganizerCannotApproveItself(t *testing.T) {
	e := newEnv(t)
	form := url.Values{"organization": {"cordeliere"}, "kind": {"inauguration"}, "title": {"Nouvelle crèche"}, "proposed_date": {"2023-06-14"},
		"financer": {"cordeliere"}}
	resp, body := e.do(t, "contributeur", "POST", "/c/"+slug+"/communication/evenements", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "ne peut pas être l&#39;organisateur") {
		t.Errorf("formulaire, l'organisateur financeur : %d", resp.StatusCode)
	}
	api := "/api/v1/conventions/" + slug + "/communication/events"
	status, body := e.apiJSON(t, "contributeur", "POST", api,
		`{"organization": "cordeliere", "financer": "cordeliere", "kind": "inauguration", "title": "Crèche", "proposed_date": "2023-06-14"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"path": "financer"`) {
		t.Errorf("API, l'organisateur financeur : %d %s", status, body)
	}
	x := e.eventFor(t)
	status, body = e.apiJSON(t, "contributeur", "PUT", api+"/"+x.ID,
		`{"version": 1, "financer": "cordeliere", "kind": "inauguration", "title": "Crèche rénovée", "proposed_date": "2025-06-14"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"path": "financer"`) {
		t.Errorf("API, l'organisateur devient financeur : %d %s", status, body)
	}
	if got := e.apiCall(t, "contributeur", "PUT", api+"/"+x.ID+"/date-agreement", `{"version": 1, "date_agreement": "accepted"}`); got != http.StatusForbidden {
		t.Errorf("l'organisateur répond sur la date : %d", got)
	}
	_, body = e.do(t, "contributeur", "GET", "/c/"+slug+"/communication", nil)
	if strings.Contains(body, `name="financer"`) || !strings.Contains(body, "Financeur dont l'accord est requis : Caisse") {
		t.Error("le contributeur peut choisir le financeur sur la page")
	}
	_, body = e.do(t, "editeur", "GET", "/c/"+slug+"/communication", nil)
	if !strings.Contains(body, `name="financer"`) {
		t.Error("l'éditeur ne peut pas choisir le financeur")
	}
}

// TestEventAPIAnswersChangesAndBounds: a changed event comes back with
// both answers pending; a date far from the convention's period is
// refused on its field; a body over 1 Mio is too large (413).
func TestEventAPIAnswersChangesAndBounds(t *testing.T) {
	e := newEnv(t)
	x := e.eventFor(t)
	api := "/api/v1/conventions/" + slug + "/communication/events"
	if got := e.apiCall(t, "editeur", "PUT", api+"/"+x.ID+"/date-agreement", `{"version": 1, "date_agreement": "accepted"}`); got != http.StatusOK {
		t.Fatalf("accord sur la date : %d", got)
	}
	if got := e.apiCall(t, "editeur", "PUT", api+"/"+x.ID+"/charter-agreement", `{"version": 2, "charter_agreement": "granted"}`); got != http.StatusOK {
		t.Fatalf("accord sur la charte : %d", got)
	}
	status, body := e.apiJSON(t, "contributeur", "PUT", api+"/"+x.ID,
		`{"version": 3, "kind": "signing", "title": "Crèche rénovée", "proposed_date": "2025-06-14"}`)
	var got model.EventRequest
	if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil || got.Date != model.DatePending || got.Charter != model.CharterPending {
		t.Errorf("manifestation changée : %d %s", status, body)
	}
	status, body = e.apiJSON(t, "contributeur", "POST", api,
		`{"organization": "cordeliere", "kind": "inauguration", "title": "Crèche", "proposed_date": "9999-12-31"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `"path": "proposed_date"`) || !strings.Contains(body, "hors de la période admise") {
		t.Errorf("date de l'an 9999 : %d %s", status, body)
	}
	big := `{"organization": "cordeliere", "kind": "inauguration", "title": "` + strings.Repeat("x", 2<<20) + `", "proposed_date": "2023-06-14"}`
	for _, path := range []string{api, api + "/" + x.ID, api + "/" + x.ID + "/date-agreement"} {
		method := "PUT"
		if path == api {
			method = "POST"
		}
		if status, body := e.apiJSON(t, "contributeur", method, path, big); status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "trop volumineux") {
			t.Errorf("%s %s, corps de 2 Mio : %d", method, path, status)
		}
	}
	if status, _ := e.apiJSON(t, "editeur", "POST", "/api/v1/conventions/"+slug+"/data-requests", big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("demande de données, corps de 2 Mio : %d", status)
	}
}

// TestOrganizerAcceptsOrProposesADateOnThePage: when the Caf proposes
// another date, the organizer accepts it in one action or proposes
// another; an editor changes every field; each request shows its state,
// on the page and in the API.
func TestOrganizerAcceptsOrProposesADateOnThePage(t *testing.T) {
	e := newEnv(t)
	x := e.otherDateEvent(t)
	page := "/c/" + slug + "/communication"
	_, body := e.do(t, "contributeur", "GET", page+"?au=2025-05-01", nil)
	for _, want := range []string{"Accepter la date du 21 juin 2025", "Proposer une autre date", `<strong class="badge warn">à revoir</strong>`} {
		if !strings.Contains(body, want) {
			t.Errorf("l'organisateur ne voit pas %q", want)
		}
	}
	if strings.Contains(body, "Modifier la demande") {
		t.Error("un contributeur voit le formulaire complet de l'éditeur")
	}
	_, body = e.do(t, "lecteur", "GET", page, nil)
	if strings.Contains(body, "Accepter la date") || strings.Contains(body, "Proposer une autre date") {
		t.Error("un lecteur voit les formulaires de l'organisateur")
	}
	_, body = e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"/communication/events?au=2025-05-01", nil)
	if !strings.Contains(body, `"state": "to_review"`) {
		t.Errorf("état dans l'API : %s", body)
	}
	resp, _ := e.do(t, "contributeur", "POST", page+"/evenements/"+x.ID+"/accepter-date", url.Values{"version": {strconv.Itoa(x.Version)}})
	if flash, _ := url.QueryUnescape(resp.Header.Get("Set-Cookie")); resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash, "le 21 juin 2025") {
		t.Fatalf("acceptation de l'autre date : %d %q", resp.StatusCode, flash)
	}
	_, body = e.do(t, "lecteur", "GET", page+"?au=2025-05-01", nil)
	if !strings.Contains(body, "Inauguration « Crèche rénovée » – Centre socioculturel La Cordelière, 21 juin 2025") ||
		!strings.Contains(body, "<dd>date acceptée</dd>") || !strings.Contains(body, `<strong class="badge">en attente de la Caf</strong>`) {
		t.Errorf("la date acceptée n'est pas la date de la manifestation :\n%s", body)
	}
	// The organizer proposes yet another date: the Caf is asked again.
	resp, _ = e.do(t, "contributeur", "POST", page+"/evenements/"+x.ID, url.Values{"version": {strconv.Itoa(e.eventVersion(t, x.ID))},
		"proposed_date": {"2025-06-28"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("nouvelle date : %d", resp.StatusCode)
	}
	_, y, _ := e.svc.EventRequest(context.Background(), auth.System, slug, x.ID)
	if y.ProposedDate != model.MustDate("2025-06-28") || y.Date != model.DatePending || y.Title != "Crèche rénovée" {
		t.Errorf("nouvelle date proposée : %+v", y)
	}
	// An editor changes the other fields from the page.
	_, body = e.do(t, "editeur", "GET", page, nil)
	if !strings.Contains(body, "Modifier la demande") || !strings.Contains(body, `id="ev-`+x.ID+`-title"`) {
		t.Error("l'éditeur n'a pas le formulaire de modification")
	}
	resp, _ = e.do(t, "editeur", "POST", page+"/evenements/"+x.ID, url.Values{"version": {strconv.Itoa(y.Version)}, "kind": {"signing"},
		"title": {"Convention crèche"}, "subject": {""}, "proposed_date": {"2025-06-28"}, "place": {"Mairie"}, "financer": {"caf04"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification par l'éditeur : %d", resp.StatusCode)
	}
	if _, y, _ = e.svc.EventRequest(context.Background(), auth.System, slug, x.ID); y.Title != "Convention crèche" || y.Kind != model.EventSigning || y.Place != "Mairie" {
		t.Errorf("modification par l'éditeur : %+v", y)
	}
	if resp, _ = e.do(t, "lecteur", "POST", page+"/evenements/"+x.ID, url.Values{"version": {strconv.Itoa(y.Version)}, "title": {"X"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("modification par un lecteur : %d", resp.StatusCode)
	}
}

// TestEventSubjectOptionsAreDistinct: each equipment of the annex is one
// option of the « Rattachement » list, with a value and a label of its
// own, homonyms told apart by their address.
func TestEventSubjectOptionsAreDistinct(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "contributeur", "GET", "/c/"+slug+"/communication", nil)
	start := strings.Index(body, `id="ev-subject"`)
	if start < 0 {
		t.Fatal("pas de liste de rattachement")
	}
	list := body[start : start+strings.Index(body[start:], "</select>")]
	values, labels := map[string]bool{}, map[string]bool{}
	n := 0
	for _, opt := range strings.Split(list, "<option ")[1:] {
		value, label, _ := strings.Cut(opt, ">")
		label, _, _ = strings.Cut(label, "<")
		if values[value] || labels[label] {
			t.Errorf("option en double : %s %s", value, label)
		}
		values[value], labels[label] = true, true
		if strings.Contains(label, "Périscolaire la Cordelière") {
			n++
		}
	}
	if n != 3 || !strings.Contains(list, "Périscolaire la Cordelière (Accueil de loisirs sans hébergement, CHEMIN DE LA LOUETTE, FORCALQUIER)") {
		t.Errorf("périscolaires de La Cordelière : %d\n%s", n, list)
	}
}
