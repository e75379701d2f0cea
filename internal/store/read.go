package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// each runs q and calls row for every result row with the scan function.
func (s *SQL) each(ctx context.Context, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.read.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return eachRow(rows, row)
}

// resultRows are the rows of a query, from database/sql or from pgx.
type resultRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// eachRow calls row for every row of rows with its scan function.
func eachRow(rows resultRows, row func(scan func(...any) error) error) error {
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rowsOf reads every row of a query into a T whose columns dest points to.
func rowsOf[T any](ctx context.Context, s *SQL, q string, args []any, dest func(*T) []any) ([]T, error) {
	out := []T{}
	err := s.each(ctx, q, args, func(scan func(...any) error) error {
		var x T
		if err := scan(dest(&x)...); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// txRowsOf reads every row of a query inside a transaction, as rowsOf
// does outside of one.
func txRowsOf[T any](ctx context.Context, s *SQL, tx *sql.Tx, q string, args []any, dest func(*T) []any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var x T
		if err := rows.Scan(dest(&x)...); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// fileOf reads one stored file: the row whose columns dest points to,
// then its content, the query's last column; what names it in the error
// when there is none.
func fileOf[T any](ctx context.Context, s *SQL, what, q string, args []any, dest func(*T) []any) (*T, []byte, error) {
	var x T
	var content []byte
	err := s.read.QueryRowContext(ctx, s.d.rebind(q), args...).Scan(append(dest(&x), &content)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("%s : %w", what, model.ErrNotFound)
	}
	if err != nil {
		return nil, nil, err
	}
	return &x, content, nil
}

// Conventions lists the stored conventions by slug.
func (s *SQL) Conventions(ctx context.Context) ([]model.ConventionSummary, error) {
	return s.ConventionSummaries(ctx, nil)
}

// ConventionKeys lists the stored conventions, by slug, with their id,
// slug, title and intercommunality only: what a list filters on before it
// reads the summaries of a page. One statement.
func (s *SQL) ConventionKeys(ctx context.Context) ([]model.ConventionSummary, error) {
	var out []model.ConventionSummary
	err := s.each(ctx, `SELECT id, slug, title, territory_epci FROM conventions ORDER BY slug`, nil, func(scan func(...any) error) error {
		var x model.ConventionSummary
		if err := scan(&x.ID, &x.Slug, &x.Title, &x.EPCI); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// ConventionSummaries lists the summaries of the conventions of ids (of
// every convention when ids is nil), by slug, in three statements.
func (s *SQL) ConventionSummaries(ctx context.Context, ids []string) ([]model.ConventionSummary, error) {
	where := ""
	var args []any
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		for _, id := range ids {
			args = append(args, id)
		}
		where = ` WHERE id IN ` + placeholders(len(ids))
	}
	var out []model.ConventionSummary
	err := s.each(ctx, `SELECT id, slug, title, status, synthetic, period_start, period_end, signature_date, territory_epci, updated_at, version
		FROM conventions`+where+` ORDER BY slug`, args, func(scan func(...any) error) error {
		var x model.ConventionSummary
		if err := scan(&x.ID, &x.Slug, &x.Title, &x.Status, &x.Synthetic, requiredDateCol{&x.Period.Start}, requiredDateCol{&x.Period.End},
			dateCol{&x.SignedOn}, &x.EPCI, timeCol{&x.UpdatedAt}, &x.Version); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, s.completeSummaries(ctx, out, ids != nil)
}

// completeSummaries reads the parties' authorizations and the acts of the
// conventions of out; of every convention unless only.
func (s *SQL) completeSummaries(ctx context.Context, out []model.ConventionSummary, only bool) error {
	if only && len(out) == 0 {
		return nil
	}
	byID := map[string]int{}
	for i, x := range out {
		byID[x.ID] = i
	}
	var where string
	var ids, slugs []any
	if only {
		for _, x := range out {
			ids, slugs = append(ids, x.ID), append(slugs, x.Slug)
		}
		where = ` WHERE p.convention_id IN ` + placeholders(len(ids))
	}
	// One query for every convention's parties: the list computes
	// each convention's state from their authorization dates.
	err := s.each(ctx, `SELECT p.convention_id, a.decided_on FROM parties p LEFT JOIN authorizations a ON a.party_id = p.id`+where+`
		ORDER BY p.convention_id, p.position`, ids, func(scan func(...any) error) error {
		var cid string
		var on *model.Date
		if err := scan(&cid, dateCol{&on}); err != nil {
			return err
		}
		if i, ok := byID[cid]; ok {
			out[i].Authorizations = append(out[i].Authorizations, on)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// And one for the acts of their lives: renewals and terminations.
	return s.allActs(ctx, out, slugs)
}

// Convention reads a whole convention by slug.
func (s *SQL) Convention(ctx context.Context, slug string) (*model.Convention, error) {
	c := &model.Convention{}
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+recordKinds["convention"].selectList("")+` FROM conventions WHERE slug = ?`), slug).
		Scan(recordKinds["convention"].dest(c)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	r := &reader{s: s, ctx: ctx, cid: c.ID}
	r.organizations(c)
	r.parties(c)
	r.texts(c)
	r.plan(c)
	r.equipments(c)
	r.committees(c)
	if r.err == nil {
		c.Acts, r.err = s.LifecycleActs(ctx, slug)
	}
	if r.err != nil {
		return nil, fmt.Errorf("lecture de la convention « %s » : %w", slug, r.err)
	}
	return c, nil
}

// reader loads the parts of one convention; after the first error it
// does nothing, so that callers check once at the end.
type reader struct {
	s   *SQL
	ctx context.Context
	cid string
	err error
}

func (r *reader) query(q string, row func(scan func(...any) error) error) {
	if r.err == nil {
		r.err = r.s.each(r.ctx, q, []any{r.cid}, row)
	}
}

// list reads the records of a kind held directly by the convention, in
// order, appending each to the list.
func list[T any](r *reader, kind string, out *[]T) {
	k := recordKinds[kind]
	r.query(`SELECT `+k.selectList("")+` FROM `+k.table+` WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var x T
			err := scan(k.dest(&x)...)
			*out = append(*out, x)
			return err
		})
}

// children reads the records of a kind held by a parent record of the
// convention: join names the parent table (aliased p, the record x), and
// add receives each record with its parent's id; extraCols are read into
// extra before add is called.
func children[T any](r *reader, kind, join, order, extraCols string, extra []any, add func(parentID string, x T)) {
	k := recordKinds[kind]
	r.query(`SELECT x.`+k.parent+`, `+k.selectList("x")+extraCols+` FROM `+k.table+` x JOIN `+join+` p ON p.id = x.`+k.parent+
		` WHERE p.convention_id = ? ORDER BY `+order,
		func(scan func(...any) error) error {
			var pid string
			var x T
			if err := scan(append(append([]any{&pid}, k.dest(&x)...), extra...)...); err != nil {
				return err
			}
			add(pid, x)
			return nil
		})
}

func (r *reader) organizations(c *model.Convention) {
	list(r, "organization", &c.Organizations)
	list(r, "prefecture_acknowledgement", &c.Transmissions)
}

func (r *reader) parties(c *model.Convention) {
	list(r, "party", &c.Parties)
	byID := map[string]*model.Party{}
	for i := range c.Parties {
		byID[c.Parties[i].ID] = &c.Parties[i]
	}
	children(r, "representative", "parties", "p.position, x.position", "", nil, func(pid string, x model.Representative) {
		p := byID[pid]
		p.Representatives = append(p.Representatives, x)
	})
	children(r, "authorization", "parties", "p.position", "", nil, func(pid string, x model.Authorization) {
		byID[pid].Authorization = &x
	})
	list(r, "legal_basis", &c.LegalBases)
}

func (r *reader) texts(c *model.Convention) {
	list(r, "article", &c.Articles)
	list(r, "annex", &c.Annexes)
	list(r, "finding", &c.Diagnostic.Findings)
	list(r, "contact", &c.Contacts)
}

// ficheRef locates a fiche in c.Axes.
type ficheRef struct{ axis, fiche int }

func (r *reader) plan(c *model.Convention) {
	list(r, "axis", &c.Axes)
	axes := map[string]int{}
	for i, a := range c.Axes {
		axes[a.ID] = i
	}
	fiches := map[string]ficheRef{}
	children(r, "fiche", "axes", "x.position", "", nil, func(aid string, f model.Fiche) {
		a := &c.Axes[axes[aid]]
		fiches[f.ID] = ficheRef{axes[aid], len(a.Fiches)}
		a.Fiches = append(a.Fiches, f)
	})
	fiche := func(id string) *model.Fiche {
		ref := fiches[id]
		return &c.Axes[ref.axis].Fiches[ref.fiche]
	}
	steps := map[string]int{}
	children(r, "step", "fiches", "x.fiche_id, x.position", "", nil, func(fid string, st model.Step) {
		f := fiche(fid)
		steps[st.ID] = len(f.Steps)
		f.Steps = append(f.Steps, st)
	})
	var sid sql.NullString
	children(r, "indicator", "fiches", "x.fiche_id, x.step_id, x.position", ", x.step_id", []any{&sid}, func(fid string, ind model.Indicator) {
		f := fiche(fid)
		if !sid.Valid {
			f.Indicators = append(f.Indicators, ind)
			return
		}
		st := &f.Steps[steps[sid.String]]
		st.Indicators = append(st.Indicators, ind)
	})
}

func (r *reader) equipments(c *model.Convention) {
	list(r, "equipment", &c.Equipments)
}

func (r *reader) committees(c *model.Convention) {
	list(r, "committee", &c.Committees)
}

// tables lists every table of the schema, for Count.
var tables = []string{"conventions", "organizations", "parties", "representatives", "authorizations", "prefecture_acknowledgements",
	"legal_bases", "articles", "annexes", "findings", "axes", "fiches", "steps", "indicators", "equipments", "committees", "contacts",
	"users", "memberships", "sessions", "api_tokens", "audit_log", "indicator_values", "sign_in_attempts", "account_links",
	"finding_acknowledgements", "assessments", "known_sign_in_addresses", "documents", "lifecycle_acts", "amendments", "amendment_authorizations", "convention_versions",
	"calendar_feeds", "mail_outbox", "meetings", "meeting_attendance", "meeting_decisions", "meeting_actions", "mail_reminders", "logos", "event_requests",
	"data_requests", "directory_organizations", "organization_links", "portfolio_rows", "changes"}

// Count returns the number of rows of every table.
func (s *SQL) Count(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, t := range tables {
		var n int
		if err := s.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, nil
}
