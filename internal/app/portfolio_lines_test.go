package app_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// shownRow is what the portfolio's page, CSV and API show of a row.
type shownRow struct {
	Slug, Title, EPCIName, EPCI string
	Departements, Parties       []string
	State                       string
	Period                      model.Period
	Next                        string
	Overdue, Errors, Warnings   int
	CollectionYear              int
	Collection                  app.Progress
	Meeting, Committee          string
}

func shown(rows []app.PortfolioRow) []shownRow {
	out := make([]shownRow, len(rows))
	for i, r := range rows {
		s := shownRow{Slug: r.Slug, Title: r.Title, EPCIName: r.EPCIName, EPCI: r.EPCI, Departements: r.Departements, Parties: r.Parties,
			State: fmt.Sprintf("%s|%s|%s|%s", r.State.Code, r.State.Label, r.State.Explanation, r.State.On), Period: r.Period, Overdue: r.Overdue,
			Errors: r.Errors, Warnings: r.Warnings, CollectionYear: r.CollectionYear, Collection: r.Collection, Committee: r.Committee}
		if e := r.NextDeadline; e != nil {
			s.Next = fmt.Sprintf("%s|%s|%s|%s|%s|%s", e.Date, e.Label, e.Kind, e.Key, e.State, e.Link)
		}
		if m := r.NextMeeting; m != nil {
			s.Meeting = m.ID + "|" + m.Date.String()
		}
		out[i] = s
	}
	return out
}

// The portfolio read from the lines kept shows, row for row, what it
// showed when every row was computed from the whole convention: on the
// first view, on the next ones, after changes of every kind (a value, a
// meeting and an action now overdue, a finding acknowledged, the
// demonstration values removed, a re-import), on another day, and once
// the clock moved on.
func TestPortfolioLinesShowWhatConventionsShow(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		portfolioService(t, svc, st)
		admin := &auth.Actor{PlatformAdmin: true}
		day := model.MustDate("2024-03-01")
		compare := func(when string, f app.PortfolioFilter, d model.Date) {
			t.Helper()
			want, err := svc.PortfolioFromConventions(ctx, admin, f, d)
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.Portfolio(ctx, admin, f, d)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := shown(got), shown(want); !reflect.DeepEqual(g, w) {
				t.Errorf("%s :\nlignes gardées %+v\ncalculées      %+v", when, g, w)
			}
		}
		compare("première vue", app.PortfolioFilter{}, day)
		compare("vue suivante", app.PortfolioFilter{}, day)
		compare("vue filtrée", app.PortfolioFilter{Text: "briançon", Sort: app.PortfolioSortTitle}, day)

		if _, err := svc.SaveValue(ctx, auth.System, briancon, "2.2-1", app.ValueInput{Period: "2023", Number: "7"}); err != nil {
			t.Fatal(err)
		}
		compare("après une valeur", app.PortfolioFilter{}, day)
		m, err := svc.SaveMeeting(ctx, auth.System, briancon, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-01-15", Status: string(model.MeetingHeld)})
		if err != nil {
			t.Fatal(err)
		}
		compare("après une réunion passée", app.PortfolioFilter{}, day)
		d, err := svc.SaveDecision(ctx, auth.System, briancon, m.ID, app.DecisionInput{Text: "Relancer la fiche 2.2", ObjectKind: "fiche", ObjectKey: "2.2"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveAction(ctx, auth.System, briancon, m.ID, d.ID, app.ActionInput{Text: "Réunir les partenaires", Organization: "cc-pflm", DueOn: "2024-02-01"}); err != nil {
			t.Fatal(err)
		}
		compare("après une action en retard", app.PortfolioFilter{}, day)
		if _, err := svc.SaveMeeting(ctx, auth.System, draftSlug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-06-12", Status: string(model.MeetingPlanned)}); err != nil {
			t.Fatal(err)
		}
		compare("après une réunion à venir", app.PortfolioFilter{}, day)
		_, checks, err := svc.Checks(ctx, auth.System, examples.ForcalquierSlug, day)
		if err != nil {
			t.Fatal(err)
		}
		if len(checks.Open) == 0 {
			t.Fatal("aucun constat ouvert à prendre en compte")
		}
		if _, err := svc.Acknowledge(ctx, auth.System, examples.ForcalquierSlug, checks.Open[0].Key, "Accepté en comité", day); err != nil {
			t.Fatal(err)
		}
		compare("après un constat pris en compte", app.PortfolioFilter{}, day)
		if _, err := svc.LoadDemo(ctx, briancon, app.DemoSeed); err != nil {
			t.Fatal(err)
		}
		compare("après des valeurs fictives", app.PortfolioFilter{}, day)
		if _, err := svc.RemoveDemo(ctx, briancon); err != nil {
			t.Fatal(err)
		}
		compare("après le retrait des valeurs fictives", app.PortfolioFilter{}, day)
		if _, err := svc.Import(ctx, examples.Forcalquier, true); err != nil {
			t.Fatal(err)
		}
		compare("après une réimportation", app.PortfolioFilter{}, day)
		compare("un autre jour", app.PortfolioFilter{}, model.MustDate("2025-01-15"))
		compare("de nouveau ce jour", app.PortfolioFilter{}, day)
		svc.SetClock(on("2024-12-31"))
		compare("le jour venu", app.PortfolioFilter{}, model.MustDate("2024-12-31"))
		compare("le jour venu, vue suivante", app.PortfolioFilter{}, model.MustDate("2024-12-31"))
	})
}

// The daily job keeps the portfolio's line of every convention for the
// day, so that the first view of the day reads them instead of computing
// each from its whole convention.
func TestRunPortfolioLinesKeepsTheDaysLines(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	now := time.Date(2024, 5, 6, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	today := model.DateOf(now)
	kept := func() bool {
		lines, err := st.PortfolioLines(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			if l.Day == nil || *l.Day != today || l.Data == nil {
				return false
			}
		}
		return len(lines) > 0
	}
	if kept() {
		t.Fatal("lignes déjà gardées avant la tâche")
	}
	failed := make(chan error, 1)
	go svc.RunPortfolioLines(ctx, func(err error) { failed <- err })
	for deadline := time.Now().Add(2 * time.Minute); !kept(); {
		select {
		case err := <-failed:
			t.Fatal(err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("la tâche n'a pas gardé les lignes du jour")
		}
	}
}
