package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

const assessmentCols = `convention_slug, fiche_code, year, text, author`

func assessmentDest(x *model.Assessment) []any {
	return append([]any{&x.Convention, &x.Fiche, &x.Year, &x.Text, &x.Author}, metaDest(&x.Meta)...)
}

// Assessments lists a convention's written assessments of its fiches, of
// one year when year is not 0, by year and fiche code.
func (s *SQL) Assessments(ctx context.Context, convention string, year int) ([]model.Assessment, error) {
	q := `SELECT ` + assessmentCols + `, ` + metaCols + ` FROM assessments WHERE convention_slug = ?`
	args := []any{convention}
	if year != 0 {
		q += ` AND year = ?`
		args = append(args, year)
	}
	q += ` ORDER BY year, fiche_code`
	var out []model.Assessment
	err := s.each(ctx, q, args, func(scan func(...any) error) error {
		var x model.Assessment
		if err := scan(assessmentDest(&x)...); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// Assessment returns the assessment of a fiche for a year, or ErrNotFound.
func (s *SQL) Assessment(ctx context.Context, convention, fiche string, year int) (*model.Assessment, error) {
	var x model.Assessment
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+assessmentCols+`, `+metaCols+` FROM assessments
		WHERE convention_slug = ? AND fiche_code = ? AND year = ?`), convention, fiche, year).Scan(assessmentDest(&x)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// SaveAssessment stores an assessment with its audit entry, in one
// transaction: a new one when x.ID is empty (ErrConflict when the fiche
// already has one for the year, written meanwhile), else the update of
// the one still at x.Version (ErrStale otherwise). x gets its new metadata.
func (s *SQL) SaveAssessment(ctx context.Context, x *model.Assessment, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		args := []any{x.Convention, x.Fiche, x.Year, x.Text, x.Author}
		if x.ID == "" {
			x.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
			_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO assessments (`+assessmentCols+`, `+metaCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), append(args, x.ID, s.d.timestamp(now), s.d.timestamp(now), 1)...)
			if isUniqueViolation(err) {
				return fmt.Errorf("l'appréciation %d de la fiche %s vient d'être écrite par quelqu'un d'autre : %w", x.Year, x.Fiche, model.ErrStale)
			}
			if err != nil {
				return err
			}
		} else {
			q := `UPDATE assessments SET convention_slug = ?, fiche_code = ?, year = ?, text = ?, author = ?,
				updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`
			if err := s.execVersioned(ctx, tx, "assessments", x.ID, q, append(args, s.d.timestamp(now), x.ID, x.Version)...); err != nil {
				return err
			}
			x.Version++
			x.UpdatedAt = now
		}
		entry.ObjectID, entry.At = x.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
}
