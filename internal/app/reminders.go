package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// DefaultReminderDays are how many days before an obligation its reminder
// goes out, unless the server is told otherwise.
var DefaultReminderDays = []int{30, 7}

// QueueReminders queues, for each convention, a reminder of each
// obligation of its calendar still to come within one of days ahead of
// today, to its administrators and editors, who coordinate it, and to the
// members of the organizations responsible for it (CalendarEvent.
// Responsible) or the person an action is given to. An obligation gets the
// reminder of the shortest delay it falls within: 30 days before, then 7
// days before with days 30 and 7 — or, recorded 10 days before its date,
// the 30-day one at once, then the 7-day one. A reminder is queued once
// (store.QueueReminders), whatever the number of servers or calls, and a
// day missed (the server stopped) is caught up the next. It returns how
// many it queued.
func (s *Service) QueueReminders(ctx context.Context, today model.Date, days []int) (int, error) {
	conventions, err := s.store.Conventions(ctx)
	if err != nil {
		return 0, err
	}
	days = slices.Sorted(slices.Values(days))
	var reminders []model.Reminder
	for _, sum := range conventions {
		cal, err := s.Calendar(ctx, auth.System, sum.Slug, today)
		if err != nil {
			return 0, err
		}
		members, err := s.store.Members(ctx, sum.Slug)
		if err != nil {
			return 0, err
		}
		for _, e := range cal.Events {
			left := int(e.Date.Time().Sub(today.Time()).Hours() / 24)
			i := slices.IndexFunc(days, func(d int) bool { return left <= d })
			// An avenant in preparation is dated by its start: it has no
			// deadline to remind of.
			draft := e.Kind == lifecycle.KindAmendment && strings.HasSuffix(e.Key, "-draft")
			if e.State != lifecycle.EventUpcoming || left < 0 || i < 0 || draft {
				continue
			}
			// An action's detail already says whom it is given to.
			var responsible []string
			for _, o := range e.Responsible {
				responsible = append(responsible, cal.Convention.OrgName(o))
			}
			if e.Person != "" {
				responsible = append(responsible, e.Person)
			}
			if e.Kind == lifecycle.KindAction {
				responsible = nil
			}
			subject, text, html, err := renderMail("reminder", map[string]any{"Label": e.Label, "Detail": e.Detail, "When": inDays(left),
				"Date": textutil.FrenchDate(e.Date), "Convention": cal.Convention.Title, "URL": siteURL(ctx, "/c/"+sum.Slug+"/calendrier", nil),
				"Responsible": strings.Join(responsible, ", ")})
			if err != nil {
				return 0, err
			}
			for _, p := range members {
				if p.InvitationPending || !validEmail(p.Email) || !remindedOf(e, p) {
					continue
				}
				reminders = append(reminders, model.Reminder{Key: fmt.Sprintf("%s|%d|%s", e.UID(sum.Slug), days[i], p.Email),
					Mail: s.outboxMail(Outgoing{Convention: sum.Slug, To: p.Email, Subject: subject, Text: text, HTML: html})})
			}
		}
	}
	n, err := s.store.QueueReminders(ctx, reminders)
	if n > 0 {
		s.mailQueued()
	}
	return n, err
}

// inDays says when, from today, a date n days ahead comes.
func inDays(n int) string {
	switch n {
	case 0:
		return "Aujourd'hui"
	case 1:
		return "Demain"
	}
	return fmt.Sprintf("Dans %d jours", n)
}

// remindedOf reports whether a member is reminded of an obligation: the
// coordination always, the others when their organization answers for it
// or when it is given to them by name or e-mail.
func remindedOf(e CalendarEvent, p auth.Member) bool {
	switch {
	case p.Role == auth.RoleAdmin || p.Role == auth.RoleEditor:
		return true
	case p.Role != auth.RoleDPO && p.Organization != "" && slices.Contains(e.Responsible, p.Organization):
		// A DPO answers for data exchanges, not for their organization's
		// other obligations.
		return true
	}
	return namesActor(e.Person, &auth.Actor{Email: p.Email, Name: p.Name})
}

// RunReminders queues the day's reminders at start and then once each new
// day, until ctx is done; report receives the failures, and a failed day
// is tried again an hour later.
func (s *Service) RunReminders(ctx context.Context, days []int, report func(error)) {
	s.runDaily(ctx, func(today model.Date) error {
		_, err := s.QueueReminders(ctx, today, days)
		return err
	}, report)
}

// RunPortfolioLines computes, at start and then once each new day, the
// portfolio's line of every convention whose line is not kept for the day
// yet (see Portfolio), so that the first adviser of the day does not wait
// for every convention to be read; until ctx is done. A line kept by
// another server on the same database is not computed again.
func (s *Service) RunPortfolioLines(ctx context.Context, report func(error)) {
	s.runDaily(ctx, func(today model.Date) error {
		_, err := s.Portfolio(ctx, auth.System, PortfolioFilter{}, today)
		return err
	}, report)
}

// runDaily runs job for the day (in Paris) at start and then once each
// new day, until ctx is done; report receives the failures, and a failed
// day is tried again an hour later.
func (s *Service) runDaily(ctx context.Context, job func(today model.Date) error, report func(error)) {
	var done model.Date
	for {
		if today := model.DateOf(s.now().In(textutil.Paris)); today != done {
			if err := job(today); err == nil {
				done = today
			} else if ctx.Err() == nil {
				report(err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// ParseReminderDays reads "30,7": the days before an obligation when its
// reminder goes out; "" or "0" for none.
func ParseReminderDays(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		switch {
		case err != nil || n < 0 || n > 366:
			return nil, fmt.Errorf("rappels : « %s » n'est pas un nombre de jours entre 0 et 366", f)
		case n > 0:
			out = append(out, n)
		}
	}
	return out, nil
}
