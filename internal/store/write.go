package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// CreateConvention stores c whole with the audit entry of its import, in
// one transaction: there is never an import without its entry.
func (s *SQL) CreateConvention(ctx context.Context, c *model.Convention, entry model.AuditEntry) (*model.Convention, error) {
	var out *model.Convention
	err := s.inConnTx(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		var err error
		out, err = s.insertConvention(ctx, tx, conn, c, entry)
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
	err := s.inConnTx(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM conventions WHERE slug = ?`), c.Slug); err != nil {
			return err
		}
		var err error
		out, err = s.insertConvention(ctx, tx, conn, c, entry)
		return err
	})
	return out, err
}

// inserter collects the rows of one convention inside a transaction and
// stamps each record's metadata; flush writes them, table by table in the
// order the tables were first met (a parent's table before its
// children's), in multi-row INSERTs or, on PostgreSQL, COPY.
type inserter struct {
	s   *SQL
	ctx context.Context
	tx  *sql.Tx
	// conn is the connection of tx, when known: it gives COPY on
	// PostgreSQL.
	conn *sql.Conn
	// id, when set, is the id of the next row instead of a new one.
	id  string
	err error
	// mentions counts the rows already written for each indicator code:
	// the mentions of one indicator in the text share its code.
	mentions map[string]int
	now      time.Time
	pending  []*pendingRows
	byCols   map[string]*pendingRows
}

// pendingRows are rows of one table with the same columns, to be written.
type pendingRows struct {
	table string
	cols  []string
	rows  [][]any
}

// record collects one record of a kind with its structural columns
// (parent, position…) and returns its new id. After the first error it
// does nothing, so that callers can check once at the end.
func (w *inserter) record(kind string, rec any, structCols string, structVals ...any) string {
	if w.err != nil {
		return ""
	}
	k, err := kindNamed(kind)
	if err != nil {
		w.err = err
		return ""
	}
	cols := k.selectList("")
	if structCols != "" {
		cols = structCols + ", " + cols
	}
	vals := make([]any, 0, len(structVals)+len(k.columns)+4)
	vals = append(vals, structVals...)
	vals = k.appendArgs(vals, rec)
	meta := model.MetaOf(rec)
	if meta == nil {
		meta = &model.Meta{}
	}
	id := w.id
	if id == "" {
		id = w.s.newID()
	}
	*meta = model.Meta{ID: id, Version: 1, CreatedAt: w.now, UpdatedAt: w.now}
	ts := w.s.d.timestamp(w.now)
	vals = append(vals, meta.ID, ts, ts, meta.Version)
	p := w.byCols[k.table+" "+cols]
	if p == nil {
		p = &pendingRows{table: k.table, cols: strings.Split(cols, ", ")}
		w.byCols[k.table+" "+cols] = p
		w.pending = append(w.pending, p)
	}
	p.rows = append(p.rows, vals)
	return meta.ID
}

// flush writes the rows collected.
func (w *inserter) flush() error {
	if w.err != nil {
		return w.err
	}
	for _, p := range w.pending {
		if err := w.s.writeRows(w.ctx, w.tx, w.conn, p.table, p.cols, p.rows); err != nil {
			return fmt.Errorf("%s : %w", p.table, err)
		}
	}
	w.pending, w.byCols = nil, map[string]*pendingRows{}
	return nil
}

// newInserter starts the rows of a convention; conn, when not nil, is
// the connection of tx.
func (s *SQL) newInserter(ctx context.Context, tx *sql.Tx, conn *sql.Conn) *inserter {
	return &inserter{s: s, ctx: ctx, tx: tx, conn: conn, mentions: map[string]int{}, now: s.now(), byCols: map[string]*pendingRows{}}
}

func (s *SQL) insertConvention(ctx context.Context, tx *sql.Tx, conn *sql.Conn, in *model.Convention, entry model.AuditEntry) (*model.Convention, error) {
	c := in.Clone()
	w := s.newInserter(ctx, tx, conn)
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
	if err := w.flush(); err != nil {
		return nil, err
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
