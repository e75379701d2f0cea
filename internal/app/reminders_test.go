package app_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Thirty days before the end of the period, its coordinators get a
// reminder, once however often the reminders are looked for; the
// organizations' contributors do not.
func TestRemindersAreQueuedOnce(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		coordinator, caf, _ := people(t, svc, st)
		day := model.MustDate("2024-12-01")
		n, err := svc.QueueReminders(ctx, day, app.DefaultReminderDays)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.QueueReminders(ctx, day, app.DefaultReminderDays); err != nil || again != 0 {
			t.Errorf("rappels mis en file une seconde fois : %d %v", again, err)
		}
		list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var toCoordinator []string
		for _, m := range list {
			if m.To == caf.Email {
				t.Errorf("rappel envoyé à un contributeur : %s", m.Subject)
			}
			if m.To == coordinator.Email {
				toCoordinator = append(toCoordinator, m.Subject)
			}
		}
		if n == 0 || len(list) != n || !strings.Contains(strings.Join(toCoordinator, "\n"), "Rappel : Fin de la période le 31 décembre 2024") {
			t.Errorf("%d rappel(s), à la coordination : %v", n, toCoordinator)
		}
	})
}

func TestReminderDaysAreRead(t *testing.T) {
	if days, err := app.ParseReminderDays(" 30, 7 "); err != nil || len(days) != 2 || days[0] != 30 || days[1] != 7 {
		t.Errorf("« 30, 7 » : %v %v", days, err)
	}
	if days, err := app.ParseReminderDays("0"); err != nil || len(days) != 0 {
		t.Errorf("« 0 » : %v %v", days, err)
	}
	if _, err := app.ParseReminderDays("sept"); err == nil {
		t.Error("« sept » accepté")
	}
}

// The people responsible are reminded too: the members of a fiche's pilot
// before its step's deadline, the person an action is given to before its
// due date; not the organizations that answer for neither.
func TestRemindersReachThePeopleResponsible(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	coordinator, caf, centre := people(t, svc, st)
	setPilots(t, svc, st, "3.1", "caf04")
	m, err := svc.SaveMeeting(ctx, coordinator, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2024-11-20", Status: "held", Agenda: []string{"Bilan"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.SaveDecision(ctx, coordinator, slug, m.ID, app.DecisionInput{Text: "Préparer la rentrée", ObjectKind: "fiche", ObjectKey: "2.2"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveAction(ctx, coordinator, slug, m.ID, d.ID, app.ActionInput{Text: "Réunir les animateurs", Person: "nadia directrice", DueOn: "2024-12-08"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.QueueReminders(ctx, model.MustDate("2024-12-01"), app.DefaultReminderDays); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 100)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, msg := range list {
		got[msg.To] = append(got[msg.To], msg.Subject+"\n"+msg.Text)
	}
	has := func(who *auth.Actor, want string) bool {
		return strings.Contains(strings.Join(got[who.Email], "\n"), want)
	}
	// Step 2 of fiche 3.1 ends with 2024, thirty days ahead.
	if !has(caf, "Rappel : Fiche 3.1, étape 2") || !has(caf, "Responsable : Caisse") || has(caf, "Fin de la période") {
		t.Errorf("rappels au pilote de la fiche 3.1 : %v", got[caf.Email])
	}
	if !has(centre, "Rappel : Action décidée : Réunir les animateurs le 8 décembre 2024") || !has(centre, "confiée à nadia directrice") || has(centre, "Responsable : nadia") ||
		has(centre, "Fiche 3.1") {
		t.Errorf("rappels à la personne chargée de l'action : %v", got[centre.Email])
	}
	if !has(coordinator, "Fiche 3.1, étape 2") || !has(coordinator, "Réunir les animateurs") || !has(coordinator, "Fin de la période") {
		t.Errorf("rappels à la coordination : %v", got[coordinator.Email])
	}
}

// An action decided ten days before its due date is reminded at once, in
// the 30-day window, then once more seven days before; never twice in a
// window, and not to the DPO of the organization that carries it.
func TestAReminderIsCaughtUpWithinItsWindow(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	coordinator, caf, _ := people(t, svc, st)
	if err := st.CreateUser(ctx, &auth.User{Email: "dpo@caf.fr", Name: "DPO", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "dpo@caf.fr", auth.Membership{Convention: slug, Role: auth.RoleDPO, Organization: "caf04"}); err != nil {
		t.Fatal(err)
	}
	m, d := apptest.HeldDecision(t, svc, coordinator, "2023-05-02")
	if _, err := svc.SaveAction(ctx, coordinator, slug, m.ID, d.ID, app.ActionInput{Text: "Écrire aux partenaires", Organization: "caf04", DueOn: "2023-05-20"}); err != nil {
		t.Fatal(err)
	}
	reminded := func(day string) []string {
		if _, err := svc.QueueReminders(ctx, model.MustDate(day), app.DefaultReminderDays); err != nil {
			t.Fatal(err)
		}
		list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 500)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, msg := range list {
			if strings.Contains(msg.Subject, "Écrire aux partenaires") {
				if msg.To == "dpo@caf.fr" {
					t.Errorf("rappel au DPO : %s", msg.Subject)
				}
				if msg.To == caf.Email {
					out = append(out, strings.SplitN(strings.SplitN(msg.Text, "\n", 4)[2], ",", 2)[0])
				}
			}
		}
		// The outbox lists by time of queuing, which the same second may not tell apart.
		slices.Sort(out)
		return out
	}
	for _, step := range []struct {
		day  string
		want string
	}{{"2023-05-10", "Dans 10 jours"}, {"2023-05-11", "Dans 10 jours"}, {"2023-05-13", "Dans 10 jours|Dans 7 jours"},
		{"2023-05-19", "Dans 10 jours|Dans 7 jours"}, {"2023-05-21", "Dans 10 jours|Dans 7 jours"}} {
		if got := strings.Join(reminded(step.day), "|"); got != step.want {
			t.Errorf("le %s, rappels reçus : %q, attendu %q", step.day, got, step.want)
		}
	}
}

// An avenant in preparation is dated by the day it started: no reminder.
func TestNoReminderForAnAvenantInPreparation(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	coordinator, _, _ := people(t, svc, st)
	if _, err := svc.PrepareAmendment(ctx, coordinator, slug, "Fiches de l'axe 6"); err != nil {
		t.Fatal(err)
	}
	// The avenant's preparation is dated by the store's clock: today.
	today := model.DateOf(time.Now().In(textutil.Paris))
	if _, err := svc.QueueReminders(ctx, today, app.DefaultReminderDays); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Outbox(ctx, &auth.Actor{PlatformAdmin: true}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if strings.Contains(m.Subject, "en préparation") {
			t.Errorf("rappel : %s", m.Subject)
		}
	}
}
