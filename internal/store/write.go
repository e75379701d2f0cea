package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// CreateConvention stores c whole, in one transaction.
func (s *SQL) CreateConvention(ctx context.Context, c *model.Convention) (*model.Convention, error) {
	var out *model.Convention
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.insertConvention(ctx, tx, c)
		return err
	})
	if isUniqueViolation(err) {
		return nil, fmt.Errorf("la convention « %s » existe déjà : %w", c.Slug, model.ErrConflict)
	}
	return out, err
}

// ReplaceConvention deletes any convention with c's slug and stores c, in
// one transaction: readers see either the old or the new one.
func (s *SQL) ReplaceConvention(ctx context.Context, c *model.Convention) (*model.Convention, error) {
	var out *model.Convention
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM conventions WHERE slug = ?`), c.Slug); err != nil {
			return err
		}
		var err error
		out, err = s.insertConvention(ctx, tx, c)
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
}

// row inserts one record and returns its new id. After the first error it
// does nothing, so that callers can check once at the end.
func (w *inserter) row(table string, meta *model.Meta, cols string, vals ...any) string {
	if w.err != nil {
		return ""
	}
	if meta == nil {
		meta = &model.Meta{}
	}
	now := w.s.now()
	id := w.id
	if id == "" {
		id = w.s.newID()
	}
	*meta = model.Meta{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now}
	n := strings.Count(cols, ",") + 1
	q := fmt.Sprintf("INSERT INTO %s (%s, %s) VALUES (%s)", table, cols, metaCols, strings.TrimSuffix(strings.Repeat("?, ", n+4), ", "))
	args := append(vals, meta.ID, w.s.d.timestamp(now), w.s.d.timestamp(now), meta.Version)
	if _, err := w.tx.ExecContext(w.ctx, w.s.d.rebind(q), args...); err != nil {
		w.err = fmt.Errorf("%s : %w", table, err)
	}
	return meta.ID
}

func (s *SQL) insertConvention(ctx context.Context, tx *sql.Tx, in *model.Convention) (*model.Convention, error) {
	c := clone(in)
	w := &inserter{s: s, ctx: ctx, tx: tx}
	cid := w.row("conventions", &c.Meta,
		"slug, format, title, status, synthetic, period_start, period_end, renewal, signature_place, signature_place_as_written, "+
			"signature_date, signature_copies, territory_epci, territory_communes, preamble_text, preamble_themes, diagnostic_author, diagnostic_summary",
		c.Slug, c.Format, c.Title, string(c.Status), c.Synthetic, c.Period.Start.String(), c.Period.End.String(), c.Period.Renewal,
		c.Signature.Place, c.Signature.PlaceAsWritten, dateArg(c.Signature.Date), c.Signature.Copies,
		c.Territory.EPCI, jsonArg(c.Territory.Communes), c.Preamble.Text, jsonArg(c.Preamble.Themes),
		c.Diagnostic.Author, c.Diagnostic.Summary)
	for i := range c.Organizations {
		o := &c.Organizations[i]
		w.row("organizations", &o.Meta, "convention_id, position, key, kind, name, short_name, siren, insee",
			cid, i, o.Key, string(o.Kind), o.Name, o.ShortName, o.SIREN, o.INSEE)
	}
	for i := range c.Parties {
		w.party(cid, i, &c.Parties[i])
	}
	for i, a := range c.Transmissions {
		w.row("prefecture_acknowledgements", nil, "convention_id, position, identifier, received_on, organization_key",
			cid, i, a.Identifier, dateArg(a.ReceivedOn), a.Organization)
	}
	for i := range c.LegalBases {
		lb := &c.LegalBases[i]
		w.row("legal_bases", &lb.Meta, "convention_id, position, text, party_key", cid, i, lb.Text, lb.Party)
	}
	for i := range c.Articles {
		a := &c.Articles[i]
		w.row("articles", &a.Meta, "convention_id, position, number, title, text, footnotes", cid, i, a.Number, a.Title, a.Text, jsonArg(a.Footnotes))
	}
	for i := range c.Annexes {
		a := &c.Annexes[i]
		w.row("annexes", &a.Meta, "convention_id, position, number, title, text, holds", cid, i, a.Number, a.Title, a.Text, a.Holds)
	}
	for i := range c.Diagnostic.Findings {
		f := &c.Diagnostic.Findings[i]
		w.row("findings", &f.Meta, "convention_id, position, theme, kind, text, fiches", cid, i, f.Theme, string(f.Kind), f.Text, jsonArg(f.Fiches))
	}
	for i := range c.Axes {
		w.axis(cid, i, &c.Axes[i])
	}
	for i := range c.Equipments {
		e := &c.Equipments[i]
		w.row("equipments", &e.Meta, "convention_id, position, operator_name, operator_key, name, activity_type, activity_nature, address, postal_code, city, commune",
			cid, i, e.OperatorName, e.Operator, e.Name, e.ActivityType, e.ActivityNature, jsonArg(e.Address), e.PostalCode, e.City, e.Commune)
	}
	for i := range c.Committees {
		k := &c.Committees[i]
		w.row("committees", &k.Meta, "convention_id, position, key, kind, name, composition, purposes, co_chairs, secretariat_key, notes",
			cid, i, k.Key, string(k.Kind), k.Name, jsonArg(k.Composition), jsonArg(k.Purposes), jsonArg(k.CoChairs), k.Secretariat, k.Notes)
	}
	for i := range c.Contacts {
		ct := &c.Contacts[i]
		w.row("contacts", &ct.Meta, "convention_id, position, label, organization_key, phone, email, purpose",
			cid, i, ct.Label, ct.Organization, ct.Phone, ct.Email, ct.Purpose)
	}
	if w.err != nil {
		return nil, w.err
	}
	return c, nil
}

func (w *inserter) party(cid string, pos int, p *model.Party) {
	pid := w.row("parties", &p.Meta, "convention_id, position, organization_key, designation", cid, pos, p.Organization, p.Designation)
	for i := range p.Representatives {
		r := &p.Representatives[i]
		w.row("representatives", &r.Meta, "party_id, position, civility, name, title, signature_title, signature_name",
			pid, i, r.Civility, r.Name, r.Title, r.SignatureTitle, r.SignatureName)
	}
	if a := p.Authorization; a != nil {
		w.row("authorizations", &a.Meta, "party_id, kind, body, decided_on, date_as_written, reference, subject, annex, prefecture_acknowledgement",
			pid, a.Kind, a.Body, dateArg(a.Date), a.DateAsWritten, a.Reference, a.Subject, a.Annex, a.PrefectureAcknowledgement)
	}
}

func (w *inserter) axis(cid string, pos int, a *model.Axis) {
	aid := w.row("axes", &a.Meta, "convention_id, position, number, title, fiches_due_by, promise", cid, pos, a.Number, a.Title, dateArg(a.FichesDueBy), a.Promise)
	for i := range a.Fiches {
		f := &a.Fiches[i]
		fid := w.row("fiches", &f.Meta,
			"convention_id, axis_id, position, code, title, listings, context, objectives, description, indicators_heading, target_public, pilots, partners, status",
			cid, aid, i, f.Code, f.Title, jsonArg(f.Listings), f.Context, jsonArg(f.Objectives), f.Description, f.IndicatorsHeading,
			jsonArg(f.TargetPublic), jsonArg(f.Pilots), jsonArg(f.Partners), string(f.Status))
		for j := range f.Steps {
			st := &f.Steps[j]
			sid := w.row("steps", &st.Meta, "fiche_id, position, number, text, details, schedule_as_written, schedule_start, schedule_end, recurrence, status",
				fid, j, st.Number, st.Text, jsonArg(st.Details), st.Schedule.AsWritten, dateArg(st.Schedule.Start), dateArg(st.Schedule.End),
				string(st.Schedule.Recurrence), string(st.Status))
			w.indicators(fid, sid, st.Indicators)
		}
		w.indicators(fid, nil, f.Indicators)
	}
}

// indicators inserts a fiche's own indicators (step nil) or a step's.
func (w *inserter) indicators(fid string, step any, list []model.Indicator) {
	for i := range list {
		ind := &list[i]
		w.row("indicators", &ind.Meta, "fiche_id, step_id, position, code, label, unit, periodicity, combine, numerator, denominator, dimensions, responsible_key, targets, tolerance",
			fid, step, i, ind.Code, ind.Label, ind.Unit, ind.Periodicity, ind.Combine, ind.Numerator, ind.Denominator, jsonArg(ind.Dimensions),
			ind.Responsible, jsonArg(ind.Targets), ind.Tolerance)
	}
}
