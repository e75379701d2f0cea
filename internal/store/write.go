package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// CreateConvention stores c whole with the audit entry of its import, in
// one transaction: there is never an import without its entry.
func (s *SQL) CreateConvention(ctx context.Context, c *model.Convention, entry model.AuditEntry) (*model.Convention, error) {
	var out *model.Convention
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.insertConvention(ctx, tx, c, entry)
		return err
	})
	if isUniqueViolation(err) {
		return nil, fmt.Errorf("la convention « %s » existe déjà : %w", c.Slug, model.ErrConflict)
	}
	return out, err
}

// ReplaceConvention deletes any convention with c's slug and stores c, in
// one transaction with the audit entry: readers see either the old or the
// new one.
func (s *SQL) ReplaceConvention(ctx context.Context, c *model.Convention, entry model.AuditEntry) (*model.Convention, error) {
	var out *model.Convention
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM conventions WHERE slug = ?`), c.Slug); err != nil {
			return err
		}
		var err error
		out, err = s.insertConvention(ctx, tx, c, entry)
		return err
	})
	return out, err
}

// inserter writes the rows of one convention inside a transaction and
// stamps each record's metadata.
type inserter struct {
	s   *SQL
	ctx context.Context
	tx  *sql.Tx
	// id, when set, is the id of the next row instead of a new one.
	id  string
	err error
	// mentions counts the rows already written for each indicator code:
	// the mentions of one indicator in the text share its code.
	mentions map[string]int
}

// record inserts one record of a kind with its structural columns (parent,
// position…) and returns its new id. After the first error it does
// nothing, so that callers can check once at the end.
func (w *inserter) record(kind string, rec any, structCols string, structVals ...any) string {
	if w.err != nil {
		return ""
	}
	k, err := kindNamed(kind)
	if err != nil {
		w.err = err
		return ""
	}
	cols, vals := k.selectList(""), k.args(rec)
	if structCols != "" {
		cols, vals = structCols+", "+cols, append(structVals, vals...)
	}
	meta := model.MetaOf(rec)
	if meta == nil {
		meta = &model.Meta{}
	}
	now := w.s.now()
	id := w.id
	if id == "" {
		id = w.s.newID()
	}
	*meta = model.Meta{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now}
	vals = append(vals, meta.ID, w.s.d.timestamp(now), w.s.d.timestamp(now), meta.Version)
	q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", k.table, cols, strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "))
	if _, err := w.tx.ExecContext(w.ctx, w.s.d.rebind(q), vals...); err != nil {
		w.err = fmt.Errorf("%s : %w", k.table, err)
	}
	return meta.ID
}

func (s *SQL) insertConvention(ctx context.Context, tx *sql.Tx, in *model.Convention, entry model.AuditEntry) (*model.Convention, error) {
	c := clone(in)
	w := &inserter{s: s, ctx: ctx, tx: tx, mentions: map[string]int{}}
	cid := w.record("convention", c, "")
	under := "convention_id, position"
	for i := range c.Organizations {
		w.record("organization", &c.Organizations[i], under, cid, i)
	}
	for i := range c.Parties {
		w.party(cid, i, &c.Parties[i])
	}
	for i := range c.Transmissions {
		w.record("prefecture_acknowledgement", &c.Transmissions[i], under, cid, i)
	}
	for i := range c.LegalBases {
		w.record("legal_basis", &c.LegalBases[i], under, cid, i)
	}
	for i := range c.Articles {
		w.record("article", &c.Articles[i], under, cid, i)
	}
	for i := range c.Annexes {
		w.record("annex", &c.Annexes[i], under, cid, i)
	}
	for i := range c.Diagnostic.Findings {
		w.record("finding", &c.Diagnostic.Findings[i], under, cid, i)
	}
	for i := range c.Axes {
		w.axis(cid, i, &c.Axes[i])
	}
	for i := range c.Equipments {
		w.record("equipment", &c.Equipments[i], under, cid, i)
	}
	for i := range c.Committees {
		w.record("committee", &c.Committees[i], under, cid, i)
	}
	for i := range c.Contacts {
		w.record("contact", &c.Contacts[i], under, cid, i)
	}
	if w.err != nil {
		return nil, w.err
	}
	if err := s.linkOrganizations(ctx, tx, c.Slug); err != nil {
		return nil, err
	}
	entry.Convention, entry.ObjectID, entry.At = c.Slug, cid, s.now()
	return c, s.appendAudit(ctx, tx, entry)
}

func (w *inserter) party(cid string, pos int, p *model.Party) {
	pid := w.record("party", p, "convention_id, position", cid, pos)
	for i := range p.Representatives {
		w.record("representative", &p.Representatives[i], "party_id, position", pid, i)
	}
	if a := p.Authorization; a != nil {
		w.record("authorization", a, "party_id", pid)
	}
}

func (w *inserter) axis(cid string, pos int, a *model.Axis) {
	aid := w.record("axis", a, "convention_id, position", cid, pos)
	for i := range a.Fiches {
		f := &a.Fiches[i]
		fid := w.record("fiche", f, "convention_id, axis_id, position", cid, aid, i)
		for j := range f.Steps {
			st := &f.Steps[j]
			sid := w.record("step", st, "fiche_id, position", fid, j)
			w.indicators(cid, fid, sid, st.Indicators)
		}
		w.indicators(cid, fid, nil, f.Indicators)
	}
}

// indicators inserts a fiche's own indicators (step nil) or a step's.
func (w *inserter) indicators(cid, fid string, step any, list []model.Indicator) {
	for i := range list {
		ind := &list[i]
		mention := 0
		if ind.Code != "" {
			mention = w.mentions[ind.Code]
			w.mentions[ind.Code]++
		}
		w.record("indicator", ind, "convention_id, fiche_id, step_id, position, mention", cid, fid, step, i, mention)
	}
}
