package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"errors"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/model"
)

// clone deep-copies a convention, so that stamping metadata never changes
// the caller's value.
func clone(c *model.Convention) *model.Convention {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		panic(err) // the model holds only plain data
	}
	var out model.Convention
	if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
		panic(err)
	}
	return &out
}

// each runs q and calls row for every result row with the scan function.
func (s *SQL) each(ctx context.Context, q string, args []any, row func(scan func(...any) error) error) error {
	rows, err := s.read.QueryContext(ctx, s.d.rebind(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Conventions lists the stored conventions by slug.
func (s *SQL) Conventions(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := s.each(ctx, `SELECT id, slug, title, status, synthetic, period_start, period_end, territory_epci, updated_at, version
		FROM conventions ORDER BY slug`, nil, func(scan func(...any) error) error {
		var x Summary
		if err := scan(&x.ID, &x.Slug, &x.Title, &x.Status, &x.Synthetic, requiredDateCol{&x.Period.Start}, requiredDateCol{&x.Period.End},
			&x.EPCI, timeCol{&x.UpdatedAt}, &x.Version); err != nil {
			return err
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// Convention reads a whole convention by slug.
func (s *SQL) Convention(ctx context.Context, slug string) (*model.Convention, error) {
	c := &model.Convention{}
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT slug, format, title, status, synthetic, period_start, period_end, renewal,
		signature_place, signature_place_as_written, signature_date, signature_copies, territory_epci, territory_communes,
		preamble_text, preamble_themes, diagnostic_author, diagnostic_summary, `+metaCols+` FROM conventions WHERE slug = ?`), slug).
		Scan(append([]any{&c.Slug, &c.Format, &c.Title, &c.Status, &c.Synthetic, requiredDateCol{&c.Period.Start}, requiredDateCol{&c.Period.End},
			&c.Period.Renewal, &c.Signature.Place, &c.Signature.PlaceAsWritten, dateCol{&c.Signature.Date}, &c.Signature.Copies,
			&c.Territory.EPCI, jsonCol[string]{&c.Territory.Communes}, &c.Preamble.Text, jsonCol[string]{&c.Preamble.Themes},
			&c.Diagnostic.Author, &c.Diagnostic.Summary}, metaDest(&c.Meta)...)...)
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

func (r *reader) organizations(c *model.Convention) {
	r.query(`SELECT key, kind, name, short_name, siren, insee, `+metaCols+` FROM organizations WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var o model.Organization
			err := scan(append([]any{&o.Key, &o.Kind, &o.Name, &o.ShortName, &o.SIREN, &o.INSEE}, metaDest(&o.Meta)...)...)
			c.Organizations = append(c.Organizations, o)
			return err
		})
	r.query(`SELECT identifier, received_on, organization_key FROM prefecture_acknowledgements WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var a model.PrefectureAcknowledgement
			err := scan(&a.Identifier, dateCol{&a.ReceivedOn}, &a.Organization)
			c.Transmissions = append(c.Transmissions, a)
			return err
		})
}

func (r *reader) parties(c *model.Convention) {
	byID := map[string]int{}
	r.query(`SELECT organization_key, designation, `+metaCols+` FROM parties WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var p model.Party
			err := scan(append([]any{&p.Organization, &p.Designation}, metaDest(&p.Meta)...)...)
			byID[p.ID] = len(c.Parties)
			c.Parties = append(c.Parties, p)
			return err
		})
	r.query(`SELECT r.party_id, r.civility, r.name, r.title, r.signature_title, r.signature_name, r.id, r.created_at, r.updated_at, r.version
		FROM representatives r JOIN parties p ON p.id = r.party_id WHERE p.convention_id = ? ORDER BY p.position, r.position`,
		func(scan func(...any) error) error {
			var pid string
			var x model.Representative
			if err := scan(append([]any{&pid, &x.Civility, &x.Name, &x.Title, &x.SignatureTitle, &x.SignatureName}, metaDest(&x.Meta)...)...); err != nil {
				return err
			}
			p := &c.Parties[byID[pid]]
			p.Representatives = append(p.Representatives, x)
			return nil
		})
	r.query(`SELECT a.party_id, a.kind, a.body, a.decided_on, a.date_as_written, a.reference, a.subject, a.annex, a.prefecture_acknowledgement,
		a.id, a.created_at, a.updated_at, a.version
		FROM authorizations a JOIN parties p ON p.id = a.party_id WHERE p.convention_id = ?`,
		func(scan func(...any) error) error {
			var pid string
			a := &model.Authorization{}
			if err := scan(append([]any{&pid, &a.Kind, &a.Body, dateCol{&a.Date}, &a.DateAsWritten, &a.Reference, &a.Subject, &a.Annex,
				&a.PrefectureAcknowledgement}, metaDest(&a.Meta)...)...); err != nil {
				return err
			}
			c.Parties[byID[pid]].Authorization = a
			return nil
		})
	r.query(`SELECT text, party_key, `+metaCols+` FROM legal_bases WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var lb model.LegalBasis
			err := scan(append([]any{&lb.Text, &lb.Party}, metaDest(&lb.Meta)...)...)
			c.LegalBases = append(c.LegalBases, lb)
			return err
		})
}

func (r *reader) texts(c *model.Convention) {
	r.query(`SELECT number, title, text, footnotes, `+metaCols+` FROM articles WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var a model.Article
			err := scan(append([]any{&a.Number, &a.Title, &a.Text, jsonCol[string]{&a.Footnotes}}, metaDest(&a.Meta)...)...)
			c.Articles = append(c.Articles, a)
			return err
		})
	r.query(`SELECT number, title, text, holds, `+metaCols+` FROM annexes WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var a model.Annex
			err := scan(append([]any{&a.Number, &a.Title, &a.Text, &a.Holds}, metaDest(&a.Meta)...)...)
			c.Annexes = append(c.Annexes, a)
			return err
		})
	r.query(`SELECT theme, kind, text, fiches, `+metaCols+` FROM findings WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var f model.Finding
			err := scan(append([]any{&f.Theme, &f.Kind, &f.Text, jsonCol[string]{&f.Fiches}}, metaDest(&f.Meta)...)...)
			c.Diagnostic.Findings = append(c.Diagnostic.Findings, f)
			return err
		})
	r.query(`SELECT label, organization_key, phone, email, purpose, `+metaCols+` FROM contacts WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var x model.Contact
			err := scan(append([]any{&x.Label, &x.Organization, &x.Phone, &x.Email, &x.Purpose}, metaDest(&x.Meta)...)...)
			c.Contacts = append(c.Contacts, x)
			return err
		})
}

// ficheRef locates a fiche in c.Axes.
type ficheRef struct{ axis, fiche int }

// stepRef locates a step in its fiche.
type stepRef struct {
	ficheRef
	step int
}

func (r *reader) plan(c *model.Convention) {
	axes := map[string]int{}
	r.query(`SELECT number, title, fiches_due_by, promise, `+metaCols+` FROM axes WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var a model.Axis
			err := scan(append([]any{&a.Number, &a.Title, dateCol{&a.FichesDueBy}, &a.Promise}, metaDest(&a.Meta)...)...)
			axes[a.ID] = len(c.Axes)
			c.Axes = append(c.Axes, a)
			return err
		})
	fiches := map[string]ficheRef{}
	r.query(`SELECT f.axis_id, f.code, f.title, f.listings, f.context, f.objectives, f.description, f.indicators_heading,
		f.target_public, f.pilots, f.partners, f.status, f.id, f.created_at, f.updated_at, f.version
		FROM fiches f WHERE f.convention_id = ? ORDER BY f.position`,
		func(scan func(...any) error) error {
			var aid string
			var f model.Fiche
			if err := scan(append([]any{&aid, &f.Code, &f.Title, jsonCol[model.Listing]{&f.Listings}, &f.Context, jsonCol[string]{&f.Objectives},
				&f.Description, &f.IndicatorsHeading, jsonCol[string]{&f.TargetPublic}, jsonCol[string]{&f.Pilots}, jsonCol[string]{&f.Partners},
				&f.Status}, metaDest(&f.Meta)...)...); err != nil {
				return err
			}
			a := &c.Axes[axes[aid]]
			fiches[f.ID] = ficheRef{axes[aid], len(a.Fiches)}
			a.Fiches = append(a.Fiches, f)
			return nil
		})
	steps := map[string]stepRef{}
	r.query(`SELECT s.fiche_id, s.number, s.text, s.details, s.schedule_as_written, s.schedule_start, s.schedule_end, s.recurrence, s.status,
		s.id, s.created_at, s.updated_at, s.version
		FROM steps s JOIN fiches f ON f.id = s.fiche_id WHERE f.convention_id = ? ORDER BY s.fiche_id, s.position`,
		func(scan func(...any) error) error {
			var fid string
			var st model.Step
			if err := scan(append([]any{&fid, &st.Number, &st.Text, jsonCol[string]{&st.Details}, &st.Schedule.AsWritten,
				dateCol{&st.Schedule.Start}, dateCol{&st.Schedule.End}, &st.Schedule.Recurrence, &st.Status}, metaDest(&st.Meta)...)...); err != nil {
				return err
			}
			ref := fiches[fid]
			f := &c.Axes[ref.axis].Fiches[ref.fiche]
			steps[st.ID] = stepRef{ref, len(f.Steps)}
			f.Steps = append(f.Steps, st)
			return nil
		})
	r.query(`SELECT i.fiche_id, i.step_id, i.code, i.label, i.unit, i.periodicity, i.combine, i.numerator, i.denominator, i.dimensions,
		i.responsible_key, i.targets, i.tolerance, i.id, i.created_at, i.updated_at, i.version
		FROM indicators i JOIN fiches f ON f.id = i.fiche_id WHERE f.convention_id = ? ORDER BY i.fiche_id, i.step_id, i.position`,
		func(scan func(...any) error) error {
			var fid string
			var sid sql.NullString
			var ind model.Indicator
			if err := scan(append([]any{&fid, &sid, &ind.Code, &ind.Label, &ind.Unit, &ind.Periodicity, &ind.Combine, &ind.Numerator,
				&ind.Denominator, jsonCol[string]{&ind.Dimensions}, &ind.Responsible, jsonCol[model.Target]{&ind.Targets}, &ind.Tolerance},
				metaDest(&ind.Meta)...)...); err != nil {
				return err
			}
			ref := fiches[fid]
			f := &c.Axes[ref.axis].Fiches[ref.fiche]
			if !sid.Valid {
				f.Indicators = append(f.Indicators, ind)
				return nil
			}
			st := &f.Steps[steps[sid.String].step]
			st.Indicators = append(st.Indicators, ind)
			return nil
		})
}

func (r *reader) equipments(c *model.Convention) {
	r.query(`SELECT operator_name, operator_key, name, activity_type, activity_nature, address, postal_code, city, commune, `+metaCols+`
		FROM equipments WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var e model.Equipment
			err := scan(append([]any{&e.OperatorName, &e.Operator, &e.Name, &e.ActivityType, &e.ActivityNature, jsonCol[string]{&e.Address},
				&e.PostalCode, &e.City, &e.Commune}, metaDest(&e.Meta)...)...)
			c.Equipments = append(c.Equipments, e)
			return err
		})
}

func (r *reader) committees(c *model.Convention) {
	r.query(`SELECT key, kind, name, composition, purposes, co_chairs, secretariat_key, notes, `+metaCols+`
		FROM committees WHERE convention_id = ? ORDER BY position`,
		func(scan func(...any) error) error {
			var k model.Committee
			err := scan(append([]any{&k.Key, &k.Kind, &k.Name, jsonCol[model.MemberGroup]{&k.Composition}, jsonCol[string]{&k.Purposes},
				jsonCol[string]{&k.CoChairs}, &k.Secretariat, &k.Notes}, metaDest(&k.Meta)...)...)
			c.Committees = append(c.Committees, k)
			return err
		})
}

// tables lists every table of the schema, for Count.
var tables = []string{"conventions", "organizations", "parties", "representatives", "authorizations", "prefecture_acknowledgements",
	"legal_bases", "articles", "annexes", "findings", "axes", "fiches", "steps", "indicators", "equipments", "committees", "contacts",
	"users", "memberships", "sessions", "api_tokens", "audit_log", "indicator_values"}

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
