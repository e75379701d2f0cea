// Package apptest builds, for tests, a real service over a fresh SQLite
// file (or PostgreSQL database) holding the bundled Forcalquier
// convention.
package apptest

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

// New returns a migrated service with the bundled convention loaded; the
// database is removed with the test's temporary directory.
func New(t testing.TB) *app.Service {
	t.Helper()
	svc, _ := NewWithStore(t)
	return svc
}

// NewWithStore is New, with the store under the service, for tests that
// prepare or inspect the database directly.
func NewWithStore(t testing.TB) (*app.Service, store.Store) {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "ctg.db"))
}

// NewCounting is NewWithStore, with n counting every statement the
// store sends to its SQLite file (see store.OpenCounting).
func NewCounting(t testing.TB, n *atomic.Int64) (*app.Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenCounting(ctx, filepath.Join(t.TempDir(), "ctg.db"), n)
	if err != nil {
		t.Fatal(err)
	}
	svc := serve(t, st)
	if _, err := svc.LoadExampleIfEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// EachDB runs fn with a service over a fresh SQLite file, then over a
// fresh database of the PostgreSQL server pg (skipped when pg is nil),
// each holding the bundled convention.
func EachDB(t *testing.T, pg *pgtest.Server, fn func(t *testing.T, svc *app.Service, st store.Store)) {
	EachDSN(t, pg, func(t *testing.T, dsn string) {
		svc, st := open(t, dsn)
		fn(t, svc, st)
	})
}

// EachDSN runs fn with the address of a fresh, empty SQLite file, then of a
// fresh database of the PostgreSQL server pg (skipped when pg is nil).
func EachDSN(t *testing.T, pg *pgtest.Server, fn func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "ctg.db")) })
	t.Run("postgres", func(t *testing.T) {
		if pg == nil {
			t.Skip("PostgreSQL absent")
		}
		dsn, err := pg.CreateDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fn(t, dsn)
	})
}

func open(t testing.TB, dsn string) (*app.Service, store.Store) {
	t.Helper()
	svc, st := Empty(t, dsn)
	if _, err := svc.LoadExampleIfEmpty(context.Background()); err != nil {
		t.Fatal(err)
	}
	return svc, st
}

// Empty returns a migrated service over the database dsn, without
// loading anything into it; it is closed at the end of the test.
func Empty(t testing.TB, dsn string) (*app.Service, store.Store) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	svc := serve(t, st)
	return svc, st
}

// Amend changes fields of a record of a stored convention (form text by
// field name) as a signed avenant would: the signed text included,
// without the service's checks. For tests that need a text other than
// the bundled one.
func Amend(t testing.TB, svc *app.Service, st store.Store, slug, kind, id string, values map[string]string) {
	t.Helper()
	ctx := context.Background()
	rec, err := svc.Record(ctx, auth.System, slug, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	ch, verr := rec.Kind.Apply(rec.Target, values)
	if verr != nil {
		t.Fatal(verr)
	}
	entry := model.AuditEntry{Convention: slug, Actor: "test", Action: "update", ObjectType: kind, ObjectID: id, ObjectLabel: rec.Target.Label}
	if _, err := st.UpdateRecord(ctx, kind, id, rec.Version, ch.Fields, entry.WithChange(ch.Before, ch.After), ch.CopyIDs...); err != nil {
		t.Fatal(err)
	}
}

// Unsign makes a stored convention a draft, as before its signature: its
// signature date is cleared, and its whole text is editable again.
func Unsign(t testing.TB, svc *app.Service, st store.Store, slug string) {
	t.Helper()
	c, err := svc.Convention(context.Background(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	Amend(t, svc, st, slug, "convention", c.ID, map[string]string{"signature.date": ""})
}

// HeldDecision records, as actor a, a steering committee held on date in
// the bundled convention with one decision, for the tests of what follows
// a decision: its actions, their reminders, the tasks they make.
func HeldDecision(t testing.TB, svc *app.Service, a *auth.Actor, date string) (*model.Meeting, *model.Decision) {
	t.Helper()
	ctx := context.Background()
	m, err := svc.SaveMeeting(ctx, a, examples.ForcalquierSlug, "", 0, app.MeetingInput{Committee: "copil", Date: date, Status: "held"})
	if err != nil {
		t.Fatal(err)
	}
	d, err := svc.SaveDecision(ctx, a, examples.ForcalquierSlug, m.ID, app.DecisionInput{Text: "Relancer"})
	if err != nil {
		t.Fatal(err)
	}
	return m, d
}

// serve migrates an opened store, closed at the end of the test, and
// returns a service over it.
func serve(t testing.TB, st *store.SQL) *app.Service {
	t.Helper()
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(st)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
