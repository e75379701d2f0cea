package store

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
)

// The counting store counts each statement it sends, on SQLite and on
// PostgreSQL, and stores and reads like the plain one (times, booleans).
func TestOpenCountingCountsEachStatement(t *testing.T) {
	check := func(t *testing.T, dsn string) {
		ctx := context.Background()
		var n atomic.Int64
		s, err := OpenCounting(ctx, dsn, &n)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		before := n.Load()
		if err := s.CreateUser(ctx, &auth.User{Email: "compte@example.org", Name: "Compte", PlatformAdmin: true}); err != nil {
			t.Fatal(err)
		}
		if got := n.Load() - before; got != 1 {
			t.Errorf("création d'un compte : %d instruction(s) comptée(s), 1 attendue", got)
		}
		before = n.Load()
		u, err := s.UserByEmail(ctx, "compte@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if got := n.Load() - before; got != 1 {
			t.Errorf("lecture d'un compte : %d instruction(s) comptée(s), 1 attendue", got)
		}
		if u.Name != "Compte" || !u.PlatformAdmin || u.CreatedAt.IsZero() {
			t.Errorf("compte relu : %+v", u)
		}
	}
	t.Run("sqlite", func(t *testing.T) { check(t, filepath.Join(t.TempDir(), "ctg.db")) })
	t.Run("postgres", func(t *testing.T) {
		if pg == nil {
			t.Skip("PostgreSQL absent")
		}
		dsn, err := pg.CreateDatabase(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		check(t, dsn)
	})
}
