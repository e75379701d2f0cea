package web

import (
	"bytes"
	"errors"
	"net/http"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/ical"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// calendarData is the page « Calendrier »: the obligations by month, with
// a filter by kind, and the fiches' steps over the period.
type calendarData struct {
	*app.Calendar
	// Kind is the kind filtered on, "" for all; Kinds those to choose from.
	Kind  string
	Kinds []lifecycle.EventKind
	// Months are the obligations kept by the filter, month by month.
	Months []calendarMonth
	// Shown is the number of obligations kept, Overdue those past and unmet.
	Shown, Overdue int
}

// calendarMonth is one month of the list.
type calendarMonth struct {
	ID, Label string
	Events    []app.CalendarEvent
}

func (s *Server) calendarOf(w http.ResponseWriter, r *http.Request) (*convView, *calendarData) {
	a := s.signedIn(w, r)
	if a == nil {
		return nil, nil
	}
	cal, err := s.app.Calendar(r.Context(), a, r.PathValue("slug"), s.today(r))
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	d := &calendarData{Calendar: cal, Kind: r.URL.Query().Get("type"), Kinds: cal.Kinds()}
	for _, e := range cal.Events {
		if d.Kind != "" && string(e.Kind) != d.Kind {
			continue
		}
		d.Shown++
		if e.Overdue() {
			d.Overdue++
		}
		id := e.Date.String()[:7]
		if n := len(d.Months); n == 0 || d.Months[n-1].ID != id {
			// « 1er mars 2024 » without its day.
			label := strings.TrimPrefix(textutil.FrenchDate(model.Date{Year: e.Date.Year, Month: e.Date.Month, Day: 1}), "1er ")
			d.Months = append(d.Months, calendarMonth{ID: id, Label: textutil.UpperFirst(label)})
		}
		m := &d.Months[len(d.Months)-1]
		m.Events = append(m.Events, e)
	}
	return newConvView(cal.Convention, a), d
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request) {
	v, d := s.calendarOf(w, r)
	if v == nil {
		return
	}
	s.render(w, r, http.StatusOK, "calendar.html", page{Title: "Calendrier des obligations", Conv: v, Nav: "calendar", Data: d})
}

// calendarCSV exports the obligations the filter keeps, for a spreadsheet.
func (s *Server) calendarCSV(w http.ResponseWriter, r *http.Request) {
	v, d := s.calendarOf(w, r)
	if v == nil {
		return
	}
	var rows [][]string
	for _, m := range d.Months {
		for _, e := range m.Events {
			rows = append(rows, []string{e.Date.String(), e.Kind.Label(), e.Label, e.Detail, e.StateLabel()})
		}
	}
	writeCSV(w, v.Slug+"-calendrier.csv", []string{"Date", "Type", "Échéance", "Précisions", "État"}, rows)
}

// icalFeed serves a feed at its secret address, without a session: the
// token is the key. An unknown or revoked token, or one whose owner may no
// longer read the convention, answers 404.
func (s *Server) icalFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || token == "" {
		s.notFound(w, r)
		return
	}
	scheme := "http"
	if secure(r) {
		scheme = "https"
	}
	feed, err := s.app.Feed(r.Context(), token, scheme+"://"+r.Host)
	if errors.Is(err, model.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := ical.Write(&buf, *feed); err != nil {
		s.serverError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ical.ContentType)
	h.Set("Content-Disposition", `inline; filename="ctg.ics"`)
	h.Set("Cache-Control", "private, no-cache")
	// The secret address must not leak to the pages an event links to.
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(buf.Bytes())
}

// createFeed creates or renews one of the account's feeds and shows its
// address once, on the account page.
func (s *Server) createFeed(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PostFormValue("convention")
	token, err := s.app.SetCalendarFeed(r.Context(), a, slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	title := ""
	if slug != "" {
		c, err := s.app.Convention(r.Context(), a, slug)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		title = c.Title
	}
	s.renderAccount(w, r, a, http.StatusOK, accountData{FeedURL: s.siteOrigin(r) + "/ical/" + token + ".ics", FeedConvention: title})
}

func (s *Server) revokeFeed(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	if err := s.app.RevokeCalendarFeed(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, "Adresse de calendrier révoquée : elle ne donne plus accès à rien.")
	http.Redirect(w, r, "/compte#calendriers", http.StatusSeeOther)
}

// Brief shortens a step's text for a row of the Gantt, between words.
func (calendarData) Brief(text string) string { return textutil.ExcerptAt(text, 0, 0, 60) }
