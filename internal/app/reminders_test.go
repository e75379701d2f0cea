package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
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
