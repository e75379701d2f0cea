package ical

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

// TestFeedReadsBackInAMaintainedParser writes a feed with accents,
// commas, semicolons, backslashes, line breaks and long texts, and reads
// it with an independent iCalendar parser: every event comes back with
// its UID, its all-day dates and its texts as written.
func TestFeedReadsBackInAMaintainedParser(t *testing.T) {
	stamp := time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	long := strings.Repeat("Accès aux droits, médiation numérique ; ", 8)
	events := []Event{
		{UID: "step-2.2-1-end@ctg-forcalquier-2022", Stamp: stamp, Modified: stamp.Add(-time.Hour), Sequence: 2, Date: day("2024-12-31"),
			Summary: "Fiche 2.2, étape 1 — échéance : créer un « point d'accès », un guichet; suivi\\bilan", Description: "Ligne 1\nLigne 2\r\n" + long,
			URL: "https://ctg.example/c/ctg-forcalquier-2022/fiches/2.2", Categories: []string{"étapes des fiches", "en retard, à traiter"}},
		{UID: "period-end@ctg-forcalquier-2022", Stamp: stamp, Date: day("2024-02-29"), Until: day("2024-03-02"), Summary: "Fin de la période"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, Calendar{ProdID: "-//ctg//ctg//FR", Name: "CTG de Forcalquier, échéances", Refresh: 6 * time.Hour, Events: events}); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	for i, line := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("ligne %d de %d octets (75 au plus) : %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("ligne %d coupée au milieu d'un caractère : %q", i+1, line)
		}
	}
	if strings.Contains(strings.ReplaceAll(raw, "\r\n", ""), "\n") {
		t.Error("fin de ligne sans CR")
	}

	cal, err := goical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatalf("flux illisible : %v\n%s", err, raw)
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); name != "CTG de Forcalquier, échéances" {
		t.Errorf("nom du calendrier = %q", name)
	}
	got := cal.Events()
	if len(got) != len(events) {
		t.Fatalf("%d événements lus, %d écrits", len(got), len(events))
	}
	for i, e := range got {
		want := events[i]
		if uid, _ := e.Props.Text("UID"); uid != want.UID {
			t.Errorf("UID = %q, attendu %q", uid, want.UID)
		}
		if summary, _ := e.Props.Text("SUMMARY"); summary != want.Summary {
			t.Errorf("SUMMARY = %q, attendu %q", summary, want.Summary)
		}
		start := e.Props.Get("DTSTART")
		if start.ValueType() != goical.ValueDate {
			t.Errorf("%s : DTSTART de type %s, une date (VALUE=DATE) attendue", want.UID, start.ValueType())
		}
		from, err := e.DateTimeStart(time.UTC)
		if err != nil || !from.Equal(want.Date) {
			t.Errorf("%s : début %v (%v), attendu %v", want.UID, from, err, want.Date)
		}
		last := want.Date
		if !want.Until.IsZero() {
			last = want.Until
		}
		if to, err := e.DateTimeEnd(time.UTC); err != nil || !to.Equal(last.AddDate(0, 0, 1)) {
			t.Errorf("%s : fin %v (%v), attendu le lendemain du %v", want.UID, to, err, last)
		}
		if stamp2, err := e.Props.DateTime("DTSTAMP", time.UTC); err != nil || !stamp2.Equal(stamp) {
			t.Errorf("%s : DTSTAMP %v (%v)", want.UID, stamp2, err)
		}
	}
	first := got[0]
	if d, _ := first.Props.Text("DESCRIPTION"); d != "Ligne 1\nLigne 2\n"+long {
		t.Errorf("DESCRIPTION = %q", d)
	}
	if cats, _ := first.Props.Get("CATEGORIES").TextList(); len(cats) != 2 || cats[1] != "en retard, à traiter" {
		t.Errorf("CATEGORIES = %q", cats)
	}
	if seq := first.Props.Get("SEQUENCE"); seq == nil || seq.Value != "2" {
		t.Errorf("SEQUENCE = %v", seq)
	}
	if m, err := first.Props.DateTime("LAST-MODIFIED", time.UTC); err != nil || !m.Equal(stamp.Add(-time.Hour)) {
		t.Errorf("LAST-MODIFIED = %v (%v)", m, err)
	}
}

// TestFoldingNeverSplitsACharacter folds lines of two- and three-octet
// characters at every offset.
func TestFoldingNeverSplitsACharacter(t *testing.T) {
	for n := range 80 {
		summary := strings.Repeat("a", n) + strings.Repeat("é€", 40)
		var buf bytes.Buffer
		if err := Write(&buf, Calendar{ProdID: "x", Events: []Event{{UID: "u", Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Summary: summary}}}); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\r\n") {
			if len(line) > 75 || !utf8.ValidString(line) {
				t.Fatalf("n=%d : ligne %q", n, line)
			}
		}
		cal, err := goical.NewDecoder(&buf).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := cal.Events()[0].Props.Text("SUMMARY"); got != summary {
			t.Fatalf("n=%d : SUMMARY = %q", n, got)
		}
	}
}

// TestTimedEventReadsBackWithItsPlace: a meeting at a set time comes back
// at that instant, two hours long by default, with its place.
func TestTimedEventReadsBackWithItsPlace(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 10, 15, 14, 30, 0, 0, paris)
	var buf bytes.Buffer
	err = Write(&buf, Calendar{ProdID: "x", Events: []Event{{UID: "meeting-1@c", Stamp: start, Date: time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC),
		Start: start, Summary: "Réunion : Comité de pilotage", Location: "Salle du conseil, mairie; Forcalquier"}}})
	if err != nil {
		t.Fatal(err)
	}
	cal, err := goical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	e := cal.Events()[0]
	if from, err := e.DateTimeStart(time.UTC); err != nil || !from.Equal(start) {
		t.Errorf("début %v (%v), attendu %v", from, err, start)
	}
	if to, err := e.DateTimeEnd(time.UTC); err != nil || !to.Equal(start.Add(2*time.Hour)) {
		t.Errorf("fin %v (%v)", to, err)
	}
	if where, _ := e.Props.Text("LOCATION"); where != "Salle du conseil, mairie; Forcalquier" {
		t.Errorf("LOCATION = %q", where)
	}
}
