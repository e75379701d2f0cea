package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ctg-territoires/ctg/internal/model"
)

// importCacheKiB is SQLite's page cache during an import of values: about
// 100,000 values and their indexes.
const importCacheKiB = 128 << 10

// importBatch is the number of rows of one multi-row statement.
const importBatch = 500

// bulk is what an import of values needs of a transaction, on either
// database: statements, a query, and many rows inserted at once.
type bulk interface {
	exec(q string, args ...any) error
	query(q string, args []any, row func(scan func(...any) error) error) error
	insert(table string, cols []string, rows [][]any) error
}

// ImportValues saves the values of an import, all or none, in one
// transaction, with one audit entry that lists them: entry gets a row per
// value written (its Entry's action, label, fields before and after) and
// per synthetic value replaced (its Removal). A correction must find its
// value still at v.Version (ErrStale otherwise); a value whose period and
// breakdown another value holds is ErrConflict. Values are inserted by
// multi-row statements (COPY on PostgreSQL); a correction deletes the
// value and inserts it again with the same id, creation date and the next
// version. Values get their new metadata.
func (s *SQL) ImportValues(ctx context.Context, writes []ValueWrite, entry model.AuditEntry) error {
	if len(writes) == 0 {
		return nil
	}
	now := s.now()
	var replaced, corrected []any
	expected := map[string]int{}
	for _, w := range writes {
		v := w.Value
		if w.Replaces != "" {
			replaced = append(replaced, w.Replaces)
		}
		if v.ID == "" {
			v.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
			continue
		}
		corrected = append(corrected, v.ID)
		expected[v.ID] = v.Version
		v.Version++
		v.UpdatedAt = now
	}
	// Inserted in the order of their ids (random), the rows go to the
	// primary key's index one page after the other instead of all over it.
	rows := make([][]any, len(writes))
	for i, w := range writes {
		v := w.Value
		rows[i] = append(valueArgs(v, s.d), v.ID, s.d.timestamp(v.CreatedAt), s.d.timestamp(now), v.Version)
	}
	idAt := len(rows[0]) - 4
	slices.SortFunc(rows, func(a, b []any) int { return strings.Compare(a[idAt].(string), b[idAt].(string)) })
	cols := strings.Split(strings.Join(strings.Fields(valueCols+", "+metaCols), ""), ",")
	run := func(b bulk) error {
		gone := map[string]bool{}
		if err := s.deleteIDs(b, `synthetic = ? AND `, []any{true}, replaced, func(id string, _ int) { gone[id] = true }); err != nil {
			return err
		}
		stale := false
		found := 0
		if err := s.deleteIDs(b, "", nil, corrected, func(id string, version int) {
			found++
			stale = stale || expected[id] != version
		}); err != nil {
			return err
		}
		if stale || found != len(corrected) {
			return model.ErrStale
		}
		if err := b.insert("indicator_values", cols, rows); err != nil {
			if isUniqueViolation(err) {
				return fmt.Errorf("une valeur existe déjà pour une des périodes du fichier : %w", model.ErrConflict)
			}
			return err
		}
		entry.At = now
		entry.Rows = make([]model.AuditRow, 0, len(writes)+len(gone))
		for _, w := range writes {
			if w.Replaces != "" && gone[w.Replaces] {
				entry.Rows = append(entry.Rows, model.AuditRow{Action: "delete", ObjectID: w.Replaces, Label: w.Removal.ObjectLabel, Before: w.Removal.Before})
			}
			entry.Rows = append(entry.Rows, model.AuditRow{Action: w.Entry.Action, ObjectID: w.Value.ID, Label: w.Entry.ObjectLabel,
				Before: w.Entry.Before, After: w.Entry.After})
		}
		before, after := "", ""
		if entry.Before != nil {
			j, _ := json.Marshal(entry.Before)
			before = string(j)
		}
		if entry.After != nil {
			j, _ := json.Marshal(entry.After)
			after = string(j)
		}
		return b.exec(`INSERT INTO audit_log (`+auditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, auditArgs(s, entry, before, after)...)
	}
	if s.d.numbered {
		return s.pgxTx(ctx, func(tx pgx.Tx) error { return run(pgxBulk{ctx, tx, s.d}) })
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// The transaction's pages stay in memory instead of spilling to
		// the log while the indexes grow; the cache is given back after.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", importCacheKiB)); err != nil {
			return err
		}
		defer tx.ExecContext(ctx, "PRAGMA cache_size = -2000")
		return run(&sqlBulk{ctx: ctx, tx: tx, d: s.d})
	})
}

// deleteIDs deletes the values of ids (and cond) by batches, and calls
// deleted with the id and version of each.
func (s *SQL) deleteIDs(b bulk, cond string, condArgs []any, ids []any, deleted func(id string, version int)) error {
	for start := 0; start < len(ids); start += importBatch {
		part := ids[start:min(start+importBatch, len(ids))]
		q := `DELETE FROM indicator_values WHERE ` + cond + `id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ") + `) RETURNING id, version`
		err := b.query(q, append(append([]any{}, condArgs...), part...), func(scan func(...any) error) error {
			var id string
			var version int
			if err := scan(&id, &version); err != nil {
				return err
			}
			deleted(id, version)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// pgxTx runs fn in a transaction of pgx itself, on a connection of the
// pool, for what database/sql does not offer (COPY).
func (s *SQL) pgxTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connexion PostgreSQL inattendue : %T", dc)
		}
		return pgx.BeginFunc(ctx, c.Conn(), fn)
	})
}

type pgxBulk struct {
	ctx context.Context
	tx  pgx.Tx
	d   dialect
}

func (b pgxBulk) exec(q string, args ...any) error {
	_, err := b.tx.Exec(b.ctx, b.d.rebind(q), args...)
	return err
}

func (b pgxBulk) query(q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := b.tx.Query(b.ctx, b.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, row)
}

func (b pgxBulk) insert(table string, cols []string, rows [][]any) error {
	_, err := b.tx.CopyFrom(b.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	return err
}

// sqlBulk runs in a database/sql transaction: multi-row INSERTs of
// importBatch rows through one prepared statement (and one for the last,
// shorter batch).
type sqlBulk struct {
	ctx context.Context
	tx  *sql.Tx
	d   dialect
}

func (b *sqlBulk) exec(q string, args ...any) error {
	_, err := b.tx.ExecContext(b.ctx, b.d.rebind(q), args...)
	return err
}

func (b *sqlBulk) query(q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := b.tx.QueryContext(b.ctx, b.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, row)
}

func (b *sqlBulk) insert(table string, cols []string, rows [][]any) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	statements := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range statements {
			st.Close()
		}
	}()
	args := make([]any, 0, importBatch*len(cols))
	for start := 0; start < len(rows); start += importBatch {
		part := rows[start:min(start+importBatch, len(rows))]
		st, ok := statements[len(part)]
		if !ok {
			q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ")
			var err error
			if st, err = b.tx.PrepareContext(b.ctx, b.d.rebind(q)); err != nil {
				return err
			}
			statements[len(part)] = st
		}
		args = args[:0]
		for _, r := range part {
			args = append(args, r...)
		}
		if _, err := st.ExecContext(b.ctx, args...); err != nil {
			return err
		}
	}
	return nil
}
