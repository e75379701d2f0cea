package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

const (
	briancon     = "ctg-briancon"
	brianconEPCI = "240500439"
	draftSlug    = "ctg-projet"
)

// portfolioService holds three conventions: the bundled one, a copy for
// the CC du Briançonnais (05) whose title begins with "=", and an unsigned
// copy, a draft; its clock stands on 1 March 2024.
func portfolioService(t *testing.T, svc *app.Service, st store.Store) {
	t.Helper()
	ctx := context.Background()
	svc.SetClock(on("2024-03-01"))
	src := string(examples.Forcalquier)
	other := strings.Replace(src, "slug: "+examples.ForcalquierSlug, "slug: "+briancon, 1)
	other = strings.Replace(other, "title: Convention territoriale globale (Ctg) 2022-2024 — Communauté de Communes Pays de Forcalquier Montagne de Lure",
		"title: =Convention du Briançonnais", 1)
	other = strings.Replace(other, "territory:\n  epci: \"240400440\"", "territory:\n  epci: \""+brianconEPCI+"\"", 1)
	if _, err := svc.Import(ctx, []byte(other), false); err != nil {
		t.Fatal(err)
	}
	unsigned := strings.Replace(src, "slug: "+examples.ForcalquierSlug, "slug: "+draftSlug, 1)
	unsigned = strings.Replace(unsigned, "title: Convention territoriale globale (Ctg) 2022-2024", "title: Projet de CTG", 1)
	if _, err := svc.Import(ctx, []byte(unsigned), false); err != nil {
		t.Fatal(err)
	}
	apptest.Unsign(t, svc, st, draftSlug)
}

func portfolioOf(t *testing.T, svc *app.Service, a *auth.Actor, f app.PortfolioFilter) []app.PortfolioRow {
	t.Helper()
	rows, err := svc.Portfolio(context.Background(), a, f, model.MustDate("2024-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func slugsOf(rows []app.PortfolioRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Slug)
	}
	return out
}

// openLines counts the checker's findings of a severity as lines, one per
// rule, record and message, computed here from the checker itself.
func openLines(t *testing.T, svc *app.Service, slug string, sev lint.Severity, day model.Date) int {
	t.Helper()
	ctx := context.Background()
	c, err := svc.Convention(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := svc.Findings(ctx, c, day)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range fs {
		record := f.Kind + "/" + f.ID
		if f.ID == "" {
			record = f.Path
		}
		if f.Severity == sev {
			seen[f.Rule+"|"+record+"|"+f.Message] = true
		}
	}
	return len(seen)
}

func TestPortfolioSummarizesEachConvention(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		portfolioService(t, svc, st)
		day := model.MustDate("2024-03-01")
		// A value entered for 2023 and a committee meeting to come on the
		// bundled convention only.
		if _, err := svc.SaveValue(ctx, auth.System, examples.ForcalquierSlug, "2.2-1", app.ValueInput{Period: "2023", Number: "12"}); err != nil {
			t.Fatal(err)
		}
		for _, date := range []string{"2024-09-20", "2024-04-10"} {
			if _, err := svc.SaveMeeting(ctx, auth.System, examples.ForcalquierSlug, "", 0, app.MeetingInput{Committee: "copil", Date: date,
				Status: string(model.MeetingPlanned)}); err != nil {
				t.Fatal(err)
			}
		}
		rows := portfolioOf(t, svc, &auth.Actor{PlatformAdmin: true}, app.PortfolioFilter{})
		if got := slugsOf(rows); len(got) != 3 {
			t.Fatalf("portefeuille de l'administrateur : %v, trois conventions attendues", got)
		}
		bySlug := map[string]app.PortfolioRow{}
		for _, r := range rows {
			bySlug[r.Slug] = r
		}
		forc, bri, draft := bySlug[examples.ForcalquierSlug], bySlug[briancon], bySlug[draftSlug]
		if forc.EPCIName != "CC Pays Forcalquier et Montagne de Lure" || forc.EPCI != "240400440" || !slices.Equal(forc.Departements, []string{"04"}) {
			t.Errorf("Forcalquier : %q %q %v", forc.EPCIName, forc.EPCI, forc.Departements)
		}
		if bri.EPCIName != "CC du Briançonnais" || bri.EPCI != brianconEPCI || !slices.Equal(bri.Departements, []string{"05"}) {
			t.Errorf("Briançonnais : %q %q %v", bri.EPCIName, bri.EPCI, bri.Departements)
		}
		if forc.State.Code != lifecycle.InForce || forc.State.Label != "en vigueur" || bri.State.Code != lifecycle.InForce {
			t.Errorf("états : %q, %q", forc.State.Code, bri.State.Code)
		}
		c, err := svc.Convention(ctx, auth.System, draftSlug)
		if err != nil {
			t.Fatal(err)
		}
		if want := lifecycle.Of(c).On(day); draft.State.Code != want || want == lifecycle.InForce {
			t.Errorf("projet : état %q, %q attendu", draft.State.Code, want)
		}
		for _, r := range rows {
			if e, w := openLines(t, svc, r.Slug, lint.Error, day), openLines(t, svc, r.Slug, lint.Warning, day); r.Errors != e || r.Warnings != w {
				t.Errorf("%s : %d erreurs et %d avertissements, %d et %d attendus", r.Slug, r.Errors, r.Warnings, e, w)
			}
		}
		if bri.Errors <= forc.Errors {
			t.Errorf("les communes de Forcalquier hors du Briançonnais ne comptent pas : %d erreurs contre %d", bri.Errors, forc.Errors)
		}
		// The collection of 2023: one value entered of those the catalogue
		// expects.
		expected := 0
		for _, e := range indicators.Catalogue(c) {
			expected += len(e.Periodicity.Periods(2023))
		}
		if forc.CollectionYear != 2023 || forc.Collection.Entered != 1 || forc.Collection.Expected != expected || bri.Collection.Entered != 0 {
			t.Errorf("collecte : %d, %d/%d (Briançonnais %d), 1/%d attendu", forc.CollectionYear, forc.Collection.Entered, forc.Collection.Expected,
				bri.Collection.Entered, expected)
		}
		// The next meeting, the earliest to come.
		if forc.NextMeeting == nil || forc.NextMeeting.Date != model.MustDate("2024-04-10") || forc.Committee != "Comité de pilotage" || bri.NextMeeting != nil {
			t.Errorf("prochaine réunion : %+v %q", forc.NextMeeting, forc.Committee)
		}
		// The next deadline is the first obligation of the calendar to come.
		cal, err := svc.Calendar(ctx, auth.System, briancon, day)
		if err != nil {
			t.Fatal(err)
		}
		var next *app.CalendarEvent
		for i, e := range cal.Events {
			if e.State == lifecycle.EventUpcoming && !e.Date.Before(day) {
				next = &cal.Events[i]
				break
			}
		}
		if next == nil || bri.NextDeadline == nil || bri.NextDeadline.Date != next.Date || bri.NextDeadline.Label != next.Label {
			t.Errorf("prochaine échéance : %+v, %+v attendu", bri.NextDeadline, next)
		}
		if forc.NextDeadline == nil || forc.NextDeadline.Date.After(model.MustDate("2024-04-10")) {
			t.Errorf("la réunion du 10 avril précède l'échéance donnée : %+v", forc.NextDeadline)
		}
		// Sorted by next deadline.
		for i := 1; i < len(rows); i++ {
			if a, b := rows[i-1].NextDeadline, rows[i].NextDeadline; a == nil && b != nil || a != nil && b != nil && b.Date.Before(a.Date) {
				t.Errorf("ordre des échéances : %v", slugsOf(rows))
			}
		}
	})
}

func TestPortfolioShowsWhatTheActorReads(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	portfolioService(t, svc, st)
	u := &auth.User{Email: "lectrice@exemple.fr", Name: "Lectrice", PasswordHash: "x"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, u.Email, auth.Membership{Convention: briancon, Role: auth.RoleReader}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.ActorByEmail(ctx, u.Email)
	if err != nil {
		t.Fatal(err)
	}
	if got := slugsOf(portfolioOf(t, svc, a, app.PortfolioFilter{})); !slices.Equal(got, []string{briancon}) {
		t.Errorf("lectrice d'une convention : %v", got)
	}
	if got := portfolioOf(t, svc, &auth.Actor{UserID: "x"}, app.PortfolioFilter{}); len(got) != 0 {
		t.Errorf("personne sans convention : %v", slugsOf(got))
	}
	// An avenant's working copy is not a convention of the portfolio.
	svc.SetClock(on("2024-03-01"))
	if _, err := svc.PrepareAmendment(ctx, auth.System, examples.ForcalquierSlug, "Ajout d'une fiche"); err != nil {
		t.Fatal(err)
	}
	for _, s := range slugsOf(portfolioOf(t, svc, &auth.Actor{PlatformAdmin: true}, app.PortfolioFilter{})) {
		if _, _, copy := model.WorkingCopyOf(s); copy {
			t.Errorf("copie de travail %s dans le portefeuille", s)
		}
	}
}

func TestPortfolioFilters(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	portfolioService(t, svc, st)
	// A meeting on 10 April is the bundled convention's next deadline; the
	// others come on 30 June (the renewal to decide).
	if _, err := svc.SaveMeeting(context.Background(), auth.System, examples.ForcalquierSlug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-04-10",
		Status: string(model.MeetingPlanned)}); err != nil {
		t.Fatal(err)
	}
	admin := &auth.Actor{PlatformAdmin: true}
	april, june := model.MustDate("2024-04-30"), model.MustDate("2024-06-30")
	for name, c := range map[string]struct {
		f    app.PortfolioFilter
		want []string
	}{
		"aucun":                {app.PortfolioFilter{}, []string{examples.ForcalquierSlug, briancon, draftSlug}},
		"par titre":            {app.PortfolioFilter{Sort: app.PortfolioSortTitle}, []string{briancon, examples.ForcalquierSlug, draftSlug}},
		"département":          {app.PortfolioFilter{Departement: "05"}, []string{briancon}},
		"texte du titre":       {app.PortfolioFilter{Text: "briancon"}, []string{briancon}},
		"texte de l'EPCI":      {app.PortfolioFilter{Text: "montagne de lure"}, []string{examples.ForcalquierSlug, draftSlug}},
		"état":                 {app.PortfolioFilter{State: lifecycle.AwaitingSignatures}, []string{draftSlug}},
		"organisation":         {app.PortfolioFilter{Organization: "mutualité sociale agricole", Departement: "04"}, []string{examples.ForcalquierSlug, draftSlug}},
		"organisation absente": {app.PortfolioFilter{Organization: "Caf du Rhône"}, nil},
		// Obligations already late are due before any day: the three
		// conventions have some on the test's day.
		"échéance en avril": {app.PortfolioFilter{DueBy: &april}, []string{examples.ForcalquierSlug, briancon, draftSlug}},
		"échéance en juin":  {app.PortfolioFilter{DueBy: &june}, []string{examples.ForcalquierSlug, briancon, draftSlug}},
	} {
		if got := slugsOf(portfolioOf(t, svc, admin, c.f)); !slices.Equal(got, c.want) {
			t.Errorf("filtre %s : %v, %v attendu", name, got, c.want)
		}
	}
}

// « Échéance avant le » keeps a convention whose next obligation falls
// that day or before, or which has one already late; not one whose next
// obligation comes later and nothing is late.
func TestPortfolioDueByKeepsTheLateOnes(t *testing.T) {
	april := model.MustDate("2024-04-30")
	rows := []app.PortfolioRow{
		{Slug: "plus-tard", NextDeadline: &app.CalendarEvent{Event: lifecycle.Event{Date: model.MustDate("2024-06-01")}}},
		{Slug: "en-retard", Overdue: 1},
		{Slug: "en-mars", NextDeadline: &app.CalendarEvent{Event: lifecycle.Event{Date: model.MustDate("2024-03-01")}}},
	}
	if got := slugsOf(app.FilterPortfolio(rows, app.PortfolioFilter{DueBy: &april})); !slices.Equal(got, []string{"en-mars", "en-retard"}) {
		t.Errorf("échéance avant le 30 avril : %v", got)
	}
}
