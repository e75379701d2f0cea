package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// lateCount reads « N étape(s) en retard » on a page.
func lateCount(t *testing.T, page string) string {
	t.Helper()
	m := regexp.MustCompile(`(\d+) étape\(s\) en retard`).FindStringSubmatch(page)
	if m == nil {
		return "0"
	}
	return m[1]
}

// TestCalendarPageAgreesWithOverviewAndPlan checks that the calendar shows
// the obligations month by month and the steps' Gantt, and that its late
// steps are those the overview counts and the plan's « en retard » filter
// shows.
func TestCalendarPageAgreesWithOverviewAndPlan(t *testing.T) {
	e := newEnv(t)
	const day = "?au=2024-06-01"
	resp, page := e.do(t, "lecteur", "GET", "/c/"+slug+"/calendrier"+day, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	text := html.UnescapeString(page)
	for _, want := range []string{"Calendrier des obligations", "Mars 2023", "Fiches de l'axe 5 attendues par avenant au plus tard le 31 mars 2023 — manquantes",
		"Début de la période", "Renouvellement à décider avant le 31 décembre 2024", "Évaluation de la convention due", "Ouverture de la collecte des valeurs 2023",
		`class="gantt"`, "T1<br>2022", "Axe 2 —", `aria-current="page">Calendrier</a>`} {
		if !strings.Contains(text, want) {
			t.Errorf("la page ne montre pas %q", want)
		}
	}
	late := lateCount(t, text)
	if late == "0" {
		t.Fatal("aucune étape en retard au 1er juin 2024 : le test ne vérifie rien")
	}
	_, overview := e.do(t, "lecteur", "GET", "/c/"+slug+day, nil)
	if got := lateCount(t, overview); got != late {
		t.Errorf("le calendrier compte %s étapes en retard, la vue d'ensemble %s", late, got)
	}
	_, plan := e.do(t, "lecteur", "GET", "/c/"+slug+"/plan"+day+"&statut=late", nil)
	retards, _, _ := strings.Cut(text[strings.Index(text, `id="retards"`):], "</section>")
	for _, m := range regexp.MustCompile(`/fiches/([0-9.]+)">Fiche`).FindAllStringSubmatch(retards, -1) {
		if !strings.Contains(plan, "/fiches/"+m[1]+`"`) {
			t.Errorf("fiche %s en retard au calendrier, absente du filtre « en retard » du plan", m[1])
		}
	}
}

// TestCalendarFilterAndCSV checks the filter by kind and its CSV export.
func TestCalendarFilterAndCSV(t *testing.T) {
	e := newEnv(t)
	_, page := e.do(t, "lecteur", "GET", "/c/"+slug+"/calendrier?au=2024-06-01&type=fiches", nil)
	text := html.UnescapeString(page)
	if !strings.Contains(text, "Fiches de l'axe 6") || strings.Contains(text, "Début de la période") {
		t.Error("le filtre « fiches promises » garde d'autres échéances ou perd les siennes")
	}
	resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/calendrier.csv?au=2024-06-01&type=step", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("statut %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV illisible : %v (%d lignes)", err, len(rows))
	}
	if rows[0][0] != "Date" || rows[0][1] != "Type" {
		t.Errorf("en-tête %q", rows[0])
	}
	late := 0
	for _, row := range rows[1:] {
		if row[1] != "étapes des fiches" {
			t.Errorf("ligne d'un autre type : %q", row)
		}
		if row[4] == "en retard" {
			late++
		}
	}
	if late == 0 {
		t.Error("aucune échéance d'étape en retard dans l'export")
	}
}

// feedURL creates a feed as the role from the account page form and
// returns the address shown once.
func (e *testEnv) feedURL(t *testing.T, role, convention string) (int, string) {
	t.Helper()
	resp, page := e.do(t, role, "POST", "/compte/calendriers", url.Values{"convention": {convention}})
	m := regexp.MustCompile(`<code class="secret-url">([^<]+)</code>`).FindStringSubmatch(page)
	if m == nil {
		return resp.StatusCode, ""
	}
	return resp.StatusCode, html.UnescapeString(m[1])
}

// fetchFeed reads a feed without any session.
func fetchFeed(t *testing.T, address string) (*http.Response, *goical.Calendar) {
	t.Helper()
	resp, err := http.Get(address)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return resp, nil
	}
	body, _ := io.ReadAll(resp.Body)
	cal, err := goical.NewDecoder(strings.NewReader(string(body))).Decode()
	if err != nil {
		t.Fatalf("flux illisible : %v", err)
	}
	return resp, cal
}

// TestCalendarFeeds checks the feeds at their secret address: readable
// without a session by a calendar parser, with one event per obligation of
// the calendar, stable UIDs and all-day dates; renewed, the old address
// answers 404; revoked too; a person who may not read a convention gets no
// feed of it, and a feed stops when its owner loses access.
func TestCalendarFeeds(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)
	e.svc.SetClock(func() time.Time { return now })
	if _, page := e.do(t, "lecteur", "POST", "/compte/calendriers", url.Values{"convention": {slug}}); !strings.Contains(page, "Adresse du calendrier de « Convention territoriale globale") {
		t.Error("la page du compte nomme la convention du flux par son identifiant, pas par son titre")
	}
	status, address := e.feedURL(t, "lecteur", slug)
	if status != 200 || address == "" {
		t.Fatalf("création du flux : statut %d, adresse %q", status, address)
	}
	if !strings.HasPrefix(address, e.srv.URL+"/ical/") || !strings.HasSuffix(address, ".ics") {
		t.Errorf("adresse %q", address)
	}
	resp, cal := fetchFeed(t, address)
	if resp.StatusCode != 200 {
		t.Fatalf("flux : statut %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	ctx := context.Background()
	want, err := e.svc.Calendar(ctx, auth.System, slug, model.DateOf(now))
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != len(want.Events) {
		t.Fatalf("%d événements dans le flux, %d au calendrier", len(events), len(want.Events))
	}
	byUID := map[string]goical.Event{}
	for _, ev := range events {
		uid, _ := ev.Props.Text("UID")
		if _, dup := byUID[uid]; dup {
			t.Errorf("UID en double : %s", uid)
		}
		byUID[uid] = ev
	}
	accented := false
	for _, w := range want.Events {
		ev, ok := byUID[w.UID(slug)]
		if !ok {
			t.Errorf("événement %s absent du flux", w.UID(slug))
			continue
		}
		summary, _ := ev.Props.Text("SUMMARY")
		label := w.Label
		if w.Overdue() {
			label = "En retard — " + label
		}
		if summary != label {
			t.Errorf("%s : SUMMARY %q, attendu %q", w.UID(slug), summary, label)
		}
		if strings.ContainsAny(summary, ",") && strings.ContainsAny(summary, "éèàç") {
			accented = true
		}
		if ev.Props.Get("DTSTART").ValueType() != goical.ValueDate {
			t.Errorf("%s : DTSTART n'est pas une date (VALUE=DATE)", w.UID(slug))
		}
		if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(w.Date.Time()) {
			t.Errorf("%s : début %v, attendu %s", w.UID(slug), start, w.Date)
		}
	}
	if !accented {
		t.Error("aucun résumé avec accents et virgule : le test n'exerce pas l'échappement")
	}
	for _, uid := range []string{"step-2.2-3-start@" + slug, "step-3.1-1-start-2023@" + slug, "step-3.1-1-start-2024@" + slug, "fiches-axis-5@" + slug, "period-end@" + slug, "renewal-due@" + slug} {
		if _, ok := byUID[uid]; !ok {
			t.Errorf("UID %s absent", uid)
		}
	}

	// Renewed: the old address stops, the new one works.
	_, renewed := e.feedURL(t, "lecteur", slug)
	if renewed == "" || renewed == address {
		t.Fatalf("adresse renouvelée %q", renewed)
	}
	if resp, _ := fetchFeed(t, address); resp.StatusCode != 404 {
		t.Errorf("ancienne adresse après renouvellement : statut %d, 404 attendu", resp.StatusCode)
	}
	if resp, _ := fetchFeed(t, renewed); resp.StatusCode != 200 {
		t.Errorf("nouvelle adresse : statut %d", resp.StatusCode)
	}
	// Revoked from the account page.
	_, account := e.do(t, "lecteur", "GET", "/compte", nil)
	m := regexp.MustCompile(`/compte/calendriers/([^/]+)/revoquer`).FindStringSubmatch(account)
	if m == nil {
		t.Fatal("aucun bouton de révocation sur la page du compte")
	}
	if resp, _ := e.do(t, "lecteur", "POST", "/compte/calendriers/"+m[1]+"/revoquer", url.Values{}); resp.StatusCode != 303 {
		t.Fatalf("révocation : statut %d", resp.StatusCode)
	}
	if resp, _ := fetchFeed(t, renewed); resp.StatusCode != 404 {
		t.Errorf("adresse révoquée : statut %d, 404 attendu", resp.StatusCode)
	}

	// An outsider cannot subscribe to a convention they may not read.
	if status, leaked := e.feedURL(t, "autre-convention", slug); status != 404 || leaked != "" {
		t.Errorf("personne extérieure : statut %d, adresse %q", status, leaked)
	}
	// A feed stops when its owner loses access to the convention.
	_, kept := e.feedURL(t, "editeur", slug)
	if err := e.svc.RemoveMember(ctx, auth.System, "editeur@exemple.fr", slug); err != nil {
		t.Fatal(err)
	}
	if resp, _ := fetchFeed(t, kept); resp.StatusCode != 404 {
		t.Errorf("flux d'une personne qui n'a plus accès : statut %d, 404 attendu", resp.StatusCode)
	}
	if resp, _ := fetchFeed(t, e.srv.URL+"/ical/ical_inconnu.ics"); resp.StatusCode != 404 {
		t.Errorf("jeton inconnu : statut %d", resp.StatusCode)
	}
}

// TestPersonalFeed checks that a person's feed holds their conventions'
// obligations, none of another convention, and their tasks' deadline.
func TestPersonalFeed(t *testing.T) {
	e := newEnv(t)
	e.svc.SetClock(func() time.Time { return time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC) })
	// The contributor's organization reports an indicator: its 2023 value
	// is to enter.
	if _, err := e.svc.AssignResponsible(context.Background(), auth.System, slug, "cordeliere", []string{"2.2-1"}); err != nil {
		t.Fatal(err)
	}
	_, address := e.feedURL(t, "contributeur", "")
	resp, cal := fetchFeed(t, address)
	if resp.StatusCode != 200 {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	tasks := false
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text("UID")
		if !strings.HasSuffix(uid, "@"+slug) {
			t.Errorf("événement d'une autre convention : %s", uid)
		}
		if strings.HasPrefix(uid, "collection-tasks-2023@") {
			tasks = true
			summary, _ := ev.Props.Text("SUMMARY")
			if !strings.Contains(summary, "Mes tâches, collecte 2023") {
				t.Errorf("résumé des tâches %q", summary)
			}
			if d, _ := ev.DateTimeStart(time.UTC); !d.Equal(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("tâches datées du %v, 31 décembre 2024 attendu", d)
			}
		}
	}
	if !tasks {
		t.Error("le flux personnel ne porte pas les tâches de la personne")
	}
}

// TestFeedAddressStaysOutOfTheLog checks that the request log does not
// write a feed's secret address.
func TestFeedAddressStaysOutOfTheLog(t *testing.T) {
	e := newEnv(t)
	var log bytes.Buffer
	h, err := New(e.svc, slog.New(slog.NewTextHandler(&log, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	token := e.feedOf(t, "lecteur", slug)
	if resp, _ := fetchFeed(t, srv.URL+"/ical/"+token+".ics"); resp.StatusCode != 200 {
		t.Fatalf("statut %d", resp.StatusCode)
	}
	if !strings.Contains(log.String(), "/ical/") {
		t.Fatal("requête absente du journal : le test ne vérifie rien")
	}
	if strings.Contains(log.String(), token) {
		t.Error("l'adresse secrète du flux figure dans le journal")
	}
}
