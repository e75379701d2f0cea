package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// TestCalendarObligations checks the obligations of the bundled convention
// on a day: each kind at its date, a yearly step every year of the period,
// the renewal due six months before the end, the evaluation in the year
// annex 5 names, and a termination's letter, receipt and effect once
// recorded; its overdue steps are the overview's late steps.
func TestCalendarObligations(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		day := model.Date{Year: 2024, Month: 6, Day: 1}
		cal, err := svc.Calendar(ctx, auth.System, slug, day)
		if err != nil {
			t.Fatal(err)
		}
		byUID := map[string]app.CalendarEvent{}
		for _, e := range cal.Events {
			if _, dup := byUID[e.UID(slug)]; dup {
				t.Errorf("UID en double : %s", e.UID(slug))
			}
			byUID[e.UID(slug)] = e
		}
		for uid, want := range map[string]struct {
			date  string
			state lifecycle.EventState
		}{
			"period-start":          {"2022-01-01", lifecycle.EventDone},
			"period-end":            {"2024-12-31", lifecycle.EventUpcoming},
			"step-3.1-1-start-2023": {"2023-01-01", lifecycle.EventMissing},
			"step-3.1-1-start-2024": {"2024-01-01", lifecycle.EventMissing},
			"fiches-axis-5":         {"2023-03-31", lifecycle.EventMissing},
			"collection-2022-open":  {"2023-01-01", lifecycle.EventDone},
			"collection-2022-close": {"2023-12-31", lifecycle.EventDone},
			"collection-2024-open":  {"2025-01-01", lifecycle.EventUpcoming},
			"evaluation-2024-start": {"2024-01-01", lifecycle.EventDone},
			"evaluation-2024-due":   {"2024-12-31", lifecycle.EventUpcoming},
			"renewal-due":           {"2024-06-30", lifecycle.EventUpcoming},
			"step-2.2-3-start":      {"2023-01-01", lifecycle.EventUpcoming},
		} {
			e, ok := byUID[uid+"@"+slug]
			if !ok {
				t.Errorf("%s absent du calendrier", uid)
				continue
			}
			if e.Date.String() != want.date || e.State != want.state {
				t.Errorf("%s : %s %s, attendu %s %s", uid, e.Date, e.State, want.date, want.state)
			}
		}
		if _, ok := byUID["step-3.1-1-start-2025@"+slug]; ok {
			t.Error("une étape annuelle est répétée au-delà de la période")
		}
		overdue := map[string]bool{}
		for _, e := range cal.Events {
			if e.Kind == lifecycle.KindStep && e.Overdue() {
				overdue[e.Link] = true
			}
		}
		late := app.PlanProgressOn(cal.Convention, day).Late
		if len(cal.Late) != len(late) || len(late) == 0 {
			t.Fatalf("%d étapes en retard au calendrier, %d sur la vue d'ensemble", len(cal.Late), len(late))
		}
		for _, l := range late {
			if l.Step.Schedule.Start != nil && !overdue["/c/"+slug+"/fiches/"+l.Fiche.Code] {
				t.Errorf("étape en retard de la fiche %s non marquée au calendrier", l.Fiche.Code)
			}
		}

		if _, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: "breach_of_obligations", Sender: "caf04",
			LetterOn: "2024-03-12", ReceivedOn: "2024-03-15"}); err != nil {
			t.Fatal(err)
		}
		cal, err = svc.Calendar(ctx, auth.System, slug, day)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, e := range cal.Events {
			found[e.UID(slug)] = e.Date.String()
		}
		for uid, date := range map[string]string{"termination-letter": "2024-03-12", "termination-received": "2024-03-15", "termination-effective": "2024-04-15"} {
			if found[uid+"@"+slug] != date {
				t.Errorf("%s : %q, attendu %s", uid, found[uid+"@"+slug], date)
			}
		}
		if _, ok := found["renewal-due@"+slug]; ok {
			t.Error("renouvellement encore à décider après la résiliation")
		}
	})
}

// The committees' meetings and the actions they decide are on the
// calendar; an action past its date and not done is missing.
func TestCalendarHoldsMeetingsAndActions(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		const slug = examples.ForcalquierSlug
		m, err := svc.SaveMeeting(ctx, auth.System, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-05-15", StartTime: "14:00", Place: "Forcalquier",
			Status: string(model.MeetingHeld), Agenda: []string{"Bilan 2023"}})
		if err != nil {
			t.Fatal(err)
		}
		d, err := svc.SaveDecision(ctx, auth.System, slug, m.ID, app.DecisionInput{Text: "Relancer la fiche 2.2", ObjectKind: "fiche", ObjectKey: "2.2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveAction(ctx, auth.System, slug, m.ID, d.ID, app.ActionInput{Text: "Réunir les partenaires", Organization: "cc-pflm", DueOn: "2024-05-31"}); err != nil {
			t.Fatal(err)
		}
		cal, err := svc.Calendar(ctx, auth.System, slug, model.MustDate("2024-06-01"))
		if err != nil {
			t.Fatal(err)
		}
		var meeting, action *app.CalendarEvent
		for i, e := range cal.Events {
			switch e.Kind {
			case lifecycle.KindMeeting:
				meeting = &cal.Events[i]
			case lifecycle.KindAction:
				action = &cal.Events[i]
			}
		}
		if meeting == nil || meeting.Date.String() != "2024-05-15" || !strings.Contains(meeting.Label, "Réunion : ") || meeting.Detail != "14 h · Forcalquier" {
			t.Errorf("réunion : %+v", meeting)
		}
		if action == nil || action.Date.String() != "2024-05-31" || !action.Overdue() || !strings.Contains(action.Detail, "confiée à ") {
			t.Errorf("action : %+v", action)
		}
	})
}
