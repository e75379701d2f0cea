package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// ConventionListFacts reads, for the conventions of ids (a page of the
// conventions list), what their lines show beside their summaries: the
// communes of their territories, the communes party to them, the axes
// whose fiches are promised, and the first planned step to start on or
// after day from. Four statements, whatever the number of conventions.
func (s *SQL) ConventionListFacts(ctx context.Context, ids []string, from model.Date) (map[string]*model.ConventionListFacts, error) {
	out := make(map[string]*model.ConventionListFacts, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in := placeholders(len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		out[id] = &model.ConventionListFacts{}
	}
	err := s.each(ctx, `SELECT id, territory_communes FROM conventions WHERE id IN `+in, args, func(scan func(...any) error) error {
		var id, communes string
		if err := scan(&id, &communes); err != nil {
			return err
		}
		return json.Unmarshal([]byte(communes), &out[id].Communes)
	})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT p.convention_id, o.insee FROM parties p
		JOIN organizations o ON o.convention_id = p.convention_id AND o.key = p.organization_key
		WHERE p.convention_id IN `+in+` AND o.kind = 'commune' AND o.insee <> '' ORDER BY p.convention_id, p.position`, args,
		func(scan func(...any) error) error {
			var id, insee string
			if err := scan(&id, &insee); err != nil {
				return err
			}
			out[id].SignatoryCommunes = append(out[id].SignatoryCommunes, insee)
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT a.convention_id, a.number, a.position, a.fiches_due_by FROM axes a
		WHERE a.convention_id IN `+in+` AND a.fiches_due_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fiches f WHERE f.axis_id = a.id)
		ORDER BY a.convention_id, a.position`, args, func(scan func(...any) error) error {
		var id string
		var p model.AxisPromise
		if err := scan(&id, &p.Number, &p.Position, requiredDateCol{&p.DueBy}); err != nil {
			return err
		}
		out[id].Promises = append(out[id].Promises, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The plan's order breaks ties between steps of the same day, as the
	// convention's deadlines list them.
	err = s.each(ctx, `SELECT convention_id, schedule_start, code, axis_position FROM (
		SELECT f.convention_id, st.schedule_start, f.code, a.position AS axis_position,
			ROW_NUMBER() OVER (PARTITION BY f.convention_id ORDER BY st.schedule_start, a.position, f.position, st.position) AS n
		FROM steps st JOIN fiches f ON f.id = st.fiche_id JOIN axes a ON a.id = f.axis_id
		WHERE f.convention_id IN `+in+` AND st.status = 'planned' AND st.schedule_start >= ?) first WHERE n = 1`,
		append(args[:len(args):len(args)], from.String()), func(scan func(...any) error) error {
			var id string
			var x model.ListedStep
			if err := scan(&id, requiredDateCol{&x.Start}, &x.Fiche, &x.AxisPosition); err != nil {
				return err
			}
			out[id].FirstStep = &x
			return nil
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ConventionsWithWork lists the conventions where something waits for
// someone whatever their organization (see model.ConventionsWithWork), in
// one statement.
func (s *SQL) ConventionsWithWork(ctx context.Context) (model.ConventionsWithWork, error) {
	out := model.ConventionsWithWork{}
	err := s.each(ctx, `SELECT DISTINCT convention_slug FROM indicator_values WHERE state = 'submitted' AND synthetic = ?
		UNION SELECT DISTINCT convention_slug FROM meeting_actions WHERE status <> 'done'
		UNION SELECT DISTINCT convention_slug FROM data_requests WHERE state IN ('filed', 'in_study', 'opinion')`, []any{false},
		func(scan func(...any) error) error {
			var slug string
			if err := scan(&slug); err != nil {
				return err
			}
			out[slug] = true
			return nil
		})
	return out, err
}

// ConventionsWithDueAmendments lists the conventions (by slug) having a
// signed avenant whose date of effect has come on day on and that is not
// applied yet, in one statement.
func (s *SQL) ConventionsWithDueAmendments(ctx context.Context, on model.Date) ([]string, error) {
	var out []string
	err := s.each(ctx, `SELECT DISTINCT convention_slug FROM amendments WHERE state = 'signed' AND applied_at IS NULL AND effective_on <= ?`,
		[]any{on.String()}, func(scan func(...any) error) error {
			var slug string
			if err := scan(&slug); err != nil {
				return err
			}
			out = append(out, slug)
			return nil
		})
	return out, err
}

// placeholders returns "(?, ?, …)" for n values.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// conventionScope is the condition of the conventions of slugs (every one
// when slugs is nil) that a list shows: the working copies of avenants,
// reached through their avenant only, left out.
func conventionScope(slugs []string) (string, []any) {
	where := ` WHERE slug NOT IN (SELECT working_copy FROM amendments WHERE working_copy <> '')`
	var args []any
	if slugs != nil {
		where += ` AND slug IN ` + placeholders(len(slugs))
		for _, slug := range slugs {
			args = append(args, slug)
		}
	}
	return where, args
}

// CountConventions counts the conventions of slugs (every one when slugs
// is nil), the working copies of avenants left out.
func (s *SQL) CountConventions(ctx context.Context, slugs []string) (int, error) {
	if slugs != nil && len(slugs) == 0 {
		return 0, nil
	}
	q := `SELECT COUNT(*) FROM conventions`
	where, args := conventionScope(slugs)
	if slugs == nil {
		// Every row less the working copies: a count of a whole table
		// reads its b-tree's pages, not each row against the avenants.
		q, where = `SELECT (SELECT COUNT(*) FROM conventions) - (SELECT COUNT(*) FROM amendments
			WHERE working_copy <> '' AND working_copy IN (SELECT slug FROM conventions))`, ""
	}
	var n int
	err := s.read.QueryRowContext(ctx, s.d.rebind(q+where), args...).Scan(&n)
	return n, err
}

// ConventionPageRefs reads the refs (id, slug, revision) of at most limit
// conventions of slugs (every one when slugs is nil), from offset in the
// order of their slugs, the working copies of avenants left out: one
// statement, whatever the number of conventions.
func (s *SQL) ConventionPageRefs(ctx context.Context, slugs []string, offset, limit int) ([]model.ConventionRef, error) {
	if slugs != nil && len(slugs) == 0 {
		return nil, nil
	}
	where, args := conventionScope(slugs)
	return s.conventionRefs(ctx, where+` ORDER BY slug LIMIT ? OFFSET ?`, append(args, limit, offset))
}

// ConventionRefs reads the refs of every convention, the working copies
// of avenants left out, in the order of their slugs: one statement.
func (s *SQL) ConventionRefs(ctx context.Context) ([]model.ConventionRef, error) {
	where, args := conventionScope(nil)
	return s.conventionRefs(ctx, where+` ORDER BY slug`, args)
}

func (s *SQL) conventionRefs(ctx context.Context, rest string, args []any) ([]model.ConventionRef, error) {
	var out []model.ConventionRef
	err := s.each(ctx, `SELECT id, slug, revision FROM conventions`+rest, args, func(scan func(...any) error) error {
		var r model.ConventionRef
		if err := scan(&r.ID, &r.Slug, &r.Revision); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	return out, err
}
