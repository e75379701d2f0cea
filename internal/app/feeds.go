package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/ical"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// CalendarFeed is one of an account's iCalendar feeds, with the title of
// its convention ("" for the personal feed).
type CalendarFeed struct {
	auth.CalendarFeed
	Title string
}

// CalendarFeeds lists the actor's own feeds. A feed whose convention the
// actor may no longer read is listed too, so that it can be revoked; it
// serves nothing.
func (s *Service) CalendarFeeds(ctx context.Context, a *auth.Actor) ([]CalendarFeed, error) {
	if a == nil || a.UserID == "" {
		return nil, model.ErrForbidden
	}
	list, err := s.store.CalendarFeeds(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	if sums, err := s.Conventions(ctx, a); err == nil {
		for _, c := range sums {
			titles[c.Slug] = c.Title
		}
	}
	out := make([]CalendarFeed, len(list))
	for i, f := range list {
		out[i] = CalendarFeed{CalendarFeed: f, Title: titles[f.Convention]}
		if f.Convention != "" && out[i].Title == "" {
			out[i].Title = f.Convention
		}
	}
	return out, nil
}

// SetCalendarFeed creates the actor's feed of a convention they may read
// (slug "" for their personal feed), or renews it: the feed gets a new
// secret token and the old address stops working. The token is returned
// once; only its hash is kept.
func (s *Service) SetCalendarFeed(ctx context.Context, a *auth.Actor, slug string) (string, error) {
	if a == nil || a.UserID == "" {
		return "", model.ErrForbidden
	}
	label := "Flux de calendrier personnel de " + a.Email
	if slug != "" {
		if _, _, copy := model.WorkingCopyOf(slug); copy || !a.CanRead(slug) {
			return "", fmt.Errorf("flux de la convention « %s » : %w", slug, model.ErrNotFound)
		}
		if _, err := s.store.Convention(ctx, slug); err != nil {
			return "", err
		}
		label = "Flux de calendrier de « " + slug + " » pour " + a.Email
	}
	action := "calendar_feed_create"
	list, err := s.store.CalendarFeeds(ctx, a.UserID)
	if err != nil {
		return "", err
	}
	for _, f := range list {
		if f.Convention == slug {
			action = "calendar_feed_renew"
		}
	}
	_, token, err := s.store.SetCalendarFeed(ctx, a.UserID, slug, audited(a, slug, action, "calendar_feed", "", label))
	return token, err
}

// RevokeCalendarFeed ends one of the actor's feeds at once: its address
// then answers « introuvable ».
func (s *Service) RevokeCalendarFeed(ctx context.Context, a *auth.Actor, id string) error {
	list, err := s.CalendarFeeds(ctx, a)
	if err != nil {
		return err
	}
	for _, f := range list {
		if f.ID == id {
			label := "Flux de calendrier personnel de " + a.Email
			if f.Convention != "" {
				label = "Flux de calendrier de « " + f.Convention + " » pour " + a.Email
			}
			return s.store.DeleteCalendarFeed(ctx, a.UserID, id, audited(a, f.Convention, "calendar_feed_revoke", "calendar_feed", id, label))
		}
	}
	return fmt.Errorf("flux %s : %w", id, model.ErrNotFound)
}

// FeedRefresh is how often a calendar application is asked to read a
// feed again.
const FeedRefresh = 6 * time.Hour

// Feed returns the calendar served at a feed's secret address, with links
// under base ("https://ctg.example"): the obligations of its convention,
// or, for a personal feed, of every convention its owner may read and the
// deadlines of their tasks. The owner's rights are those of today: a feed
// whose convention they may no longer read, a revoked token, a disabled
// account all answer ErrNotFound.
func (s *Service) Feed(ctx context.Context, token, base string) (*ical.Calendar, error) {
	f, u, err := s.store.CalendarFeedByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	a, err := s.store.Actor(ctx, u)
	if err != nil {
		return nil, err
	}
	now := s.now()
	today := model.DateOf(now.In(textutil.Paris))
	feed := &ical.Calendar{ProdID: "-//ctg//Calendrier des obligations//FR", Refresh: FeedRefresh}
	slugs := []string{f.Convention}
	if f.Convention == "" {
		feed.Name = "ctg — mes échéances"
		feed.Description = "Les échéances des conventions de " + a.Label() + " et de ses tâches"
		list, err := s.Conventions(ctx, a)
		if err != nil {
			return nil, err
		}
		slugs = slugs[:0]
		for _, c := range list {
			slugs = append(slugs, c.Slug)
		}
	}
	for _, slug := range slugs {
		cal, err := s.Calendar(ctx, a, slug, today)
		if err != nil {
			return nil, err
		}
		c := cal.Convention
		if f.Convention != "" {
			feed.Name = "ctg — " + c.Title
			feed.Description = "Les échéances de la convention « " + c.Title + " »"
		}
		for _, e := range cal.Events {
			feed.Events = append(feed.Events, feedEvent(c, e, now, base, f.Convention == ""))
		}
		if f.Convention == "" {
			task, err := s.taskEvent(ctx, a, c, today)
			if err != nil {
				return nil, err
			}
			if task != nil {
				feed.Events = append(feed.Events, feedEvent(c, *task, now, base, true))
			}
		}
	}
	return feed, nil
}

// feedEvent writes an obligation as an all-day event; in a personal feed,
// the summary names the convention.
func feedEvent(c *model.Convention, e CalendarEvent, now time.Time, base string, personal bool) ical.Event {
	summary := e.Label
	if e.Overdue() {
		summary = "En retard — " + summary
	}
	if personal {
		summary = "[" + c.Slug + "] " + summary
	}
	var desc []string
	if e.Detail != "" {
		desc = append(desc, e.Detail)
	}
	if len(e.Agenda) > 0 {
		desc = append(desc, "Ordre du jour :")
		for i, l := range e.Agenda {
			desc = append(desc, fmt.Sprintf("%d. %s", i+1, l))
		}
	}
	desc = append(desc, "État : "+e.StateLabel(), "Convention : "+c.Title)
	out := ical.Event{UID: e.UID(c.Slug), Stamp: now, Modified: e.Modified, Sequence: e.Sequence, Date: e.Date.Time(),
		Summary: summary, Description: strings.Join(desc, "\n"), Categories: []string{e.Kind.Label()}, Transparent: e.Start.IsZero(),
		Start: e.Start, Location: e.Location}
	if e.Link != "" {
		out.URL = base + e.Link
	}
	return out
}

// taskEvent is what the actor has to do in a convention, as « Mes
// tâches » lists it, due at the close of the year's collection; nil when
// there is nothing to do.
func (s *Service) taskEvent(ctx context.Context, a *auth.Actor, c *model.Convention, today model.Date) (*CalendarEvent, error) {
	_, values, err := s.Values(ctx, a, c.Slug)
	if err != nil {
		return nil, err
	}
	t, err := s.conventionTasks(ctx, a, c, values, today)
	if errors.Is(err, model.ErrForbidden) {
		return nil, nil
	}
	if err != nil || t.Count() == 0 {
		return nil, err
	}
	var parts []string
	toEnter := 0
	for _, e := range t.ToEnter {
		toEnter += len(e.Periods)
	}
	for _, p := range []struct {
		n    int
		what string
	}{{toEnter, "valeur(s) à saisir"}, {len(t.Drafts), "brouillon(s) à soumettre"}, {len(t.Returned), "valeur(s) renvoyée(s) à corriger"},
		{len(t.ToValidate), "valeur(s) à valider"}, {len(t.LateSteps), "étape(s) en retard"}, {len(t.Actions), "action(s) décidée(s) en comité"},
		{len(t.ToStudy), "demande(s) d'échange de données à étudier"}, {len(t.ToDecide), "demande(s) d'échange de données à décider"},
		{len(t.EventsToAnswer), "manifestation(s) à accorder"}, {len(t.EventsToReview), "manifestation(s) à revoir"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	// What is still to do is due by the close of the collection, or, that
	// day past, now.
	due := CollectionCloses(t.Year)
	if due.Before(today) {
		due = today
	}
	e := dated(due, today, fmt.Sprintf("Mes tâches, collecte %d : %s", t.Year, strings.Join(parts, ", ")),
		"la liste complète est sur la page « Mes tâches »", "/taches")
	e.Kind, e.Key = lifecycle.KindCollection, fmt.Sprintf("tasks-%d", t.Year)
	e.State = lifecycle.EventUpcoming
	return &CalendarEvent{Event: e}, nil
}
