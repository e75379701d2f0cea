package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// UpdateRecord changes fields (by path, as in the interchange format) of
// one record of a kind if it is still at version, bumps its version and
// appends the audit entry, in one transaction. It returns model.ErrStale
// when the record changed since that version and model.ErrNotFound when it
// no longer exists. A field the kind does not store is refused.
//
// The copies, other rows standing for the same record (an indicator listed
// under two steps), receive the same values in the same transaction.
func (s *SQL) UpdateRecord(ctx context.Context, kind, id string, version int, fields map[string]any, entry model.AuditEntry, copies ...string) (int, error) {
	k, err := kindNamed(kind)
	if err != nil {
		return 0, err
	}
	sets, values, err := k.assignments(fields)
	if err != nil {
		return 0, err
	}
	now := s.now()
	sets = append(sets, "updated_at = ?", "version = version + 1")
	values = append(values, s.d.timestamp(now))
	q := fmt.Sprintf("UPDATE %s SET %s WHERE id = ?", k.table, strings.Join(sets, ", "))
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execVersioned(ctx, tx, k.table, id, q+" AND version = ?", append(slices.Clone(values), id, version)...); err != nil {
			return err
		}
		for _, c := range copies {
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), append(slices.Clone(values), c)...); err != nil {
				return err
			}
		}
		if err := s.relink(ctx, tx, kind, entry.Convention); err != nil {
			return err
		}
		entry.At = now
		return s.appendAudit(ctx, tx, entry)
	})
	return version + 1, err
}

// execVersioned runs an UPDATE or DELETE guarded by "id = ? AND version = ?"
// and tells why it touched no row: the record is gone (ErrNotFound) or
// has changed since that version (ErrStale).
func (s *SQL) execVersioned(ctx context.Context, tx *sql.Tx, table, id, q string, args ...any) error {
	res, err := tx.ExecContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	var current int
	err = tx.QueryRowContext(ctx, s.d.rebind("SELECT version FROM "+table+" WHERE id = ?"), id).Scan(&current)
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	if err != nil {
		return err
	}
	return model.ErrStale
}

func (s *SQL) appendAudit(ctx context.Context, tx *sql.Tx, e model.AuditEntry) error {
	before, after := "", ""
	if e.Before != nil {
		b, _ := json.Marshal(e.Before)
		before = string(b)
	}
	if e.After != nil {
		b, _ := json.Marshal(e.After)
		after = string(b)
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO audit_log (`+auditCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), auditArgs(s, e, before, after)...)
	if err != nil {
		return err
	}
	for _, m := range e.Mail {
		if err := s.insertMail(ctx, tx, m, s.now()); err != nil {
			return err
		}
	}
	// Whatever changed in the convention is seen by every server reading
	// its revision.
	return s.bumpRevision(ctx, tx, e.Convention)
}

const auditCols = `id, at, convention_slug, user_id, actor, action, object_type, object_id, object_label, before_json, after_json, comment, rows_json`

// auditArgs are the values of auditCols for an entry whose before and
// after are encoded.
func auditArgs(s *SQL, e model.AuditEntry, before, after string) []any {
	rows := ""
	if len(e.Rows) > 0 {
		rows = auditRowsJSON(e.Rows)
	}
	return []any{s.newID(), s.d.timestamp(e.At), e.Convention, e.UserID, e.Actor, e.Action, e.ObjectType, e.ObjectID, e.ObjectLabel, before, after, e.Comment, rows}
}

// AppendAudit records an entry outside of any other write (imports, sign-ins).
func (s *SQL) AppendAudit(ctx context.Context, e model.AuditEntry) error {
	e.At = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, e) })
}

// History returns the audit entries of a convention, newest first; with
// objectIDs, only those about these records.
func (s *SQL) History(ctx context.Context, convention string, objectIDs []string, limit int) ([]model.AuditEntry, error) {
	q := `SELECT id, at, convention_slug, user_id, actor, action, object_type, object_id, object_label, before_json, after_json, comment, rows_json
		FROM audit_log WHERE convention_slug = ?`
	args := []any{convention}
	if len(objectIDs) > 0 {
		// An import of values lists its values in rows_json.
		q += " AND (object_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(objectIDs)), ", ") + ")" +
			" OR (action = 'import-values' AND (" + strings.TrimSuffix(strings.Repeat("rows_json LIKE ? OR ", len(objectIDs)), " OR ") + ")))"
		for _, id := range objectIDs {
			args = append(args, id)
		}
		for _, id := range objectIDs {
			args = append(args, `%"object_id":"`+id+`"%`)
		}
	}
	q += fmt.Sprintf(" ORDER BY at DESC, id LIMIT %d", max(limit, 1))
	var out []model.AuditEntry
	err := s.each(ctx, q, args, func(scan func(...any) error) error {
		var e model.AuditEntry
		var before, after, rows string
		if err := scan(&e.ID, timeCol{&e.At}, &e.Convention, &e.UserID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.ObjectLabel, &before, &after, &e.Comment, &rows); err != nil {
			return err
		}
		if rows != "" {
			_ = json.Unmarshal([]byte(rows), &e.Rows)
			if len(objectIDs) > 0 && !slices.Contains(objectIDs, e.ObjectID) && !narrowAudit(&e, objectIDs) {
				return nil
			}
		}
		if before != "" {
			_ = json.Unmarshal([]byte(before), &e.Before)
		}
		if after != "" {
			_ = json.Unmarshal([]byte(after), &e.After)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// narrowAudit keeps of an entry about many records the rows of ids; with
// one, the entry becomes that row's (action, record, label, fields). It
// reports whether a row is left.
func narrowAudit(e *model.AuditEntry, ids []string) bool {
	var kept []model.AuditRow
	for _, r := range e.Rows {
		if slices.Contains(ids, r.ObjectID) {
			kept = append(kept, r)
		}
	}
	e.Rows = kept
	if len(kept) == 1 {
		r := kept[0]
		e.Action, e.ObjectID, e.ObjectLabel, e.Before, e.After, e.Rows = r.Action, r.ObjectID, r.Label, r.Before, r.After, nil
	}
	return len(kept) > 0
}

// InsertRecord adds one record of a kind under its parent, after the
// parent's other children, with the given fields (by path), and appends
// the audit entry, in one transaction. It returns the new record's id;
// model.ErrConflict when a key or code it holds is already taken.
func (s *SQL) InsertRecord(ctx context.Context, kind, parentID string, fields map[string]any, entry model.AuditEntry) (string, error) {
	k, err := kindNamed(kind)
	if err != nil {
		return "", err
	}
	if k.parent == "" {
		return "", fmt.Errorf("on n'ajoute pas de %s à un autre élément", kind)
	}
	sets, values, err := k.assignments(fields)
	if err != nil {
		return "", err
	}
	cols := []string{k.parent, "position"}
	for _, set := range sets {
		cols = append(cols, strings.TrimSuffix(set, " = ?"))
	}
	id := s.newID()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var pos int
		q := fmt.Sprintf("SELECT COALESCE(MAX(position) + 1, 0) FROM %s WHERE %s = ?", k.table, k.parent)
		if err := tx.QueryRowContext(ctx, s.d.rebind(q), parentID).Scan(&pos); err != nil {
			return err
		}
		args := append([]any{parentID, pos}, values...)
		if k.viaTable != "" {
			var cid string
			q := fmt.Sprintf("SELECT convention_id FROM %s WHERE id = ?", k.viaTable)
			if err := tx.QueryRowContext(ctx, s.d.rebind(q), parentID).Scan(&cid); err != nil {
				return notFoundIfNoRows(err)
			}
			cols, args = append(cols, "convention_id"), append(args, cid)
		}
		now := s.now()
		cols = append(cols, "id", "created_at", "updated_at", "version")
		args = append(args, id, s.d.timestamp(now), s.d.timestamp(now), 1)
		q = fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", k.table, strings.Join(cols, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", "))
		if _, err := tx.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
			return err
		}
		if err := s.relink(ctx, tx, kind, entry.Convention); err != nil {
			return err
		}
		entry.ObjectID, entry.At = id, now
		return s.appendAudit(ctx, tx, entry)
	})
	if isUniqueViolation(err) {
		return "", fmt.Errorf("%s : %w", kind, model.ErrConflict)
	}
	return id, err
}

func notFoundIfNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.ErrNotFound
	}
	return err
}

// DeleteRecord removes one record of a kind still at version, with its
// dependent rows, and appends the audit entry, in one transaction.
func (s *SQL) DeleteRecord(ctx context.Context, kind, id string, version int, entry model.AuditEntry) error {
	k, err := kindNamed(kind)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execVersioned(ctx, tx, k.table, id, "DELETE FROM "+k.table+" WHERE id = ? AND version = ?", id, version); err != nil {
			return err
		}
		if err := s.relink(ctx, tx, kind, entry.Convention); err != nil {
			return err
		}
		entry.At = s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}
