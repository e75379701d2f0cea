package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the migrations written for a dialect, in version order.
// Each change is written once, in migrations/NNNN_name.sql; the few type
// names that differ between SQLite and PostgreSQL are written {{bool}},
// {{false}}, {{date}}, {{timestamp}}, {{real}} and {{blob}}, and each dialect
// supplies its own (see dialect.go). Only a change whose statements
// themselves differ (triggers) is written twice, as NNNN_name.sqlite.sql
// and NNNN_name.postgres.sql.
func Migrations(d dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		if only := path.Ext(base); only != "" {
			if only != "."+d.name {
				continue
			}
			base = strings.TrimSuffix(base, only)
		}
		num, rest, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration mal nommée : %s (attendu : 0001_nom.sql)", name)
		}
		body, err := fs.ReadFile(migrations, path.Join("migrations", name))
		if err != nil {
			return nil, err
		}
		text, err := d.render(string(body))
		if err != nil {
			return nil, fmt.Errorf("migration %s : %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: text})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// dataSteps are the changes of data a migration needs Go for (folding
// names, say), run after its SQL in its transaction.
var dataSteps = map[int]func(s *SQL, ctx context.Context, tx *sql.Tx) error{
	27: (*SQL).linkAllOrganizations,
}

// Migrate applies the missing migrations, each in its own transaction,
// and returns the names of those it applied.
func (s *SQL) Migrate(ctx context.Context) ([]string, error) {
	list, err := Migrations(s.d)
	if err != nil {
		return nil, err
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
	if _, err := s.write.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("table des migrations : %w", err)
	}
	// One query tells a database already up to date (every start but the
	// first after an upgrade); a missing migration is checked again under
	// its transaction's lock, for the servers starting at once.
	have := map[int]bool{}
	err = s.each(ctx, `SELECT version FROM schema_migrations`, nil, func(scan func(...any) error) error {
		var v int
		if err := scan(&v); err != nil {
			return err
		}
		have[v] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("table des migrations : %w", err)
	}
	var applied []string
	for _, m := range list {
		if have[m.Version] {
			continue
		}
		done, err := s.applyOne(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s : %w", m.Version, m.Name, err)
		}
		if done {
			applied = append(applied, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
	}
	return applied, nil
}

func (s *SQL) applyOne(ctx context.Context, m Migration) (bool, error) {
	done := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.lockMigrations != "" {
			if _, err := tx.ExecContext(ctx, s.d.lockMigrations); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), m.Version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return err
		}
		if step := dataSteps[m.Version]; step != nil {
			if err := step(s, ctx, tx); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.Version, m.Name, s.now().Format("2006-01-02T15:04:05Z"))
		done = err == nil
		return err
	})
	return done, err
}
