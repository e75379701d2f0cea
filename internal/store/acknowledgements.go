package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Acknowledgements stores the findings of the checker that were
// acknowledged, per convention.
type Acknowledgements interface {
	// Acknowledgements lists a convention's acknowledged findings, oldest first.
	Acknowledgements(ctx context.Context, convention string) ([]model.Acknowledgement, error)
	// AddAcknowledgement stores an acknowledgement with its audit entry;
	// ErrConflict if the finding is already acknowledged.
	AddAcknowledgement(ctx context.Context, ack *model.Acknowledgement, entry model.AuditEntry) error
	// DeleteAcknowledgement removes the acknowledgement of a finding with
	// its audit entry; ErrNotFound if there is none.
	DeleteAcknowledgement(ctx context.Context, convention, key string, entry model.AuditEntry) error
}

const ackCols = `convention_slug, finding_key, rule, record_id, path, message, reason, user_id, acknowledged_by, acknowledged_at`

// Acknowledgements lists a convention's acknowledged findings, oldest first.
func (s *SQL) Acknowledgements(ctx context.Context, convention string) ([]model.Acknowledgement, error) {
	var out []model.Acknowledgement
	err := s.each(ctx, `SELECT id, `+ackCols+` FROM finding_acknowledgements WHERE convention_slug = ? ORDER BY acknowledged_at, id`,
		[]any{convention}, func(scan func(...any) error) error {
			var a model.Acknowledgement
			if err := scan(&a.ID, &a.Convention, &a.Key, &a.Rule, &a.RecordID, &a.Path, &a.Message, &a.Reason, &a.UserID, &a.By,
				timeCol{&a.At}); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	return out, err
}

// AddAcknowledgement stores an acknowledgement and its audit entry in one
// transaction; ack gets its id and time.
func (s *SQL) AddAcknowledgement(ctx context.Context, ack *model.Acknowledgement, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		ack.ID, ack.At = s.newID(), now
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO finding_acknowledgements (id, `+ackCols+`, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`), ack.ID, ack.Convention, ack.Key, ack.Rule, ack.RecordID, ack.Path, ack.Message,
			ack.Reason, ack.UserID, ack.By, s.d.timestamp(now), s.d.timestamp(now), s.d.timestamp(now))
		if isUniqueViolation(err) {
			return fmt.Errorf("ce constat est déjà pris en compte : %w", model.ErrConflict)
		}
		if err != nil {
			return err
		}
		entry.ObjectID, entry.At = ack.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
}

// DeleteAcknowledgement removes the acknowledgement of a finding and
// appends its audit entry, in one transaction.
func (s *SQL) DeleteAcknowledgement(ctx context.Context, convention, key string, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM finding_acknowledgements WHERE convention_slug = ? AND finding_key = ?`),
			convention, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("ce constat n'est pas pris en compte : %w", model.ErrNotFound)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM finding_acknowledgements WHERE id = ?`), id)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		entry.ObjectID, entry.At = id, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}
