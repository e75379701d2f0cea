package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

const valueCols = `indicator_code, period, breakdown, value, text_value, organization_key, state, return_reason, source, comment,
	synthetic, entered_by, validated_by, validated_at, convention_slug`

func valueArgs(v *model.Value, d dialect) []any {
	var validated any
	if v.ValidatedAt != nil {
		validated = d.timestamp(*v.ValidatedAt)
	}
	var number any
	if v.Number != nil {
		number = *v.Number
	}
	return []any{v.Indicator, v.Period, v.Breakdown, number, v.Text, v.Organization, string(v.State), v.ReturnReason, v.Source,
		v.Comment, v.Synthetic, v.EnteredBy, v.ValidatedBy, validated, v.Convention}
}

// nullTime reads an optional timestamp.
type nullTime struct{ t **time.Time }

func (n nullTime) Scan(src any) error {
	if src == nil {
		*n.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*n.t = &t
	return nil
}

func valueDest(v *model.Value, number *sql.NullFloat64) []any {
	return append([]any{&v.Indicator, &v.Period, &v.Breakdown, number, &v.Text, &v.Organization, &v.State, &v.ReturnReason, &v.Source,
		&v.Comment, &v.Synthetic, &v.EnteredBy, &v.ValidatedBy, nullTime{&v.ValidatedAt}, &v.Convention}, metaDest(&v.Meta)...)
}

// Values lists a convention's indicator values, of one indicator when code
// is not empty, by indicator, period and breakdown.
func (s *SQL) Values(ctx context.Context, convention, code string) ([]model.Value, error) {
	q := `SELECT ` + valueCols + `, ` + metaCols + ` FROM indicator_values WHERE convention_slug = ?`
	args := []any{convention}
	if code != "" {
		q += ` AND indicator_code = ?`
		args = append(args, code)
	}
	q += ` ORDER BY indicator_code, period, breakdown`
	var out []model.Value
	err := s.each(ctx, q, args, func(scan func(...any) error) error {
		var v model.Value
		var n sql.NullFloat64
		if err := scan(valueDest(&v, &n)...); err != nil {
			return err
		}
		if n.Valid {
			v.Number = &n.Float64
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// Value returns one value by id.
func (s *SQL) Value(ctx context.Context, id string) (*model.Value, error) {
	var v model.Value
	var n sql.NullFloat64
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+valueCols+`, `+metaCols+` FROM indicator_values WHERE id = ?`), id).Scan(valueDest(&v, &n)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.ErrNotFound
	}
	if n.Valid {
		v.Number = &n.Float64
	}
	return &v, err
}

// SaveValue stores a value with its audit entry, in one transaction: a new
// one when v.ID is empty, else the update of the value still at v.Version
// (ErrStale otherwise). ErrConflict when the period and breakdown already
// have another value, including when a concurrent save got there first.
// v gets its new metadata.
func (s *SQL) SaveValue(ctx context.Context, v *model.Value, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return s.saveValue(ctx, tx, v, entry) })
}

// SaveValues saves several values, each with its audit entry, all or
// none, in one transaction.
func (s *SQL) SaveValues(ctx context.Context, values []*model.Value, entries []model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for i, v := range values {
			if err := s.saveValue(ctx, tx, v, entries[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// ValueWrite is a value to save with its history entry. Replaces, when
// set, is the id of a synthetic value of the same period and breakdown
// that the value replaces: it is deleted first, with the Removal entry.
type ValueWrite struct {
	Value    *model.Value
	Entry    model.AuditEntry
	Replaces string
	Removal  model.AuditEntry
}

// WriteValues saves values, each with its history entry, deleting the
// synthetic values they replace, all or none, in one transaction. A
// replaced value already gone (demonstration data removed meanwhile)
// leaves no removal entry.
func (s *SQL) WriteValues(ctx context.Context, writes []ValueWrite) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, w := range writes {
			if w.Replaces != "" {
				res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM indicator_values WHERE id = ? AND synthetic = ?`), w.Replaces, true)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					w.Removal.ObjectID, w.Removal.At = w.Replaces, s.now()
					if err := s.appendAudit(ctx, tx, w.Removal); err != nil {
						return err
					}
				}
			}
			if err := s.saveValue(ctx, tx, w.Value, w.Entry); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *SQL) saveValue(ctx context.Context, tx *sql.Tx, v *model.Value, entry model.AuditEntry) error {
	now := s.now()
	args := valueArgs(v, s.d)
	if v.ID == "" {
		v.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO indicator_values (`+valueCols+`, `+metaCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), append(args, v.ID, s.d.timestamp(now), s.d.timestamp(now), 1)...)
		if isUniqueViolation(err) {
			return fmt.Errorf("une valeur existe déjà pour %s, période %s : %w", v.Indicator, v.Period, model.ErrConflict)
		}
		if err != nil {
			return err
		}
	} else {
		q := `UPDATE indicator_values SET indicator_code = ?, period = ?, breakdown = ?, value = ?, text_value = ?, organization_key = ?,
			state = ?, return_reason = ?, source = ?, comment = ?, synthetic = ?, entered_by = ?, validated_by = ?, validated_at = ?,
			convention_slug = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`
		err := s.execVersioned(ctx, tx, "indicator_values", v.ID, q, append(args, s.d.timestamp(now), v.ID, v.Version)...)
		if isUniqueViolation(err) {
			// A correction moved the value onto a period and breakdown
			// that another value holds.
			return fmt.Errorf("une valeur existe déjà pour %s, période %s : %w", v.Indicator, v.Period, model.ErrConflict)
		}
		if err != nil {
			return err
		}
		v.Version++
		v.UpdatedAt = now
	}
	entry.ObjectID, entry.At = v.ID, now
	return s.appendAudit(ctx, tx, entry)
}

// DeleteSyntheticValues removes a convention's demonstration values and
// returns how many there were.
func (s *SQL) DeleteSyntheticValues(ctx context.Context, convention string) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM indicator_values WHERE convention_slug = ? AND synthetic = ?`), convention, true)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		// No audit entry: what the pages show changed all the same.
		return s.bumpRevision(ctx, tx, convention)
	})
	return int(n), err
}

// InsertValues stores new values and one audit entry for them all, in one
// transaction; a value whose period and breakdown already have one is
// skipped. It returns how many were stored.
func (s *SQL) InsertValues(ctx context.Context, values []model.Value, entry model.AuditEntry) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for i := range values {
			v := &values[i]
			var exists int
			if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM indicator_values WHERE convention_slug = ? AND indicator_code = ?
				AND period = ? AND breakdown = ?`), v.Convention, v.Indicator, v.Period, v.Breakdown).Scan(&exists); err != nil {
				return err
			}
			if exists > 0 {
				continue
			}
			v.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
			if v.State == model.ValueValidated && v.ValidatedAt == nil {
				v.ValidatedAt = &now
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO indicator_values (`+valueCols+`, `+metaCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
				append(valueArgs(v, s.d), v.ID, s.d.timestamp(now), s.d.timestamp(now), 1)...); err != nil {
				return err
			}
			n++
		}
		entry.At = now
		return s.appendAudit(ctx, tx, entry)
	})
	return n, err
}
