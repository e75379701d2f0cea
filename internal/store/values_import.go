package store

import (
	"cmp"
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

// importBatch is the number of rows of one multi-row statement.
const importBatch = 500

// bulk is what an import of values needs of a transaction, on either
// database: statements, a query, and many rows inserted at once.
type bulk interface {
	exec(q string, args ...any) error
	query(q string, args []any, row func(scan func(...any) error) error) error
	insert(table string, cols []string, rows [][]any) error
	// update writes the columns set of each row (cols names its values)
	// into the row of table that has the same match columns and the
	// row's version less one, and returns how many rows it updated.
	update(table string, cols []string, rows [][]any, match, set []string) (int64, error)
}

// ImportValues saves the values of an import, all or none, in one
// transaction, with one audit entry that lists them: entry gets a row per
// value written (its Entry's action, label, fields before and after) and
// per synthetic value replaced (its Removal); the convention's revision
// moves. A correction must find its value still at v.Version (ErrStale
// otherwise); it keeps its convention, indicator, period and breakdown
// (the import found it by them) and writes its other fields. A new value whose period and breakdown another value holds is
// ErrConflict. New values are inserted by multi-row statements (COPY on
// PostgreSQL); corrections are updated in place by batches, with the
// next version. Values get their new metadata.
func (s *SQL) ImportValues(ctx context.Context, writes []ValueWrite, entry model.AuditEntry) error {
	if len(writes) == 0 {
		return nil
	}
	now := s.now()
	var replaced []any
	values := make([]*model.Value, 0, len(writes))
	fresh := 0
	for _, w := range writes {
		v := w.Value
		values = append(values, v)
		if w.Replaces != "" {
			replaced = append(replaced, w.Replaces)
		}
		if v.ID == "" {
			fresh++
			continue
		}
		v.Version++
		v.UpdatedAt = now
	}
	// The rows are written in the order of the natural key, and the new
	// values get their (random) ids in that same order: the table and its
	// three indexes then grow one page after the other instead of all
	// over them, and few pages are held at once.
	slices.SortFunc(values, func(a, b *model.Value) int {
		return cmp.Or(strings.Compare(a.Convention, b.Convention), strings.Compare(a.Indicator, b.Indicator),
			strings.Compare(a.Period, b.Period), strings.Compare(a.Breakdown, b.Breakdown))
	})
	ids := make([]string, fresh)
	for i := range ids {
		ids[i] = s.newID()
	}
	slices.Sort(ids)
	cols := strings.Split(strings.Join(strings.Fields(valueCols+", "+metaCols), ""), ",")
	var inserted, corrected [][]any
	stamp := s.d.timestamp(now)
	for _, v := range values {
		isNew := v.ID == ""
		if isNew {
			v.Meta = model.Meta{ID: ids[0], Version: 1, CreatedAt: now, UpdatedAt: now}
			ids = ids[1:]
		}
		row := append(append(make([]any, 0, len(cols)), valueArgs(v, s.d)...), v.ID, s.d.timestamp(v.CreatedAt), stamp, v.Version)
		if isNew {
			inserted = append(inserted, row)
		} else {
			corrected = append(corrected, row)
		}
	}
	run := func(b bulk) error {
		gone := map[string]bool{}
		if err := s.deleteIDs(b, `synthetic = ? AND `, []any{true}, replaced, func(id string, _ int) { gone[id] = true }); err != nil {
			return err
		}
		if len(corrected) > 0 {
			n, err := b.update("indicator_values", cols, corrected, correctionMatch, correctionSet)
			if err != nil {
				return err
			}
			if n != int64(len(corrected)) {
				return model.ErrStale
			}
		}
		if len(inserted) > 0 {
			if err := b.insert("indicator_values", cols, inserted); err != nil {
				if isUniqueViolation(err) {
					return fmt.Errorf("une valeur existe déjà pour une des périodes du fichier : %w", model.ErrConflict)
				}
				return err
			}
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
		if err := b.exec(`INSERT INTO audit_log (`+auditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, auditArgs(s, entry, before, after)...); err != nil {
			return err
		}
		// Every server reading the convention's revision sees the values,
		// and every server reading the count of changes (see Changes), moved
		// last, the lists that show them.
		if err := b.exec(`UPDATE conventions SET revision = revision + 1 WHERE slug = ?`, entry.Convention); err != nil {
			return err
		}
		return b.exec(moveChanges)
	}
	if s.d.numbered {
		return s.pgxTx(ctx, func(tx pgx.Tx) error { return run(pgxBulk{ctx, tx, s.d}) })
	}
	// Written in the order of their keys, the rows need no larger page
	// cache than the connection's: a larger one, shrunk again at the end,
	// gave its pages back one system call at a time (a second and more).
	return s.inTx(ctx, func(tx *sql.Tx) error { return run(&sqlBulk{ctx: ctx, tx: tx, d: s.d}) })
}

// correctionMatch are the columns that find the value a correction
// updates, correctionSet those it writes: neither its natural key, by
// which the import found it, nor its creation, so that no index changes.
var (
	correctionMatch = []string{"id"}
	correctionSet   = []string{"value", "text_value", "organization_key", "state", "return_reason", "source", "comment",
		"synthetic", "entered_by", "validated_by", "validated_at", "updated_at", "version"}
)

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

// update copies the rows into a temporary table dropped at the commit,
// then updates table from it in one statement.
func (b pgxBulk) update(table string, cols []string, rows [][]any, match, set []string) (int64, error) {
	const tmp = "import_rows"
	if _, err := b.tx.Exec(b.ctx, "CREATE TEMPORARY TABLE "+tmp+" (LIKE "+table+") ON COMMIT DROP"); err != nil {
		return 0, err
	}
	if _, err := b.tx.CopyFrom(b.ctx, pgx.Identifier{tmp}, cols, pgx.CopyFromRows(rows)); err != nil {
		return 0, err
	}
	var sets, where []string
	for _, c := range set {
		sets = append(sets, c+" = "+tmp+"."+c)
	}
	for _, c := range match {
		where = append(where, table+"."+c+" = "+tmp+"."+c)
	}
	where = append(where, table+".version = "+tmp+".version - 1")
	tag, err := b.tx.Exec(b.ctx, "UPDATE "+table+" SET "+strings.Join(sets, ", ")+" FROM "+tmp+" WHERE "+strings.Join(where, " AND "))
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
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

// insert binds a column that holds the same value in every row (the
// convention, the state, the dates of an import…) once per statement
// instead of once per row: INSERT INTO t (varying…, shared…) SELECT
// column1…, ?… FROM (VALUES (?…), …), the shared parameters numbered
// first. Binding is most of what the driver spends on a row.
func (b *sqlBulk) insert(table string, cols []string, rows [][]any) error {
	var varying, shared []int
	for j := range cols {
		if len(rows) > 1 && sameInAll(rows, j) {
			shared = append(shared, j)
		} else {
			varying = append(varying, j)
		}
	}
	if len(varying) == 0 {
		varying, shared = append(varying, shared[0]), shared[1:]
	}
	names := make([]string, 0, len(cols))
	sel := make([]string, 0, len(cols))
	for k, j := range varying {
		names = append(names, cols[j])
		sel = append(sel, fmt.Sprintf("column%d", k+1))
	}
	for _, j := range shared {
		names = append(names, cols[j])
		sel = append(sel, "?")
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(varying)), ", ") + ")"
	statements := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range statements {
			st.Close()
		}
	}()
	args := make([]any, 0, len(shared)+importBatch*len(varying))
	for _, j := range shared {
		args = append(args, rows[0][j])
	}
	for start := 0; start < len(rows); start += importBatch {
		part := rows[start:min(start+importBatch, len(rows))]
		st, ok := statements[len(part)]
		if !ok {
			q := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") SELECT " + strings.Join(sel, ", ") +
				" FROM (VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ") + ")"
			var err error
			if st, err = b.tx.PrepareContext(b.ctx, b.d.rebind(q)); err != nil {
				return err
			}
			statements[len(part)] = st
		}
		args = args[:len(shared)]
		for _, r := range part {
			for _, j := range varying {
				args = append(args, r[j])
			}
		}
		if _, err := st.ExecContext(b.ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// update runs UPDATE table SET set… FROM (VALUES (?…), …) AS v WHERE
// match… AND version = v.version - 1, by batches; a set column that
// holds the same value in every row is bound once.
func (b *sqlBulk) update(table string, cols []string, rows [][]any, match, set []string) (int64, error) {
	at := map[string]int{}
	for j, c := range cols {
		at[c] = j
	}
	var inValues []int // columns of cols given in VALUES, in order
	var sets []string
	var sharedArgs []any
	for _, c := range match {
		inValues = append(inValues, at[c])
	}
	for _, c := range set {
		if c != "version" && len(rows) > 1 && sameInAll(rows, at[c]) {
			sets = append(sets, c+" = ?")
			sharedArgs = append(sharedArgs, rows[0][at[c]])
			continue
		}
		inValues = append(inValues, at[c])
		sets = append(sets, fmt.Sprintf("%s = v.column%d", c, len(inValues)))
	}
	var where []string
	for k, c := range match {
		where = append(where, fmt.Sprintf("%s.%s = v.column%d", table, c, k+1))
	}
	version := slices.Index(inValues, at["version"]) + 1
	where = append(where, fmt.Sprintf("%s.version = v.column%d - 1", table, version))
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(inValues)), ", ") + ")"
	statements := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range statements {
			st.Close()
		}
	}()
	args := append(make([]any, 0, len(sharedArgs)+importBatch*len(inValues)), sharedArgs...)
	var n int64
	for start := 0; start < len(rows); start += importBatch {
		part := rows[start:min(start+importBatch, len(rows))]
		st, ok := statements[len(part)]
		if !ok {
			q := "UPDATE " + table + " SET " + strings.Join(sets, ", ") + " FROM (VALUES " +
				strings.TrimSuffix(strings.Repeat(one+", ", len(part)), ", ") + ") AS v WHERE " + strings.Join(where, " AND ")
			var err error
			if st, err = b.tx.PrepareContext(b.ctx, b.d.rebind(q)); err != nil {
				return n, err
			}
			statements[len(part)] = st
		}
		args = args[:len(sharedArgs)]
		for _, r := range part {
			for _, j := range inValues {
				args = append(args, r[j])
			}
		}
		res, err := st.ExecContext(b.ctx, args...)
		if err != nil {
			return n, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// sameInAll says whether column j holds one value of a plain type in
// every row.
func sameInAll(rows [][]any, j int) bool {
	switch rows[0][j].(type) {
	case nil, string, float64, int, int64, bool:
	default:
		return false
	}
	for _, r := range rows[1:] {
		if r[j] != rows[0][j] {
			return false
		}
	}
	return true
}
