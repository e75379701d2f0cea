package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

// eachDB runs fn against a fresh, migrated SQLite file and a fresh,
// migrated PostgreSQL database: the same suite for both dialects.
func eachDB(t *testing.T, fn func(t *testing.T, s *SQL)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openTest(t, filepath.Join(t.TempDir(), "ctg.db")))
	})
	t.Run("postgres", func(t *testing.T) {
		if pg == nil {
			t.Skip("PostgreSQL absent")
		}
		dsn, err := pg.CreateDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		fn(t, openTest(t, dsn))
	})
}

func openTest(t *testing.T, dsn string) *SQL {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}
