// Package apptest builds, for tests, a real service over a fresh SQLite
// file holding the bundled Forcalquier convention.
package apptest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/store"
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
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ctg.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadExampleIfEmpty(ctx); err != nil {
		t.Fatal(err)
	}
	return svc, st
}
