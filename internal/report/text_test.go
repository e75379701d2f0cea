package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdftext"
)

func TestPrintableKeepsFrenchTypographyAndReplacesWhatTheFontsLack(t *testing.T) {
	for in, want := range map[string]string{
		// French typography is in the fonts, and kept exactly.
		"l’œuvre « Œ »\u00a0: “a” ‘b’ … 10\u202f€ – — é à ç ÿ Ê": "l’œuvre « Œ »\u00a0: “a” ‘b’ … 10\u202f€ – — é à ç ÿ Ê",
		"deux\nlignes": "deux\nlignes",
		// A letter typed with a combining accent keeps its accent.
		"e\u0301te\u0301": "été",
		// What the fonts lack: a white square, or a close equivalent.
		"Jean 🙂":               "Jean □",
		"📊 \U0001F389 漢字":      "□ □ □□",
		"👍🏽 ❤️ fin":            "□ ❤ fin",
		"ＣＴＧ":                  "CTG",
		"\U0001D400 majuscule": "A majuscule",
		// Control characters are not drawn; a tab is a space.
		"son\x07nerie\r\n\ta": "sonnerie\n a",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, attendu %q", in, got, want)
		}
	}
}

// hostile is a text with what the fonts cannot draw amid French text.
const hostile = "Jean 🙂 📊 \U0001F389 cloche\x07sonne 漢字 l’œuvre « Œ » … 10\u202f€ — fin"

// survived checks that a PDF holds hostile as the fonts could draw it, the
// text around each character they lack intact.
func survived(t *testing.T, name string, pdf []byte, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s : %v", name, err)
	}
	writeForLook(t, name+".pdf", pdf)
	// pdftotext reads the narrow no-break space as a space: printable's
	// test checks that it is kept.
	flat := strings.Join(strings.Fields(textOf(t, pdf)), " ")
	if want := "Jean □ □ □ clochesonne □□ l’œuvre « Œ » … 10 € — fin"; !strings.Contains(flat, want) {
		t.Errorf("%s : %q absent :\n%s", name, want, flat)
	}
	if strings.ContainsAny(flat, "🙂📊\U0001F389\x07漢") {
		t.Errorf("%s : caractère non dessinable écrit tel quel :\n%s", name, flat)
	}
}

// Every PDF of ctg is written whatever the characters typed in its data.
func TestEveryPDFDrawsCharactersTheFontsLack(t *testing.T) {
	t.Run("bilan", func(t *testing.T) {
		r := bilan(t, false)
		r.Convention.Title = hostile
		r.SetAssessments([]model.Assessment{{Fiche: "2.2", Year: 2023, Text: hostile, Author: hostile}})
		m, _ := heldMeeting()
		m.Date = model.MustDate("2023-10-15")
		m.Decisions[0].Text = hostile
		m.Decisions[0].Actions[0].Text = hostile
		r.SetMeetings([]model.Meeting{*m})
		pdf, err := r.PDF()
		survived(t, "bilan", pdf, err)
	})
	t.Run("convention", func(t *testing.T) {
		c := forcalquier(t)
		c.Title = hostile
		c.Preamble.Text = hostile
		c.Articles[0].Title = hostile
		c.Equipments[0].Name = hostile
		pdf, err := ConventionPDF(c, ConventionOptions{At: model.MustDate("2025-03-15"), Status: "échue"})
		survived(t, "convention", pdf, err)
	})
	t.Run("convocation", func(t *testing.T) {
		m, opts := heldMeeting()
		m.Status = model.MeetingConvened
		m.Place = hostile
		m.Agenda = []string{hostile, "🎉"}
		pdf, err := ConvocationPDF(forcalquier(t), m, opts)
		survived(t, "convocation", pdf, err)
	})
	t.Run("compte rendu", func(t *testing.T) {
		m, opts := heldMeeting()
		m.Attendance[1].Person = hostile
		m.Attendance[3].Guest = "🙂"
		m.Minutes = hostile
		m.Decisions[0].Text = hostile
		m.Decisions[0].Actions[0].Text = hostile
		opts.MinutesBy = "Jean 🙂"
		pdf, err := MinutesPDF(forcalquier(t), m, opts)
		survived(t, "compte-rendu", pdf, err)
	})
	t.Run("registre", func(t *testing.T) {
		e := RegisterEntry{Controller: "Caf 📊", Role: "responsable de traitement source", Counterpart: hostile, Title: hostile,
			Purposes: hostile, ImplementedOn: "15 mars 2025"}
		pdf, err := RegisterPDF(forcalquier(t), "toutes les parties 🙂", model.MustDate("2025-03-15"), []RegisterEntry{e})
		survived(t, "registre", pdf, err)
	})
}

// A field of the register is never cut from its label by a page break:
// each label and the first words of its value are read on one page.
func TestRegisterKeepsEachFieldOnOnePage(t *testing.T) {
	long := strings.Repeat("composition du foyer, quotient familial, âge des enfants ; ", 6)
	var entries []RegisterEntry
	for i := range 4 {
		entries = append(entries, RegisterEntry{Controller: "Caf", Role: "responsable de traitement source", Counterpart: "Communauté de communes",
			Title: fmt.Sprintf("Échange %d", i+1), Purposes: long, LegalBasis: "mission d'intérêt public", Persons: long, Data: "DONNEES " + long,
			Recipients: long, Transfers: "non", Retention: "un an", Security: long, Opinion: "favorable", ImplementedOn: "15 mars 2025"})
	}
	pdf, err := RegisterPDF(forcalquier(t), "toutes les parties", model.MustDate("2025-03-15"), entries)
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdftext.Text(t, pdf), "\f")
	if len(pages) < 3 {
		t.Fatalf("%d page(s) seulement", len(pages))
	}
	for i, page := range pages {
		if strings.Count(page, "Catégories de données") != strings.Count(page, "DONNEES") {
			t.Errorf("page %d : un libellé « Catégories de données » séparé de sa valeur :\n%s", i+1, page)
		}
	}
}
