package store

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// columnInfo is a column as the database describes it.
type columnInfo struct {
	Type    string
	NotNull bool
}

// schemaOf describes every table of a migrated database.
func schemaOf(t *testing.T, s *SQL) map[string]map[string]columnInfo {
	t.Helper()
	ctx := context.Background()
	out := map[string]map[string]columnInfo{}
	add := func(table, col, typ string, notNull bool) {
		if out[table] == nil {
			out[table] = map[string]columnInfo{}
		}
		out[table][col] = columnInfo{strings.ToLower(typ), notNull}
	}
	if s.d.name == "postgres" {
		err := s.each(ctx, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
			WHERE table_schema = current_schema()`, nil, func(scan func(...any) error) error {
			var table, col, typ, nullable string
			if err := scan(&table, &col, &typ, &nullable); err != nil {
				return err
			}
			add(table, col, typ, nullable == "NO")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var names []string
	if err := s.each(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`, nil, func(scan func(...any) error) error {
		var n string
		names = append(names, n)
		return scan(&names[len(names)-1])
	}); err != nil {
		t.Fatal(err)
	}
	for _, table := range names {
		err := s.each(ctx, fmt.Sprintf("SELECT name, type, \"notnull\", pk FROM pragma_table_info('%s')", table), nil,
			func(scan func(...any) error) error {
				var col, typ string
				var notNull, pk int
				if err := scan(&col, &typ, &notNull, &pk); err != nil {
					return err
				}
				add(table, col, typ, notNull == 1 || pk == 1)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// sqliteTypeOf translates a PostgreSQL column type to the SQLite type the
// same migration gives, through the dialects' type tables.
func sqliteTypeOf(pgType string) string {
	for name, t := range postgresDialect.types {
		if strings.EqualFold(t, pgType) || (t == "TIMESTAMPTZ" && pgType == "timestamp with time zone") {
			return strings.ToLower(sqliteDialect.types[name])
		}
	}
	return pgType // text and integer are written alike
}

// The one migration tree gives the same tables, columns, types and
// nullability on SQLite and on PostgreSQL.
func TestSchemaMatchesAcrossDatabases(t *testing.T) {
	if pg == nil {
		t.Skip("PostgreSQL absent")
	}
	lite := schemaOf(t, openTest(t, filepath.Join(t.TempDir(), "ctg.db")))
	dsn, err := pg.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pgs := schemaOf(t, openTest(t, dsn))
	if got, want := slices.Sorted(maps.Keys(lite)), slices.Sorted(maps.Keys(pgs)); !slices.Equal(got, want) {
		t.Fatalf("tables : sqlite %v, postgres %v", got, want)
	}
	for table, cols := range pgs {
		if got, want := slices.Sorted(maps.Keys(lite[table])), slices.Sorted(maps.Keys(cols)); !slices.Equal(got, want) {
			t.Errorf("%s : colonnes sqlite %v, postgres %v", table, got, want)
			continue
		}
		for name, c := range cols {
			want := columnInfo{sqliteTypeOf(c.Type), c.NotNull}
			if got := lite[table][name]; got != want {
				t.Errorf("%s.%s : sqlite %+v, postgres %+v (attendu sur sqlite %+v)", table, name, got, c, want)
			}
		}
	}
	for _, table := range tables {
		if pgs[table] == nil {
			t.Errorf("table %s créée par aucune migration", table)
		}
	}
}

func TestEveryMigrationRendersOnBothDialects(t *testing.T) {
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		list, err := Migrations(d)
		if err != nil || len(list) == 0 {
			t.Fatalf("%s : %v", d.name, err)
		}
		for _, m := range list {
			if strings.Contains(m.SQL, "{{") {
				t.Errorf("%s : migration %d non traduite", d.name, m.Version)
			}
		}
	}
	if _, err := sqliteDialect.render("x {{boolean}}"); err == nil {
		t.Error("un type inconnu doit être refusé")
	}
}

// Every kind's mapping names real fields of the model and real columns of
// its table, on both databases.
func TestKindMappingMatchesModelAndSchema(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		schema := schemaOf(t, s)
		for name, k := range recordKinds {
			cols := schema[k.table]
			if cols == nil {
				t.Errorf("%s : table %s absente", name, k.table)
				continue
			}
			for _, c := range append([]column{{name: "id"}, {name: "version"}}, k.columns...) {
				if _, ok := cols[c.name]; !ok {
					t.Errorf("%s : colonne %s.%s absente", name, k.table, c.name)
				}
				if c.field == "" {
					continue
				}
				if _, ok := model.Field(reflect.New(k.typ).Interface(), c.field); !ok {
					t.Errorf("%s : champ %s absent de %s", name, c.field, k.typ)
				}
			}
			if k.parent != "" {
				if _, ok := cols[k.parent]; !ok {
					t.Errorf("%s : colonne parente %s absente", name, k.parent)
				}
			}
		}
	})
}

func TestUpdateRefusesUnknownKindsAndFields(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "ctg.db"))
	ctx := context.Background()
	if _, err := s.UpdateRecord(ctx, "step", "x", 1, map[string]any{"couleur": "bleu"}, model.AuditEntry{}); err == nil || !strings.Contains(err.Error(), "couleur") {
		t.Errorf("champ inconnu : %v", err)
	}
	if _, err := s.UpdateRecord(ctx, "table_inconnue", "x", 1, nil, model.AuditEntry{}); err == nil {
		t.Error("type inconnu accepté")
	}
	if _, err := s.UpdateRecord(ctx, "step", "x", 1, map[string]any{"number": "trois"}, model.AuditEntry{}); err == nil {
		t.Error("valeur du mauvais type acceptée")
	}
}

func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	versions := func(d dialect) (out []string) {
		list, err := Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range list {
			out = append(out, fmt.Sprintf("%04d_%s", m.Version, m.Name))
		}
		return out
	}
	if l, p := versions(sqliteDialect), versions(postgresDialect); !slices.Equal(l, p) {
		t.Errorf("migrations : sqlite %v, postgres %v", l, p)
	}
}

// Nobody, not even a direct SQL statement of ours, changes or removes an
// entry of the history.
func TestAuditLogIsAppendOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		if err := s.AppendAudit(ctx, model.AuditEntry{Actor: "test", Action: "import", ObjectType: "convention", ObjectID: "x"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.write.ExecContext(ctx, `UPDATE audit_log SET actor = 'faussaire'`); err == nil {
			t.Error("entrée de l'historique modifiée")
		}
		if _, err := s.write.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
			t.Error("entrée de l'historique supprimée")
		}
		if n, _ := s.Count(ctx); n["audit_log"] != 1 {
			t.Errorf("%d entrées", n["audit_log"])
		}
	})
}

// The comment given with a change is kept in its history entry.
func TestAuditCommentIsKept(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		e := model.AuditEntry{Convention: "ctg", Actor: "test", Action: "update", ObjectType: "step", ObjectID: "x",
			Before: map[string]string{"status": "planned"}, After: map[string]string{"status": "in_progress"},
			Comment: "Première réunion tenue le 3 mars."}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		hist, err := s.History(ctx, "ctg", []string{"x"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(hist) != 1 || hist[0].Comment != e.Comment {
			t.Fatalf("historique relu : %+v", hist)
		}
	})
}
