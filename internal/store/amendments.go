package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

const amendmentCols = `convention_slug, number, object, state, working_copy, created_by, signed_on, signature_place,
	effective_on, changes, applied_at`

func amendmentDest(x *model.Amendment, changes *string) []any {
	return append([]any{&x.Convention, &x.Number, &x.Object, &x.State, &x.WorkingCopy, &x.CreatedBy, dateCol{&x.SignedOn},
		&x.SignaturePlace, dateCol{&x.EffectiveOn}, changes, nullTimeCol{&x.AppliedAt}}, metaDest(&x.Meta)...)
}

// nullTimeCol reads an optional timestamp into a *time.Time (nil for NULL).
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		*c.t = nil
		return nil
	}
	var t time.Time
	if err := (timeCol{&t}).Scan(src); err != nil {
		return err
	}
	*c.t = &t
	return nil
}

const authorizationCols = `convention_slug, number, organization_key, body, decided_on, reference, prefecture_acknowledgement`

// Amendments lists a convention's avenants by number, with their parties' authorizations.
func (s *SQL) Amendments(ctx context.Context, convention string) ([]model.Amendment, error) {
	out, err := s.amendments(ctx, `convention_slug = ?`, convention)
	if err != nil {
		return nil, err
	}
	index := map[int]int{}
	for i, x := range out {
		index[x.Number] = i
	}
	err = s.each(ctx, `SELECT `+authorizationCols+`, `+metaCols+` FROM amendment_authorizations WHERE convention_slug = ?
		ORDER BY number, organization_key`, []any{convention}, func(scan func(...any) error) error {
		var a model.AmendmentAuthorization
		if err := scan(&a.Convention, &a.Number, &a.Organization, &a.Body, dateCol{&a.DecidedOn}, &a.Reference,
			&a.PrefectureAcknowledgement, &a.ID, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}, &a.Version); err != nil {
			return err
		}
		if i, ok := index[a.Number]; ok {
			out[i].Authorizations = append(out[i].Authorizations, a)
		}
		return nil
	})
	return out, err
}

// Amendment returns avenant n° number of a convention, or ErrNotFound.
func (s *SQL) Amendment(ctx context.Context, convention string, number int) (*model.Amendment, error) {
	all, err := s.Amendments(ctx, convention)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].Number == number {
			return &all[i], nil
		}
	}
	return nil, fmt.Errorf("avenant n° %d : %w", number, model.ErrNotFound)
}

// CreateAmendment stores a new draft avenant under the next number of its
// convention, with its working copy (stored under the working copy's slug
// with its own history entry), in one transaction. x gets its number and
// metadata. ErrConflict when the convention already has an avenant in
// preparation.
func (s *SQL) CreateAmendment(ctx context.Context, x *model.Amendment, copy *model.Convention, entry model.AuditEntry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT MAX(number) FROM amendments WHERE convention_slug = ?`), x.Convention).Scan(&last); err != nil {
			return err
		}
		x.Number = int(last.Int64) + 1
		x.State = model.AmendmentDraft
		x.WorkingCopy = model.WorkingCopySlug(x.Convention, x.Number)
		now := s.now()
		x.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO amendments (convention_slug, number, object, state, working_copy, created_by, `+metaCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), x.Convention, x.Number, x.Object, x.State, x.WorkingCopy, x.CreatedBy,
			x.ID, s.d.timestamp(now), s.d.timestamp(now), 1); err != nil {
			return err
		}
		wc := *copy
		wc.Slug = x.WorkingCopy
		copyEntry := entry
		copyEntry.Action, copyEntry.ObjectType, copyEntry.ObjectLabel = "create", "convention", fmt.Sprintf("Copie de travail de l'avenant n° %d", x.Number)
		if _, err := s.insertConvention(ctx, tx, nil, &wc, copyEntry); err != nil {
			return err
		}
		entry.ObjectID, entry.At = x.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("un avenant est déjà en préparation pour la convention « %s » : %w", x.Convention, model.ErrConflict)
	}
	return err
}

// SaveAmendmentAuthorization stores a party's authorization to sign an
// avenant with its audit entry: a new one when a.ID is empty, else the
// update of the one still at a.Version (ErrStale otherwise).
func (s *SQL) SaveAmendmentAuthorization(ctx context.Context, a *model.AmendmentAuthorization, entry model.AuditEntry) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		args := []any{a.Convention, a.Number, a.Organization, a.Body, dateArg(a.DecidedOn), a.Reference, a.PrefectureAcknowledgement}
		if a.ID == "" {
			a.Meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO amendment_authorizations (`+authorizationCols+`, `+metaCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), append(args, a.ID, s.d.timestamp(now), s.d.timestamp(now), 1)...); err != nil {
				return err
			}
		} else {
			q := `UPDATE amendment_authorizations SET convention_slug = ?, number = ?, organization_key = ?, body = ?, decided_on = ?,
				reference = ?, prefecture_acknowledgement = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`
			if err := s.execVersioned(ctx, tx, "amendment_authorizations", a.ID, q, append(args, s.d.timestamp(now), a.ID, a.Version)...); err != nil {
				return err
			}
			a.Version++
			a.UpdatedAt = now
		}
		entry.ObjectID, entry.At = a.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("l'autorisation de %s vient d'être enregistrée par quelqu'un d'autre : %w", a.Organization, model.ErrStale)
	}
	return err
}

// leaveDraft moves a draft avenant still at its version to its new
// state and fields, or tells why it cannot (ErrStale, ErrNotFound).
func (s *SQL) leaveDraft(ctx context.Context, tx *sql.Tx, x *model.Amendment, now time.Time) error {
	q := `UPDATE amendments SET state = ?, working_copy = '', signed_on = ?, signature_place = ?, effective_on = ?, changes = ?,
		updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND state = 'draft'`
	if err := s.execVersioned(ctx, tx, "amendments", x.ID, q, x.State, dateArg(x.SignedOn), x.SignaturePlace, dateArg(x.EffectiveOn),
		string(x.Changes), s.d.timestamp(now), x.ID, x.Version); err != nil {
		return err
	}
	x.Version++
	x.UpdatedAt = now
	return nil
}

// deleteConvention removes a convention and all its records.
func (s *SQL) deleteConvention(ctx context.Context, tx *sql.Tx, slug string) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM organization_links WHERE convention_slug = ?`), slug); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM conventions WHERE slug = ?`), slug)
	return err
}

// AbandonAmendment gives up a draft avenant still at x.Version: it is kept
// as abandoned and its working copy is deleted, in one transaction.
func (s *SQL) AbandonAmendment(ctx context.Context, x *model.Amendment, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		copySlug := x.WorkingCopy
		x.State = model.AmendmentAbandoned
		if err := s.leaveDraft(ctx, tx, x, now); err != nil {
			return err
		}
		x.WorkingCopy = ""
		if err := s.deleteConvention(ctx, tx, copySlug); err != nil {
			return err
		}
		entry.ObjectID, entry.At = x.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
}

// SignAmendment records the signature of a draft avenant still at
// x.Version (its date, place, date of effect and changes), stores the
// versions not stored yet, deletes the working copy and, when apply is
// not nil, replaces the live convention by it and marks the avenant
// applied: all in one transaction.
func (s *SQL) SignAmendment(ctx context.Context, x *model.Amendment, versions []model.ConventionVersion, apply *model.Convention,
	entry, applyEntry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		copySlug := x.WorkingCopy
		x.State = model.AmendmentSigned
		if err := s.leaveDraft(ctx, tx, x, now); err != nil {
			return err
		}
		x.WorkingCopy = ""
		for _, v := range versions {
			var n int
			if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM convention_versions WHERE convention_slug = ? AND number = ?`),
				v.Convention, v.Number).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO convention_versions (id, convention_slug, number, effective_on, content, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`), s.newID(), v.Convention, v.Number, dateArg(v.EffectiveOn), string(v.Content), s.d.timestamp(now)); err != nil {
				return err
			}
		}
		if err := s.deleteConvention(ctx, tx, copySlug); err != nil {
			return err
		}
		entry.ObjectID, entry.At = x.ID, now
		if err := s.appendAudit(ctx, tx, entry); err != nil {
			return err
		}
		if apply == nil {
			return nil
		}
		_, err := s.apply(ctx, tx, x, apply, applyEntry, now)
		return err
	})
}

// apply replaces the live convention by c, the text of the signed avenant
// x, unless x was applied already; it reports whether it did.
func (s *SQL) apply(ctx context.Context, tx *sql.Tx, x *model.Amendment, c *model.Convention, entry model.AuditEntry, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE amendments SET applied_at = ? WHERE convention_slug = ? AND number = ?
		AND state = 'signed' AND applied_at IS NULL`), s.d.timestamp(now), x.Convention, x.Number)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	x.AppliedAt = &now
	if err := s.deleteConvention(ctx, tx, c.Slug); err != nil {
		return false, err
	}
	_, err = s.insertConvention(ctx, tx, nil, c, entry)
	return err == nil, err
}

// ApplyAmendment replaces the live convention by c, the text of the signed
// avenant x, with its audit entry, unless another request applied it
// first: it reports whether this one did.
func (s *SQL) ApplyAmendment(ctx context.Context, x *model.Amendment, c *model.Convention, entry model.AuditEntry) (bool, error) {
	var done bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		done, err = s.apply(ctx, tx, x, c, entry, s.now())
		return err
	})
	return done, err
}

// DueAmendments lists a convention's signed avenants effective on or
// before day on that the live convention has not taken yet, by number.
func (s *SQL) DueAmendments(ctx context.Context, convention string, on model.Date) ([]model.Amendment, error) {
	return s.amendments(ctx, `convention_slug = ? AND state = 'signed' AND applied_at IS NULL AND effective_on <= ?`, convention, on.String())
}

// amendments reads the avenants that where selects, by number, without
// their authorizations.
func (s *SQL) amendments(ctx context.Context, where string, args ...any) ([]model.Amendment, error) {
	var out []model.Amendment
	err := s.each(ctx, `SELECT `+amendmentCols+`, `+metaCols+` FROM amendments WHERE `+where+` ORDER BY number`, args,
		func(scan func(...any) error) error {
			var x model.Amendment
			var changes string
			if err := scan(amendmentDest(&x, &changes)...); err != nil {
				return err
			}
			x.Changes = []byte(changes)
			out = append(out, x)
			return nil
		})
	return out, err
}

// ConventionVersions lists the stored versions of a convention's text, by number.
func (s *SQL) ConventionVersions(ctx context.Context, convention string) ([]model.ConventionVersion, error) {
	var out []model.ConventionVersion
	err := s.each(ctx, `SELECT convention_slug, number, effective_on, content, created_at FROM convention_versions
		WHERE convention_slug = ? ORDER BY number`, []any{convention}, func(scan func(...any) error) error {
		var v model.ConventionVersion
		var content string
		if err := scan(&v.Convention, &v.Number, dateCol{&v.EffectiveOn}, &content, timeCol{&v.CreatedAt}); err != nil {
			return err
		}
		v.Content = []byte(content)
		out = append(out, v)
		return nil
	})
	return out, err
}
