package store

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ctg-territoires/ctg/internal/textutil"
)

// dialect is everything that differs between SQLite and PostgreSQL, apart
// from the migrations.
type dialect struct {
	name string
	// numbered placeholders ($1, $2…) instead of "?".
	numbered bool
	// lockMigrations serializes concurrent migrators, when the database
	// can be shared by several ctg instances.
	lockMigrations string
	// types are the dialect's names for the column types (and the one
	// expression) that differ, substituted for {{name}} in the migrations.
	types map[string]string
}

var (
	sqliteDialect = dialect{name: "sqlite", types: map[string]string{
		"bool": "INTEGER", "false": "0", "date": "TEXT", "timestamp": "TEXT", "real": "REAL", "blob": "BLOB",
		"in_one_year": "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+1 year')",
	}}
	postgresDialect = dialect{name: "postgres", numbered: true, lockMigrations: "SELECT pg_advisory_xact_lock(7250417)", types: map[string]string{
		"bool": "BOOLEAN", "false": "FALSE", "date": "DATE", "timestamp": "TIMESTAMPTZ", "real": "DOUBLE PRECISION", "blob": "BYTEA",
		"in_one_year": "now() + INTERVAL '1 year'",
	}}
)

var typePlaceholder = textutil.LazyRegexp(`\{\{(\w+)\}\}`)

// render substitutes the dialect's type names in a migration; an unknown
// placeholder is an error, so that a typo never reaches a database.
func (d dialect) render(sql string) (string, error) {
	var unknown []string
	out := typePlaceholder.ReplaceAllStringFunc(sql, func(m string) string {
		name := typePlaceholder.FindStringSubmatch(m)[1]
		t, ok := d.types[name]
		if !ok {
			unknown = append(unknown, m)
		}
		return t
	})
	if len(unknown) > 0 {
		return "", fmt.Errorf("type inconnu %s", strings.Join(unknown, ", "))
	}
	return out, nil
}

// rebind rewrites the "?" placeholders of q for the dialect. Queries in
// this package never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if !d.numbered {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqlErr *sqlite.Error
	if errors.As(err, &sqlErr) {
		return sqlErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqlErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
