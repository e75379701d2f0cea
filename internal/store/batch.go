package store

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The rows of an imported convention are written in multi-row INSERTs of
// as many rows as the database takes parameters in one statement (32,766
// on SQLite, 65,535 on PostgreSQL), the statement of a full batch prepared
// once per table; on PostgreSQL a table of many rows goes through COPY.
const (
	sqliteMaxVars   = 32766
	postgresMaxVars = 65535
	// copyFromRows is the number of rows from which PostgreSQL gets
	// them by COPY rather than INSERT (COPY costs a round trip more).
	copyFromRows = 256
)

// rowsPerInsert is the number of rows of ncols columns in one INSERT.
func (s *SQL) rowsPerInsert(ncols int) int {
	limit := s.maxVars
	if limit == 0 {
		limit = sqliteMaxVars
		if s.d.numbered {
			limit = postgresMaxVars
		}
	}
	return max(1, limit/ncols)
}

// copyFrom reports whether n rows go through COPY.
func (s *SQL) copyFrom(n int) bool {
	least := s.copyRows
	if least == 0 {
		least = copyFromRows
	}
	return s.d.numbered && n >= least
}

// inConnTx runs fn in a transaction on a connection of its own, given to
// fn for what database/sql cannot do (COPY through pgx).
func (s *SQL) inConnTx(ctx context.Context, fn func(tx *sql.Tx, conn *sql.Conn) error) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return s.finish(ctx, tx, fn(tx, conn))
}

// writeRows inserts rows (each the values of cols) into table, within tx.
func (s *SQL) writeRows(ctx context.Context, tx *sql.Tx, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if conn != nil && s.copyFrom(len(rows)) {
		done, err := copyRows(ctx, conn, table, cols, rows)
		if done || err != nil {
			return err
		}
	}
	per := s.rowsPerInsert(len(cols))
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, min(per, len(rows))*len(cols))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args = args[:0]
		for _, r := range chunk {
			args = append(args, r...)
		}
		if len(chunk) < per || len(rows) == per {
			if _, err := tx.ExecContext(ctx, s.insertRows(table, cols, len(chunk)), args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, s.insertRows(table, cols, per)); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertRows is the INSERT of n rows of cols into table.
func (s *SQL) insertRows(table string, cols []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	p := 0
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			p++
			if s.d.numbered {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(p))
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}

// copyRows writes rows by COPY on the pgx connection under conn (in the
// transaction open on it); done is false when conn is not pgx's.
func copyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) (done bool, err error) {
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return nil
		}
		done = true
		n, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
		if err == nil && n != int64(len(rows)) {
			err = fmt.Errorf("COPY : %d lignes écrites sur %d", n, len(rows))
		}
		return err
	})
	return done, err
}

// appendArgs appends the insert arguments of a record's data columns,
// reaching each field by the index path found once per kind.
func (k *recordKind) appendArgs(out []any, record any) []any {
	v := reflect.ValueOf(record)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for _, idx := range k.fieldIndexes() {
		out = append(out, fieldArg(v.FieldByIndex(idx)))
	}
	return out
}

// fieldIndexes returns the index path of each column's field in the
// kind's type, found from the YAML names as model.Field finds them.
func (k *recordKind) fieldIndexes() [][]int {
	k.indexOnce.Do(func() {
		k.indexes = make([][]int, len(k.columns))
		for i, c := range k.columns {
			t := k.typ
			var path []int
			for name := range strings.SplitSeq(c.field, ".") {
				for t.Kind() == reflect.Pointer {
					t = t.Elem()
				}
				f, ok := fieldNamed(t, name)
				if !ok {
					panic(fmt.Sprintf("store: %s sans champ %s", k.name, c.field))
				}
				path = append(path, f.Index...)
				t = f.Type
			}
			k.indexes[i] = path
		}
	})
	return k.indexes
}

// fieldNamed returns the field of struct type t whose YAML name is name,
// as model.Field finds it.
func fieldNamed(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == name && tag != "-" {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}
