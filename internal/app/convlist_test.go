package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// The conventions list, read from summaries, shows for each convention
// what the whole convention gives: its state, its next deadline, its
// communes and signatories — for the bundled convention and variants
// (unsigned; an axis whose fiches are promised, before the plan or after
// it, on the day steps start), on days all along its life.
func TestConventionListMatchesWholeConventions(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, _ store.Store) {
		ctx := context.Background()
		base := string(examples.Forcalquier)
		variant := func(slug string, edits ...string) {
			t.Helper()
			text := strings.Replace(base, "slug: "+examples.ForcalquierSlug, "slug: "+slug, 1)
			for i := 0; i < len(edits); i += 2 {
				if !strings.Contains(text, edits[i]) {
					t.Fatalf("%s : %q absent de l'exemple", slug, edits[i])
				}
				text = strings.Replace(text, edits[i], edits[i+1], 1)
			}
			if _, err := svc.Import(ctx, []byte(text), false); err != nil {
				t.Fatalf("%s : %v", slug, err)
			}
		}
		promised := "  - number: 9\n    title: Axe promis\n    fiches_due_by: 2023-01-01\n"
		variant("sans-signature", "  date: 2022-11-09\n", "")
		variant("axe-promis-avant", "axes:\n", "axes:\n"+promised)
		variant("axe-promis-apres", "equipments:\n", strings.Replace(promised, "2023-01-01", "2024-01-01", 1)+"equipments:\n")
		variant("axe-promis-echu", "axes:\n", "axes:\n"+strings.Replace(promised, "2023-01-01", "2022-03-01", 1))
		list, err := svc.Conventions(ctx, auth.System)
		if err != nil || len(list) != 5 {
			t.Fatalf("%d conventions, %v", len(list), err)
		}
		promises, overdue := 0, 0
		for _, day := range []string{"2021-06-01", "2022-06-01", "2022-12-15", "2023-01-01", "2023-02-01", "2023-12-31", "2024-06-01", "2025-03-01", "2030-01-01"} {
			today, _ := model.ParseDate(day)
			got, err := svc.ListConventions(ctx, auth.System, app.ConventionListFilter{}, today)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Rows) != len(list) || got.Total != len(list) || got.Pages != 1 {
				t.Fatalf("%s : %d lignes, total %d, %d pages", day, len(got.Rows), got.Total, got.Pages)
			}
			for _, row := range got.Rows {
				c, err := svc.Convention(ctx, auth.System, row.Slug)
				if err != nil {
					t.Fatal(err)
				}
				next, has := app.NextDeadline(c, today)
				if row.Next != next || row.HasNext != has {
					t.Errorf("%s, %s : prochaine échéance %+v (%v), la convention entière donne %+v (%v)", day, row.Slug, row.Next, row.HasNext, next, has)
				}
				if has && strings.HasPrefix(next.Label, "Fiches de l'axe 9") {
					promises++
					if next.Overdue {
						overdue++
					}
				}
				if want := lifecycle.Of(c).StandingOn(today); row.State != want {
					t.Errorf("%s, %s : état %+v, attendu %+v", day, row.Slug, row.State, want)
				}
				signatories := 0
				for _, tc := range c.Territory.Resolved {
					if tc.Signatory {
						signatories++
					}
				}
				if row.Title != c.Title || row.EPCIName != c.Territory.EPCIName || row.Communes != len(c.Territory.Resolved) ||
					row.Signatories != signatories {
					t.Errorf("%s : « %s », %s, %d communes dont %d signataires ; attendu « %s », %s, %d dont %d", row.Slug, row.Title, row.EPCIName,
						row.Communes, row.Signatories, c.Title, c.Territory.EPCIName, len(c.Territory.Resolved), signatories)
				}
			}
		}
		// The variants do reach the promised axes, on time and late.
		if promises == 0 || overdue == 0 {
			t.Errorf("axes promis : %d échéances, dont %d en retard", promises, overdue)
		}
	})
}

// The list is paged by 50 and filtered by state and text.
func TestConventionListPagesAndFilters(t *testing.T) {
	svc, _ := apptest.NewWithStore(t)
	ctx := context.Background()
	for _, slug := range []string{"b-ctg", "c-ctg"} {
		text := strings.Replace(string(examples.Forcalquier), "slug: "+examples.ForcalquierSlug, "slug: "+slug, 1)
		text = strings.Replace(text, "title: Convention territoriale globale (Ctg) 2022-2024", "title: Projet "+slug, 1)
		text = strings.Replace(text, "  date: 2022-11-09\n", "", 1)
		if _, err := svc.Import(ctx, []byte(text), false); err != nil {
			t.Fatal(err)
		}
	}
	today, _ := model.ParseDate("2023-06-01")
	got, err := svc.ListConventions(ctx, auth.System, app.ConventionListFilter{State: lifecycle.AwaitingSignatures}, today)
	if err != nil || got.Total != 2 || len(got.Rows) != 2 || got.Rows[0].Slug != "b-ctg" {
		t.Fatalf("état en attente : %+v, %v", got, err)
	}
	got, _ = svc.ListConventions(ctx, auth.System, app.ConventionListFilter{Text: "PROJET C"}, today)
	if got.Total != 1 || got.Rows[0].Slug != "c-ctg" {
		t.Fatalf("texte : %+v", got)
	}
	got, _ = svc.ListConventions(ctx, auth.System, app.ConventionListFilter{Text: "forcalquier", Page: 7}, today)
	if got.Total != 3 || got.Page != 1 || !got.Any {
		t.Fatalf("intercommunalité, page hors limites : %+v", got)
	}
	// The working copy of an avenant is reached through its avenant only.
	if _, err := svc.PrepareAmendment(ctx, auth.System, examples.ForcalquierSlug, "Avenant de test"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []app.ConventionListFilter{{}, {Text: "c"}} {
		got, _ = svc.ListConventions(ctx, auth.System, f, today)
		if got.Total != 3 || len(got.Rows) != 3 {
			t.Errorf("avec une copie de travail, filtre %+v : %d conventions", f, got.Total)
		}
	}
	// A member sees their conventions only.
	member := &auth.Actor{UserID: "u", Memberships: map[string]auth.Membership{"c-ctg": {Convention: "c-ctg", Role: auth.RoleReader}}}
	for _, f := range []app.ConventionListFilter{{}, {Text: "ctg"}, {State: lifecycle.AwaitingSignatures}} {
		got, _ = svc.ListConventions(ctx, member, f, today)
		if got.Total != 1 || len(got.Rows) != 1 || got.Rows[0].Slug != "c-ctg" {
			t.Errorf("membre de c-ctg, filtre %+v : %+v", f, got)
		}
	}
}

// The header's count, which reads in full only the conventions where the
// person may have something to do, is the count of "Mes tâches".
func TestTaskCountIsTheCountOfTasks(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	other := strings.Replace(string(examples.Forcalquier), "slug: "+slug, "slug: autre-ctg", 1)
	if _, err := svc.Import(ctx, []byte(other), false); err != nil {
		t.Fatal(err)
	}
	coordinator, caf, centre := people(t, svc, st)
	if err := st.CreateUser(ctx, &auth.User{Email: "plateforme@exemple.fr", Name: "Plateforme", PasswordHash: "x", PlatformAdmin: true}); err != nil {
		t.Fatal(err)
	}
	platform, err := svc.ActorByEmail(ctx, "plateforme@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	setPilots(t, svc, st, "2.2", "caf04")
	if _, err := svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{Period: "2022", Number: "40"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitDrafts(ctx, caf, slug, "caf04", 2022); err != nil {
		t.Fatal(err)
	}
	today, _ := model.ParseDate("2023-03-01")
	for name, a := range map[string]*auth.Actor{"coordination": coordinator, "caf": caf, "centre": centre, "plateforme": platform} {
		tasks, err := svc.Tasks(ctx, a, today)
		if err != nil {
			t.Fatal(err)
		}
		n, err := svc.TaskCount(ctx, a, today)
		if err != nil || n != tasks.Count() {
			t.Errorf("%s : compte %d (%v), Mes tâches en liste %d", name, n, err, tasks.Count())
		}
		if (name == "coordination" || name == "plateforme") && n == 0 {
			t.Errorf("%s : la valeur soumise à valider n'est pas comptée", name)
		}
	}
}

// The lines of the list are kept between views, by the convention's
// stored state: a change made through another server on the same
// database (another service, its own lines kept) shows on the next view
// of the first one — a title edited, a termination recorded, a step done.
func TestConventionListLinesFollowChangesOfAnotherServer(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		other, err := app.New(st)
		if err != nil {
			t.Fatal(err)
		}
		const slug = examples.ForcalquierSlug
		draft := strings.Replace(strings.Replace(string(examples.Forcalquier), "slug: "+slug, "slug: projet", 1), "  date: 2022-11-09\n", "", 1)
		if _, err := svc.Import(ctx, []byte(draft), false); err != nil {
			t.Fatal(err)
		}
		today := model.MustDate("2023-06-01")
		line := func(slug string) app.ConventionListRow {
			t.Helper()
			got, err := svc.ListConventions(ctx, auth.System, app.ConventionListFilter{}, today)
			if err != nil || len(got.Rows) != 2 {
				t.Fatalf("%+v, %v", got, err)
			}
			for _, row := range got.Rows {
				if row.Slug == slug {
					return row
				}
			}
			t.Fatalf("%s absente de la liste", slug)
			return app.ConventionListRow{}
		}
		before := line(slug)
		if again := line(slug); again.Title != before.Title || again.Next != before.Next || again.State != before.State {
			t.Fatalf("seconde vue : %+v, attendu %+v", again, before)
		}
		c, err := other.Convention(ctx, auth.System, "projet")
		if err != nil {
			t.Fatal(err)
		}
		line("projet")
		if _, _, err := other.Edit(ctx, auth.System, "projet", "convention", c.ID, c.Version, map[string]string{"title": "Titre changé ailleurs"}); err != nil {
			t.Fatal(err)
		}
		if got := line("projet"); got.Title != "Titre changé ailleurs" {
			t.Errorf("titre changé par un autre serveur : la liste montre « %s »", got.Title)
		}
		if _, err := other.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: "breach_of_obligations", Sender: "caf04",
			LetterOn: "2023-03-12", ReceivedOn: "2023-03-15"}); err != nil {
			t.Fatal(err)
		}
		got := line(slug)
		if got.State.Code != lifecycle.Terminated {
			t.Errorf("résiliation enregistrée par un autre serveur : état %+v", got.State)
		}
		c, _ = other.Convention(ctx, auth.System, slug)
		if want, has := app.NextDeadline(c, today); got.Next != want || got.HasNext != has {
			t.Errorf("prochaine échéance %+v, la convention entière donne %+v", got.Next, want)
		}
	})
}

// The whole portfolio and coverage are kept between views by the state of
// the conventions they read: a change made through another server on the
// same database shows on the next view of the first one.
func TestPortfolioAndCoverageKeptFollowAnotherServer(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		now := time.Date(2023, 6, 1, 9, 0, 0, 0, time.UTC)
		other := anotherServer(t, svc, st, now)
		today := model.DateOf(now)
		draft := strings.Replace(strings.Replace(string(examples.Forcalquier), "slug: "+examples.ForcalquierSlug, "slug: projet", 1), "  date: 2022-11-09\n", "", 1)
		if _, err := svc.Import(ctx, []byte(draft), false); err != nil {
			t.Fatal(err)
		}
		title := func() string {
			t.Helper()
			rows, err := svc.Portfolio(ctx, auth.System, app.PortfolioFilter{}, today)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				if r.Slug == "projet" {
					return r.Title
				}
			}
			t.Fatalf("projet absent du portefeuille : %+v", rows)
			return ""
		}
		covered := func() int {
			t.Helper()
			rep, err := svc.Coverage(ctx, auth.System, "04", today)
			if err != nil {
				t.Fatal(err)
			}
			return len(rep.Conventions)
		}
		before, n := title(), covered()
		if again := title(); again != before {
			t.Fatalf("seconde vue : « %s », attendu « %s »", again, before)
		}
		c, err := other.Convention(ctx, auth.System, "projet")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := other.Edit(ctx, auth.System, "projet", "convention", c.ID, c.Version, map[string]string{"title": "Projet changé ailleurs"}); err != nil {
			t.Fatal(err)
		}
		if got := title(); got != "Projet changé ailleurs" {
			t.Errorf("titre changé par un autre serveur : le portefeuille montre « %s »", got)
		}
		third := strings.Replace(draft, "slug: projet", "slug: troisieme", 1)
		if _, err := other.Import(ctx, []byte(third), false); err != nil {
			t.Fatal(err)
		}
		if got := covered(); got != n+1 {
			t.Errorf("convention importée par un autre serveur : la couverture en compte %d, %d attendues", got, n+1)
		}
	})
}

// The portfolio's collection column follows the values entered on another
// server, one by one or by a file: a draft value counts as entered.
func TestPortfolioCollectionFollowsValuesOfAnotherServer(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		now := time.Date(2024, 6, 1, 9, 0, 0, 0, time.UTC)
		other := anotherServer(t, svc, st, now)
		slug := examples.ForcalquierSlug
		if _, err := svc.RemoveDemo(ctx, slug); err != nil {
			t.Fatal(err)
		}
		entered := func() int {
			t.Helper()
			v, err := svc.PortfolioView(ctx, auth.System, app.PortfolioFilter{}, model.DateOf(now))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range v.Rows {
				if r.Slug == slug {
					return r.Collection.Entered
				}
			}
			t.Fatalf("%s absent du portefeuille", slug)
			return 0
		}
		before := entered()
		if _, err := other.SaveValue(ctx, auth.System, slug, "2.2-1", app.ValueInput{Period: "2023", Number: "40"}); err != nil {
			t.Fatal(err)
		}
		if got := entered(); got != before+1 {
			t.Errorf("valeur saisie ailleurs : %d saisies au portefeuille, %d attendues", got, before+1)
		}
		csv := "\uFEFFCode;Indicateur;Période;Ventilation;Valeur;Texte;État;Organisation;Source;Commentaire;Fictive\r\n" +
			"2.2-3;;2023;;312,50;;;;;;\r\n"
		if _, err := other.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(csv)); err != nil {
			t.Fatal(err)
		}
		if got := entered(); got != before+2 {
			t.Errorf("valeur importée ailleurs : %d saisies au portefeuille, %d attendues", got, before+2)
		}
	})
}

// anotherServer sets svc's clock to now and returns a second service over
// st with the same clock: another server on the same database.
func anotherServer(t *testing.T, svc *app.Service, st store.Store, now time.Time) *app.Service {
	t.Helper()
	svc.SetClock(func() time.Time { return now })
	other, err := app.New(st)
	if err != nil {
		t.Fatal(err)
	}
	other.SetClock(func() time.Time { return now })
	return other
}
