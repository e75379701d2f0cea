package app_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Two servers on one database: what one changes, the other shows at its
// next read, the convention and the checker's findings alike, though it
// keeps what it read.
func TestConventionKeptFollowsAnotherServersChanges(t *testing.T) {
	run := func(t *testing.T, dsn string) {
		ctx := context.Background()
		day := model.MustDate("2024-06-01")
		one, _ := apptest.Empty(t, dsn)
		if _, err := one.LoadExampleIfEmpty(ctx); err != nil {
			t.Fatal(err)
		}
		other, st := apptest.Empty(t, dsn)
		view := func() (*app.Overview, int) {
			t.Helper()
			o, err := one.Overview(ctx, auth.System, examples.ForcalquierSlug, day)
			if err != nil {
				t.Fatal(err)
			}
			return o, len(o.Checks.Open)
		}
		first, open := view()
		again, openAgain := view()
		if !reflect.DeepEqual(first.Convention, again.Convention) || open != openAgain {
			t.Fatal("deux lectures sans changement diffèrent")
		}
		rep := first.Convention.Parties[0].Representatives[0]
		apptest.Amend(t, other, st, examples.ForcalquierSlug, "representative", rep.ID, map[string]string{"name": ""})
		after, openAfter := view()
		if got := after.Convention.Parties[0].Representatives[0].Name; got != "" {
			t.Errorf("nom du représentant vidé par l'autre serveur : %q lu", got)
		}
		if openAfter != open+1 {
			t.Errorf("constats après le nom vidé par l'autre serveur : %d, %d avant", openAfter, open)
		}
		// A page changing the convention it received changes nothing kept.
		after.Convention.Title = "Modifiée par la page"
		after.Convention.Parties[0].Representatives[0].Name = "Modifié par la page"
		if o, _ := view(); o.Convention.Title == "Modifiée par la page" || o.Convention.Parties[0].Representatives[0].Name != "" {
			t.Error("la convention gardée est celle qu'une page a modifiée")
		}
	}
	apptest.EachDSN(t, pg, run)
}

// Concurrent views of conventions, while they change, each receive a
// convention of their own (run with -race).
func TestConcurrentViewsOfConventionsKept(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	c, err := svc.Convention(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	day := model.MustDate("2024-06-01")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 5 {
				o, err := svc.Overview(ctx, auth.System, examples.ForcalquierSlug, day)
				if err != nil {
					t.Error(err)
					return
				}
				// Each view may change what it received.
				o.Convention.Title = string(rune('a' + i))
				o.Convention.Parties[0].Representatives[0].Name = o.Convention.Title
			}
		})
	}
	apptest.Amend(t, svc, st, examples.ForcalquierSlug, "article", c.Articles[0].ID, map[string]string{"title": "Objet modifié"})
	wg.Wait()
	got, err := svc.Convention(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != c.Title || got.Articles[0].Title != "Objet modifié" {
		t.Errorf("après les vues concurrentes : titre %q, article 1 %q", got.Title, got.Articles[0].Title)
	}
}
