package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// people creates the coordinator (admin, named), the Caf adviser
// (contributor of caf04) and the leisure centre (contributor of
// cordeliere) of the bundled convention and returns their actors.
func people(t *testing.T, svc *app.Service, st store.Store) (coordinator, caf, centre *auth.Actor) {
	t.Helper()
	ctx := context.Background()
	actor := func(email, name string, m auth.Membership) *auth.Actor {
		if err := st.CreateUser(ctx, &auth.User{Email: email, Name: name, PasswordHash: "x"}); err != nil {
			t.Fatal(err)
		}
		m.Convention = examples.ForcalquierSlug
		if err := svc.Grant(ctx, auth.System, email, m); err != nil {
			t.Fatal(err)
		}
		a, err := svc.ActorByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	return actor("coordination@exemple.fr", "Claire Coordinatrice", auth.Membership{Role: auth.RoleAdmin}),
		actor("caf@exemple.fr", "Paul Conseiller", auth.Membership{Role: auth.RoleContributor, Organization: "caf04"}),
		actor("centre@exemple.fr", "Nadia Directrice", auth.Membership{Role: auth.RoleContributor, Organization: "cordeliere"})
}

// setPilots makes org the pilot of a fiche of the bundled convention, as
// an avenant would: the pilots are part of the signed text.
func setPilots(t *testing.T, svc *app.Service, st store.Store, code, org string) {
	t.Helper()
	ctx := context.Background()
	c, err := svc.Convention(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	for _, ax := range c.Axes {
		for _, f := range ax.Fiches {
			if f.Code == code {
				apptest.Amend(t, svc, st, c.Slug, "fiche", f.ID, map[string]string{"pilots": org})
				return
			}
		}
	}
	t.Fatalf("fiche %s absente", code)
}

func refusal(t *testing.T, err error) string {
	t.Helper()
	var r *app.RefusedError
	if !errors.As(err, &r) || !errors.Is(err, model.ErrForbidden) {
		t.Fatalf("refus expliqué attendu, obtenu %v", err)
	}
	return r.Reason
}

// A fiche's pilot is responsible for its indicators unless an indicator
// names another organization; the coordinator assigns several at once.
func TestPilotIsResponsibleAndAssignmentInBulk(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	coordinator, caf, centre := people(t, svc, st)
	in := app.ValueInput{Period: "2022", Number: "40"}

	// Nobody pilots 2.2 in the text: the Caf may not enter its values, and
	// is told why and whom to ask.
	_, err := svc.SaveValue(ctx, caf, slug, "2.2-1", in)
	if msg := refusal(t, err); !strings.Contains(msg, "n'est confié à aucune organisation") || !strings.Contains(msg, "Claire Coordinatrice") {
		t.Errorf("refus : %q", msg)
	}
	setPilots(t, svc, st, "2.2", "caf04")
	if _, err := svc.SaveValue(ctx, caf, slug, "2.2-1", in); err != nil {
		t.Fatalf("le pilote de la fiche saisit ses indicateurs : %v", err)
	}

	// The coordinator hands two indicators to the leisure centre, by
	// code, one of them listed under two steps.
	n, err := svc.AssignResponsible(ctx, coordinator, slug, "cordeliere", []string{"2.2-2", "3.1-2"})
	if err != nil || n != 2 {
		t.Fatalf("attribution : %d %v", n, err)
	}
	_, err = svc.SaveValue(ctx, caf, slug, "2.2-2", in)
	if msg := refusal(t, err); !strings.Contains(msg, "est confié à Centre socioculturel La Cordelière") {
		t.Errorf("refus : %q", msg)
	}
	for _, code := range []string{"2.2-2", "3.1-2"} {
		if _, err := svc.SaveValue(ctx, centre, slug, code, in); err != nil {
			t.Errorf("%s confié au centre : %v", code, err)
		}
	}
	c, _ := svc.Convention(ctx, auth.System, slug)
	for _, st := range c.Axes[2].Fiches[0].Steps {
		for _, ind := range st.Indicators {
			if ind.Code == "3.1-2" && ind.Responsible != "cordeliere" {
				t.Errorf("mention de 3.1-2 à l'étape %d : responsable %q", st.Number, ind.Responsible)
			}
		}
	}
	// Each indicator changed has its own history entry.
	hist, _ := svc.History(ctx, coordinator, slug, nil, 10)
	assigned := 0
	for _, h := range hist {
		if h.ObjectType == "indicator" && h.After["responsible"] == "cordeliere" {
			assigned++
		}
	}
	if assigned != 2 {
		t.Errorf("%d entrée(s) d'historique d'attribution, 2 attendues", assigned)
	}

	// Back to the pilot.
	if n, err := svc.AssignResponsible(ctx, coordinator, slug, "", []string{"2.2-2"}); err != nil || n != 1 {
		t.Fatalf("retour au pilote : %d %v", n, err)
	}
	if _, err := svc.SaveValue(ctx, caf, slug, "2.2-2", app.ValueInput{Period: "2023", Number: "1"}); err != nil {
		t.Errorf("indicateur rendu au pilote : %v", err)
	}

	// Only editors and admins assign; unknown codes and organizations are
	// refused before anything changes.
	if _, err := svc.AssignResponsible(ctx, centre, slug, "cordeliere", []string{"3.1-1"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("attribution par un contributeur : %v", err)
	}
	var ve *model.ValidationError
	if _, err := svc.AssignResponsible(ctx, coordinator, slug, "inconnue", []string{"3.1-1", "9.9-9"}); !errors.As(err, &ve) || len(ve.Errors) != 2 {
		t.Errorf("attribution invalide : %v", err)
	}
}

// A real value replaces the synthetic one of its period, whatever the
// path, and the history says so; what still refuses says what to do.
func TestRealValueReplacesSyntheticOne(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	coordinator, caf, _ := people(t, svc, st)
	setPilots(t, svc, st, "2.2", "caf04")
	synthetic := func(code, period string) *model.Value {
		values, _ := st.Values(ctx, slug, code)
		for _, v := range values {
			if v.Period == period && v.Synthetic {
				return &v
			}
		}
		return nil
	}
	fake := synthetic("2.2-1", "2024")
	if fake == nil {
		t.Fatal("pas de valeur fictive 2024 pour 2.2-1")
	}

	// A new value for the period of a synthetic one.
	v, err := svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{Period: "2024", Number: "321"})
	if err != nil {
		t.Fatalf("saisie par-dessus une valeur fictive : %v", err)
	}
	if synthetic("2.2-1", "2024") != nil || v.Synthetic || v.State != model.ValueDraft {
		t.Errorf("la valeur fictive reste, ou la réelle est mal enregistrée : %+v", v)
	}
	hist, _ := svc.History(ctx, coordinator, slug, []string{fake.ID}, 5)
	if len(hist) != 1 || hist[0].Action != "delete" || !strings.Contains(hist[0].ObjectLabel, "valeur fictive remplacée par une valeur réelle") {
		t.Errorf("historique de la valeur fictive : %+v", hist)
	}

	// Correcting the synthetic value itself (its "Corriger" link).
	fake = synthetic("2.2-2", "2023")
	if _, err := svc.SaveValue(ctx, caf, slug, "2.2-2", app.ValueInput{ID: fake.ID, Version: fake.Version, Period: "2023", Number: "12"}); err != nil {
		t.Fatalf("correction d'une valeur fictive : %v", err)
	}
	if synthetic("2.2-2", "2023") != nil {
		t.Error("la valeur fictive corrigée reste")
	}

	// A file over synthetic values: CSV (the XLSX form goes the same way).
	csv := header + "2.2-2;;2024;;15;;;;;;\r\n2.2-3;;2024;;180;;;;;;\r\n"
	if n, err := svc.ImportValuesCSV(ctx, caf, slug, strings.NewReader(csv)); err != nil || n != 2 {
		t.Fatalf("import par-dessus des valeurs fictives : %d %v", n, err)
	}
	if synthetic("2.2-2", "2024") != nil || synthetic("2.2-3", "2024") != nil {
		t.Error("des valeurs fictives restent après l'import")
	}

	// A real value is never replaced by a second one: it is corrected.
	_, err = svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{Period: "2024", Number: "1"})
	if !errors.Is(err, model.ErrConflict) || !strings.Contains(err.Error(), "corrigez-la") {
		t.Errorf("seconde valeur réelle : %v", err)
	}
	// A validated value is corrected by the coordinator only, and the
	// contributor is told whom to ask.
	validated, err := svc.ValueAction(ctx, coordinator, slug, v.ID, v.Version, app.ActionValidate, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.ImportValuesCSV(ctx, caf, slug, strings.NewReader(header+"2.2-1;;2024;;322;;;;;;\r\n"))
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "déjà validée") || !strings.Contains(ve.Errors[0].Message, "Claire Coordinatrice") {
		t.Errorf("correction d'une valeur validée par un contributeur : %v", err)
	}
	_, err = svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{ID: validated.ID, Version: validated.Version, Period: "2024", Number: "322"})
	if msg := refusal(t, err); !strings.Contains(msg, "déjà validée") {
		t.Errorf("refus : %q", msg)
	}
}

// "Mes tâches" lists, per person, what their organization must enter,
// submit and correct, what waits for validation and the late steps.
func TestTasks(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	coordinator, caf, centre := people(t, svc, st)
	setPilots(t, svc, st, "2.2", "caf04")
	setPilots(t, svc, st, "3.1", "caf04")
	today := model.MustDate("2025-06-01")

	tasks := func(a *auth.Actor) app.ConventionTasks {
		t.Helper()
		all, err := svc.Tasks(ctx, a, today)
		if err != nil || len(all.Conventions) != 1 {
			t.Fatalf("tâches : %v %v", all, err)
		}
		return all.Conventions[0]
	}
	ct := tasks(caf)
	// 2.2 has four indicators, 3.1 seven, all yearly: 2024 is collected.
	if ct.Year != 2024 || len(ct.ToEnter) != 11 || ct.NoIndicators {
		t.Errorf("à saisir en %d : %d indicateur(s), 11 attendus", ct.Year, len(ct.ToEnter))
	}
	// Fiche 3.1: its yearly step not started a year on, and "En 2024".
	if len(ct.LateSteps) != 2 || ct.LateSteps[0].Fiche.Code != "3.1" || ct.LateSteps[1].Step.Number != 2 {
		t.Errorf("étapes en retard : %+v", ct.LateSteps)
	}
	// The leisure centre has nothing to fill, and is told whom to ask.
	if ct := tasks(centre); !ct.NoIndicators || len(ct.Admins) != 1 || ct.Admins[0] != "Claire Coordinatrice" || len(ct.ToEnter) != 0 {
		t.Errorf("centre sans indicateur : %+v", ct)
	}

	for _, code := range []string{"2.2-1", "2.2-2", "2.2-3"} {
		if _, err := svc.SaveValue(ctx, caf, slug, code, app.ValueInput{Period: "2024", Number: "10"}); err != nil {
			t.Fatal(err)
		}
	}
	ct = tasks(caf)
	if len(ct.ToEnter) != 8 || len(ct.Drafts) != 3 || len(ct.DraftYears) != 1 || ct.DraftYears[0] != 2024 || len(ct.ToValidate) != 0 {
		t.Errorf("après saisie : %d à saisir, %d brouillons (%v), %d à valider", len(ct.ToEnter), len(ct.Drafts), ct.DraftYears, len(ct.ToValidate))
	}
	if n, err := svc.SubmitDrafts(ctx, caf, slug, "", 2024); err != nil || n != 3 {
		t.Fatalf("soumission des brouillons : %d %v", n, err)
	}
	// The coordination is told, once for the three values.
	if list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 10); err != nil || len(list) != 1 || list[0].To != coordinator.Email ||
		!strings.HasPrefix(list[0].Subject, "3 valeurs à valider — ") {
		t.Errorf("message aux validateurs : %v %+v", err, list)
	}
	ct = tasks(coordinator)
	if len(ct.ToValidate) != 3 || ct.Count() != 3 {
		t.Fatalf("à valider : %d, total %d", len(ct.ToValidate), ct.Count())
	}
	returned := ct.ToValidate[0]
	if _, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionReturn, []app.ValueRef{{ID: returned.ID, Version: returned.Version}}, "chiffre de 2023 ?"); err != nil {
		t.Fatal(err)
	}
	ct = tasks(caf)
	if len(ct.Returned) != 1 || ct.Returned[0].ReturnReason != "chiffre de 2023 ?" || len(ct.Drafts) != 0 {
		t.Errorf("valeurs renvoyées : %+v", ct.Returned)
	}
}

// Submitting, validating and returning in bulk: each value keeps its own
// history entry, permissions are those of the single actions, and a
// selection that cannot move as a whole is refused whole.
func TestBulkActions(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	coordinator, caf, centre := people(t, svc, st)
	setPilots(t, svc, st, "2.2", "caf04")
	var refs []app.ValueRef
	for _, code := range []string{"2.2-1", "2.2-2", "2.2-3"} {
		v, err := svc.SaveValue(ctx, caf, slug, code, app.ValueInput{Period: "2024", Number: "10"})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, app.ValueRef{ID: v.ID, Version: v.Version})
	}
	// A draft of another year stays a draft.
	other, err := svc.SaveValue(ctx, caf, slug, "2.2-1", app.ValueInput{Period: "2023", Number: "9"})
	if err != nil {
		t.Fatal(err)
	}
	// The centre has no draft of its own: nothing is submitted.
	if n, err := svc.SubmitDrafts(ctx, centre, slug, "caf04", 2024); err != nil || n != 0 {
		t.Errorf("soumission par une autre organisation : %d %v", n, err)
	}
	if n, err := svc.SubmitDrafts(ctx, caf, slug, "", 2024); err != nil || n != 3 {
		t.Fatalf("soumission : %d %v", n, err)
	}
	if v, _ := st.Value(ctx, other.ID); v.State != model.ValueDraft {
		t.Errorf("brouillon 2023 : %s", v.State)
	}
	for i := range refs {
		refs[i].Version++
	}
	// Contributors neither validate nor return.
	if _, err := svc.BulkValueAction(ctx, caf, slug, app.ActionValidate, refs, ""); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("validation par un contributeur : %v", err)
	}
	var ve *model.ValidationError
	if _, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionReturn, refs[:1], " "); !errors.As(err, &ve) || ve.Errors[0].Path != "reason" {
		t.Errorf("renvoi sans motif : %v", err)
	}
	// A stale version refuses the whole selection.
	stale := append([]app.ValueRef{{ID: refs[0].ID, Version: refs[0].Version - 1}}, refs[1:]...)
	if _, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionValidate, stale, ""); !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "modifiée entre-temps") {
		t.Errorf("sélection périmée : %v", err)
	}
	if n, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionValidate, refs, ""); err != nil || n != 3 {
		t.Fatalf("validation : %d %v", n, err)
	}
	ids := []string{refs[0].ID, refs[1].ID, refs[2].ID}
	hist, _ := svc.History(ctx, coordinator, slug, ids, 50)
	perValue := map[string][]string{}
	for _, h := range hist {
		perValue[h.ObjectID] = append(perValue[h.ObjectID], h.After["state"])
	}
	for _, id := range ids {
		if got := strings.Join(perValue[id], ","); got != "validated,submitted,draft" {
			t.Errorf("historique de %s : %s", id, got)
		}
	}
	// Validated values cannot be returned: the message says what to do.
	for i := range refs {
		refs[i].Version++
	}
	if _, err := svc.BulkValueAction(ctx, coordinator, slug, app.ActionReturn, refs, "erreur"); !errors.As(err, &ve) || len(ve.Errors) != 3 || !strings.Contains(ve.Errors[0].Message, "corrigez-la") {
		t.Errorf("renvoi de valeurs validées : %v", err)
	}
}

// Mes tâches lists the actions decided for the person or their
// organization, and the data-exchange requests waiting for their DPO.
func TestTasksHoldDecidedActionsAndRequestsToStudy(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	slug := examples.ForcalquierSlug
	coordinator, caf, centre := people(t, svc, st)
	if err := st.CreateUser(ctx, &auth.User{Email: "dpo@caf.fr", Name: "Délégué Caf", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "dpo@caf.fr", auth.Membership{Convention: slug, Role: auth.RoleDPO, Organization: "caf04"}); err != nil {
		t.Fatal(err)
	}
	dpo, err := svc.ActorByEmail(ctx, "dpo@caf.fr")
	if err != nil {
		t.Fatal(err)
	}
	m, d := apptest.HeldDecision(t, svc, coordinator, "2024-10-15")
	for _, in := range []app.ActionInput{{Text: "Écrire aux familles", Organization: "caf04", DueOn: "2024-12-15"},
		{Text: "Réunir les animateurs", Person: "Nadia Directrice", DueOn: "2024-11-30"}} {
		if _, err := svc.SaveAction(ctx, coordinator, slug, m.ID, d.ID, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.FileDataRequest(ctx, coordinator, slug, app.DataRequestInput{Requester: "cc-pflm", Holder: "caf04", Title: "Familles allocataires",
		DataCategories: "composition du foyer", Purpose: "tarification", LegalBasis: "public_task", Persons: "allocataires", Retention: "un an",
		Recipients: "service enfance", Security: "dépôt chiffré"}); err != nil {
		t.Fatal(err)
	}
	tasks := func(a *auth.Actor) app.ConventionTasks {
		all, err := svc.Tasks(ctx, a, model.MustDate("2024-12-01"))
		if err != nil || len(all.Conventions) != 1 {
			t.Fatalf("tâches de %s : %v", a.Email, err)
		}
		return all.Conventions[0]
	}
	if got := tasks(caf); len(got.Actions) != 1 || got.Actions[0].Text != "Écrire aux familles" || len(got.ToStudy) != 0 {
		t.Errorf("tâches de la Caf : %+v", got.Actions)
	}
	if got := tasks(centre); len(got.Actions) != 1 || got.Actions[0].Text != "Réunir les animateurs" {
		t.Errorf("tâches de la personne nommée : %+v", got.Actions)
	}
	// The coordination sees the action past its date, not the one to come.
	if got := tasks(coordinator); len(got.Actions) != 1 || got.Actions[0].Text != "Réunir les animateurs" {
		t.Errorf("tâches de la coordination : %+v", got.Actions)
	}
	if got := tasks(dpo); len(got.ToStudy) != 1 || got.ToStudy[0].Title != "Familles allocataires" || got.Count() != 1 {
		t.Errorf("tâches du DPO : %+v", got)
	}
}

// A public event waits in the tasks of its financer, then, refused or
// moved, in those of its organizer.
func TestTasksHoldEventsToAnswer(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	slug := examples.ForcalquierSlug
	_, caf, centre := people(t, svc, st)
	x, err := svc.SaveEventRequest(ctx, centre, slug, "", app.EventRequestInput{Organization: "cordeliere", Kind: "inauguration",
		Title: "Nouvelle crèche", ProposedDate: "2025-06-14"})
	if err != nil {
		t.Fatal(err)
	}
	tasks := func(a *auth.Actor) app.ConventionTasks {
		all, err := svc.Tasks(ctx, a, model.MustDate("2025-05-01"))
		if err != nil {
			t.Fatal(err)
		}
		return all.Conventions[0]
	}
	if got := tasks(caf); len(got.EventsToAnswer) != 1 || got.EventsToAnswer[0].Title != "Nouvelle crèche" {
		t.Errorf("manifestations à accorder : %+v", got.EventsToAnswer)
	}
	if got := tasks(centre); len(got.EventsToAnswer)+len(got.EventsToReview) != 0 {
		t.Errorf("l'organisateur a une manifestation à traiter avant toute réponse : %+v", got)
	}
	if _, err := svc.AnswerEventDate(ctx, caf, slug, x.ID, app.DateAnswerInput{Version: x.Version, Answer: "other_date", OtherDate: "2025-06-21"}); err != nil {
		t.Fatal(err)
	}
	if got := tasks(centre); len(got.EventsToReview) != 1 {
		t.Errorf("manifestations à revoir : %+v", got.EventsToReview)
	}
	if got := tasks(caf); len(got.EventsToAnswer) != 0 {
		t.Errorf("manifestation encore à accorder après l'autre date proposée : %+v", got.EventsToAnswer)
	}
}

// The personal calendar feed names what Mes tâches holds, the actions
// decided in committee included, and dates it today when the collection
// has closed.
func TestPersonalFeedNamesTheTasks(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	slug := examples.ForcalquierSlug
	svc.SetClock(func() time.Time { return time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) })
	coordinator, caf, _ := people(t, svc, st)
	m, d := apptest.HeldDecision(t, svc, coordinator, "2026-11-20")
	if _, err := svc.SaveAction(ctx, coordinator, slug, m.ID, d.ID, app.ActionInput{Text: "Écrire", Organization: "caf04", DueOn: "2026-12-04"}); err != nil {
		t.Fatal(err)
	}
	token, err := svc.SetCalendarFeed(ctx, caf, "")
	if err != nil {
		t.Fatal(err)
	}
	feed, err := svc.Feed(ctx, token, "https://ctg.exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range feed.Events {
		if strings.Contains(e.Summary, "Mes tâches") {
			found = true
			if !strings.Contains(e.Summary, "1 action(s) décidée(s) en comité") || e.Date.Format("2006-01-02") != "2026-11-29" {
				t.Errorf("tâches dans le flux : %q le %v", e.Summary, e.Date)
			}
		}
	}
	if !found {
		t.Error("le flux personnel ne porte pas les tâches")
	}
}
