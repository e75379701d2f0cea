package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// The kinds of rows of lifecycle_acts.
const (
	actRenewal     = "renewal"
	actTermination = "termination"
)

const actCols = `convention_slug, kind, act_date, received_on, effective_on, mode, sender, acts, successor_slug, recorded_by`

// actRow is one row of lifecycle_acts as read.
type actRow struct {
	slug, kind, mode, sender, acts, successor, recordedBy string
	on                                                    model.Date
	received, effective                                   *model.Date
	meta                                                  model.Meta
}

func (x *actRow) dest() []any {
	return append([]any{&x.slug, &x.kind, requiredDateCol{&x.on}, dateCol{&x.received}, dateCol{&x.effective}, &x.mode, &x.sender,
		&x.acts, &x.successor, &x.recordedBy}, metaDest(&x.meta)...)
}

// addTo puts the act into the acts of the convention it belongs to, or,
// for a renewal read from its successor, records the predecessor.
func (x *actRow) addTo(acts *model.LifecycleActs, slug string) {
	switch {
	case x.kind == actRenewal && x.slug == slug:
		acts.Renewal = &model.Renewal{Meta: x.meta, DecidedOn: x.on, Acts: x.acts, Successor: x.successor, RecordedBy: x.recordedBy}
	case x.kind == actRenewal && x.successor == slug:
		acts.Predecessor = x.slug
	case x.kind == actTermination && x.slug == slug:
		t := &model.Termination{Meta: x.meta, Mode: model.TerminationMode(x.mode), Sender: x.sender, LetterOn: x.on,
			References: x.acts, RecordedBy: x.recordedBy}
		if x.received != nil {
			t.ReceivedOn = *x.received
		}
		if x.effective != nil {
			t.EffectiveOn = *x.effective
		}
		acts.Termination = t
	}
}

// LifecycleActs returns the renewal and termination recorded on a
// convention, and the convention it succeeds.
func (s *SQL) LifecycleActs(ctx context.Context, slug string) (model.LifecycleActs, error) {
	var acts model.LifecycleActs
	err := s.each(ctx, `SELECT `+actCols+`, `+metaCols+` FROM lifecycle_acts WHERE convention_slug = ? OR successor_slug = ?`,
		[]any{slug, slug}, func(scan func(...any) error) error {
			var x actRow
			if err := scan(x.dest()...); err != nil {
				return err
			}
			x.addTo(&acts, slug)
			return nil
		})
	return acts, err
}

// allActs reads every act, for the list of conventions: one query.
func (s *SQL) allActs(ctx context.Context, out []model.ConventionSummary, slugs []any) error {
	bySlug := map[string]int{}
	for i, c := range out {
		bySlug[c.Slug] = i
	}
	where := ""
	if len(slugs) > 0 {
		where = ` WHERE convention_slug IN ` + placeholders(len(slugs)) + ` OR successor_slug IN ` + placeholders(len(slugs))
		slugs = append(slugs[:len(slugs):len(slugs)], slugs...)
	}
	return s.each(ctx, `SELECT `+actCols+`, `+metaCols+` FROM lifecycle_acts`+where, slugs, func(scan func(...any) error) error {
		var x actRow
		if err := scan(x.dest()...); err != nil {
			return err
		}
		for _, slug := range []string{x.slug, x.successor} {
			if i, ok := bySlug[slug]; ok && slug != "" {
				x.addTo(&out[i].Acts, slug)
			}
		}
		return nil
	})
}

// insertAct writes one act; ErrConflict when the convention already has
// one of its kind.
func (s *SQL) insertAct(ctx context.Context, tx *sql.Tx, slug, kind string, on model.Date, received, effective *model.Date,
	mode, sender, acts, successor, recordedBy string, meta *model.Meta) error {
	now := s.now()
	*meta = model.Meta{ID: s.newID(), Version: 1, CreatedAt: now, UpdatedAt: now}
	opt := func(d *model.Date) any {
		if d == nil {
			return nil
		}
		return d.String()
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO lifecycle_acts (`+actCols+`, `+metaCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), slug, kind, on.String(), opt(received), opt(effective), mode, sender, acts,
		successor, recordedBy, meta.ID, s.d.timestamp(now), s.d.timestamp(now), 1)
	if isUniqueViolation(err) {
		return fmt.Errorf("la convention « %s » a déjà un acte de ce type : %w", slug, model.ErrConflict)
	}
	return err
}

// hasAct reports, inside tx, whether the convention has an act of a kind.
func (s *SQL) hasAct(ctx context.Context, tx *sql.Tx, slug, kind string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM lifecycle_acts WHERE convention_slug = ? AND kind = ?`), slug, kind).Scan(&n)
	return n > 0, err
}

// SaveTermination records a termination with its audit entry, in one
// transaction; ErrConflict when the convention already has one.
func (s *SQL) SaveTermination(ctx context.Context, slug string, t *model.Termination, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertAct(ctx, tx, slug, actTermination, t.LetterOn, &t.ReceivedOn, &t.EffectiveOn, string(t.Mode), t.Sender,
			t.References, "", t.RecordedBy, &t.Meta); err != nil {
			return err
		}
		entry.ObjectID, entry.At = t.ID, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}

// SaveRenewal records the renewal of the convention slug and creates its
// successor, giving each member of slug the same role in it, with both
// audit entries, in one transaction. ErrConflict when slug already has a
// renewal or a termination (checked inside the transaction), or when the
// successor's slug is taken.
func (s *SQL) SaveRenewal(ctx context.Context, slug string, r *model.Renewal, successor *model.Convention,
	entry, successorEntry model.AuditEntry) (*model.Convention, error) {
	var out *model.Convention
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		terminated, err := s.hasAct(ctx, tx, slug, actTermination)
		if err != nil {
			return err
		}
		if terminated {
			return fmt.Errorf("la convention « %s » est résiliée : %w", slug, model.ErrConflict)
		}
		var taken int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM conventions WHERE slug = ?`), successor.Slug).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return fmt.Errorf("la convention « %s » existe déjà : %w", successor.Slug, model.ErrConflict)
		}
		if out, err = s.insertConvention(ctx, tx, nil, successor, successorEntry); err != nil {
			return err
		}
		if err := s.insertAct(ctx, tx, slug, actRenewal, r.DecidedOn, nil, nil, "", "", r.Acts, successor.Slug, r.RecordedBy, &r.Meta); err != nil {
			return err
		}
		if err := s.copyMemberships(ctx, tx, slug, successor.Slug); err != nil {
			return err
		}
		entry.ObjectID, entry.At = r.ID, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
	if err != nil {
		return nil, err
	}
	out.Acts.Predecessor = slug
	return out, nil
}

// copyMemberships gives every member of from the same role, for the same
// organization, in to.
func (s *SQL) copyMemberships(ctx context.Context, tx *sql.Tx, from, to string) error {
	type member struct{ user, role, org string }
	list, err := txRowsOf(ctx, s, tx, `SELECT user_id, role, organization_key FROM memberships WHERE convention_slug = ? ORDER BY user_id`, []any{from},
		func(m *member) []any { return []any{&m.user, &m.role, &m.org} })
	if err != nil {
		return err
	}
	now := s.d.timestamp(s.now())
	for _, m := range list {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO memberships (id, user_id, convention_slug, role, organization_key, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1)`), s.newID(), m.user, to, m.role, m.org, now, now); err != nil {
			return err
		}
	}
	return nil
}
