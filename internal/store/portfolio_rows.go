package store

import (
	"context"
	"encoding/json"

	"github.com/ctg-territoires/ctg/internal/model"
)

// PortfolioLine is the portfolio's line of a convention as kept: the
// convention's ref (slug, record id, revision), and, when one was kept,
// the day it was computed for, its mark and its content (JSON, which the
// service alone reads).
type PortfolioLine struct {
	model.ConventionRef
	Day  *model.Date
	Mark string
	Data []byte
}

// PortfolioLines reads, in one statement, every convention of the
// portfolio (the working copies of avenants left out), in the order of
// their slugs, with the line kept for it, if any.
func (s *SQL) PortfolioLines(ctx context.Context) ([]PortfolioLine, error) {
	where, args := conventionScope(nil)
	var out []PortfolioLine
	err := s.each(ctx, `SELECT c.slug, c.id, c.revision, p.day, COALESCE(p.mark, ''), COALESCE(p.row_json, '')
		FROM conventions c LEFT JOIN portfolio_rows p ON p.convention_slug = c.slug`+where+` ORDER BY c.slug`, args,
		func(scan func(...any) error) error {
			var l PortfolioLine
			var data string
			if err := scan(&l.Slug, &l.ID, &l.Revision, dateCol{&l.Day}, &l.Mark, &data); err != nil {
				return err
			}
			if data != "" {
				l.Data = []byte(data)
			}
			out = append(out, l)
			return nil
		})
	return out, err
}

// KeepPortfolioLine keeps the line of a convention computed for day,
// with the mark of what it was computed from.
func (s *SQL) KeepPortfolioLine(ctx context.Context, slug string, day model.Date, mark string, data []byte) error {
	_, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO portfolio_rows (convention_slug, day, mark, row_json) VALUES (?, ?, ?, ?)
		ON CONFLICT (convention_slug) DO UPDATE SET day = excluded.day, mark = excluded.mark, row_json = excluded.row_json`),
		slug, day.String(), mark, string(data))
	return err
}

// ConventionTerritories reads the communes of the territory of every
// convention (INSEE codes, as written), by slug, in one statement.
func (s *SQL) ConventionTerritories(ctx context.Context) (map[string][]string, error) {
	out := map[string][]string{}
	err := s.each(ctx, `SELECT slug, territory_communes FROM conventions`, nil, func(scan func(...any) error) error {
		var slug, communes string
		if err := scan(&slug, &communes); err != nil {
			return err
		}
		var list []string
		if communes != "" {
			if err := json.Unmarshal([]byte(communes), &list); err != nil {
				return err
			}
		}
		out[slug] = list
		return nil
	})
	return out, err
}
