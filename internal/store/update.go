package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// AuditEntry is one line of the append-only history.
type AuditEntry struct {
	ID          string            `json:"id"`
	At          time.Time         `json:"at"`
	Convention  string            `json:"convention"`
	UserID      string            `json:"-"`
	Actor       string            `json:"actor"`
	Action      string            `json:"action"`
	ObjectType  string            `json:"object_type"`
	ObjectID    string            `json:"object_id"`
	ObjectLabel string            `json:"object_label"`
	Before      map[string]string `json:"before,omitempty"`
	After       map[string]string `json:"after,omitempty"`
}

// UpdateRecord changes columns of one record if it is still at version,
// bumps its version and appends the audit entry, in one transaction. It
// returns model.ErrStale when the record changed since that version and
// model.ErrNotFound when it no longer exists.
//
// The copies, other rows standing for the same record (an indicator listed
// under two steps), receive the same values in the same transaction.
func (s *SQL) UpdateRecord(ctx context.Context, table, id string, version int, columns []string, values []any, entry AuditEntry, copies ...string) (int, error) {
	if !isTable(table) {
		return 0, fmt.Errorf("table inconnue : %s", table)
	}
	sets := make([]string, len(columns))
	for i, c := range columns {
		sets[i] = c + " = ?"
	}
	now := s.now()
	args := append(append([]any{}, values...), s.d.timestamp(now), id, version)
	q := fmt.Sprintf("UPDATE %s SET %s updated_at = ?, version = version + 1 WHERE id = ? AND version = ?", table, strings.Join(sets, ", ")+commaIf(len(sets)))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execVersioned(ctx, tx, table, id, q, args...); err != nil {
			return err
		}
		for _, c := range copies {
			cq := fmt.Sprintf("UPDATE %s SET %s updated_at = ?, version = version + 1 WHERE id = ?", table, strings.Join(sets, ", ")+commaIf(len(sets)))
			if _, err := tx.ExecContext(ctx, s.d.rebind(cq), append(append([]any{}, values...), s.d.timestamp(now), c)...); err != nil {
				return err
			}
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

func commaIf(n int) string {
	if n > 0 {
		return ","
	}
	return ""
}

func isTable(t string) bool {
	for _, x := range tables {
		if x == t {
			return true
		}
	}
	return false
}

func (s *SQL) appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	before, after := "", ""
	if e.Before != nil {
		b, _ := json.Marshal(e.Before)
		before = string(b)
	}
	if e.After != nil {
		b, _ := json.Marshal(e.After)
		after = string(b)
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO audit_log (id, at, convention_slug, user_id, actor, action, object_type, object_id, object_label, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), s.newID(), s.d.timestamp(e.At), e.Convention, e.UserID, e.Actor, e.Action,
		e.ObjectType, e.ObjectID, e.ObjectLabel, before, after)
	return err
}

// AppendAudit records an entry outside of any other write (imports, sign-ins).
func (s *SQL) AppendAudit(ctx context.Context, e AuditEntry) error {
	e.At = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, e) })
}

// History returns the audit entries of a convention, newest first; with
// objectIDs, only those about these records.
func (s *SQL) History(ctx context.Context, convention string, objectIDs []string, limit int) ([]AuditEntry, error) {
	q := `SELECT id, at, convention_slug, user_id, actor, action, object_type, object_id, object_label, before_json, after_json
		FROM audit_log WHERE convention_slug = ?`
	args := []any{convention}
	if len(objectIDs) > 0 {
		q += " AND object_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(objectIDs)), ", ") + ")"
		for _, id := range objectIDs {
			args = append(args, id)
		}
	}
	q += fmt.Sprintf(" ORDER BY at DESC, id LIMIT %d", max(limit, 1))
	var out []AuditEntry
	err := s.each(ctx, q, args, func(scan func(...any) error) error {
		var e AuditEntry
		var before, after string
		if err := scan(&e.ID, timeCol{&e.At}, &e.Convention, &e.UserID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &e.ObjectLabel, &before, &after); err != nil {
			return err
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

// InsertRecord adds one record under its parent, after the parent's other
// children, and appends the audit entry, in one transaction. It returns the
// new record's id.
func (s *SQL) InsertRecord(ctx context.Context, table, parentColumn, parentID string, columns []string, values []any, entry AuditEntry) (string, error) {
	if !isTable(table) {
		return "", fmt.Errorf("table inconnue : %s", table)
	}
	id := s.newID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var pos int
		q := fmt.Sprintf("SELECT COALESCE(MAX(position) + 1, 0) FROM %s WHERE %s = ?", table, parentColumn)
		if err := tx.QueryRowContext(ctx, s.d.rebind(q), parentID).Scan(&pos); err != nil {
			return err
		}
		w := &inserter{s: s, ctx: ctx, tx: tx, id: id}
		w.row(table, nil, strings.Join(append([]string{parentColumn, "position"}, columns...), ", "), append([]any{parentID, pos}, values...)...)
		if w.err != nil {
			return w.err
		}
		entry.ObjectID, entry.At = id, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
	return id, err
}

// DeleteRecord removes one record still at version, with its dependent
// rows, and appends the audit entry, in one transaction.
func (s *SQL) DeleteRecord(ctx context.Context, table, id string, version int, entry AuditEntry) error {
	if !isTable(table) {
		return fmt.Errorf("table inconnue : %s", table)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.execVersioned(ctx, tx, table, id, "DELETE FROM "+table+" WHERE id = ? AND version = ?", id, version); err != nil {
			return err
		}
		entry.At = s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}
