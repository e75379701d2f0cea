package app

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Figures returns a convention the actor may read and the yearly figures
// of its indicators over the whole period, from the validated values: the
// table the dashboard and the fiche pages show, the bilan's own.
//
// The table is kept by the revision of the live convention (which its
// values move too): a dashboard viewed again without change reads no
// value.
func (s *Service) Figures(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, *indicators.Table, error) {
	c, revision, err := s.conventionRevision(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	if t, ok := s.figures.Get(revisionKey{slug, revision}); ok && revision != "" {
		return c, t, nil
	}
	values, err := s.store.Values(ctx, slug, "")
	if err != nil {
		return nil, nil, err
	}
	t := indicators.Yearly(c, values, ConventionYears(c))
	if revision != "" {
		s.figures.Put(revisionKey{slug, revision}, t)
	}
	return c, t, nil
}

// revisionKey names what is kept of a live convention by its revision:
// its yearly figures, its values.
type revisionKey struct{ slug, revision string }

// figuresKept bounds the tables of figures kept: those of the
// conventions viewed lately.
const figuresKept = 64

// ConventionYears lists the years of a convention's period ("2024").
func ConventionYears(c *model.Convention) []string {
	return indicators.Years(c.Period.Start.Year, c.Period.End.Year)
}

// IndicatorFigures computes the yearly figures of the indicator of iv,
// as the dashboard does: a ratio reads the values of its two terms.
func (s *Service) IndicatorFigures(ctx context.Context, iv *IndicatorView) (indicators.Row, error) {
	values := iv.Values
	if ind := iv.Entry.Indicator; ind.Combine == model.CombineRatio {
		for _, code := range []string{ind.Numerator, ind.Denominator} {
			if code == "" || code == ind.Code {
				continue
			}
			terms, err := s.store.Values(ctx, iv.Convention.Slug, code)
			if err != nil {
				return indicators.Row{}, err
			}
			values = append(values[:len(values):len(values)], terms...)
		}
	}
	row := indicators.YearlyRow(iv.Entry, iv.Catalogue, values, ConventionYears(iv.Convention))
	history, err := s.previousFigures(ctx, iv.Convention, iv.Entry.Code)
	if err != nil {
		return indicators.Row{}, err
	}
	row.Figures = append(history, row.Figures...)
	return row, nil
}

// previousFigures are the yearly figures of the indicator of the same
// code in the convention that c renews, from its validated values, marked
// Previous: the history of the indicator. They are the figures the
// parties validated together, shown to whoever reads the successor.
// None when c renews no convention or the indicator is new.
func (s *Service) previousFigures(ctx context.Context, c *model.Convention, code string) ([]indicators.Figure, error) {
	if c.Acts.Predecessor == "" {
		return nil, nil
	}
	prev, err := s.store.Convention(ctx, c.Acts.Predecessor)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	cat := indicators.Catalogue(prev)
	byCode := indicators.ByCode(cat)
	i := slices.IndexFunc(cat, func(e indicators.Entry) bool { return e.Code == code })
	if i < 0 {
		return nil, nil
	}
	values, err := s.store.Values(ctx, prev.Slug, "")
	if err != nil {
		return nil, err
	}
	var out []indicators.Figure
	for _, f := range indicators.YearlyRow(cat[i], byCode, values, ConventionYears(prev)).Figures {
		if y, _ := strconv.Atoi(f.Year); f.Has && y < c.Period.Start.Year {
			f.Previous = true
			out = append(out, f)
		}
	}
	return out, nil
}

// ExportedValue is a value as an export gives it.
type ExportedValue struct {
	model.Value
	// Masked is shown instead of the number of a count under statistical
	// secrecy ("< 5"); Number is then nil.
	Masked string
}

// ExportValues returns a convention the actor may read and its values for
// an export. A diffusable export is meant to leave the authenticated
// scope: validated values only, counts of people under statistical
// secrecy.
func (s *Service) ExportValues(ctx context.Context, a *auth.Actor, slug string, diffusable bool) (*model.Convention, []ExportedValue, error) {
	c, values, err := s.Values(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	byCode := indicators.ByCode(indicators.Catalogue(c))
	out := make([]ExportedValue, 0, len(values))
	for _, v := range values {
		x := ExportedValue{Value: v}
		if diffusable {
			if v.State != model.ValueValidated {
				continue
			}
			if v.Number != nil {
				// A value whose indicator left the catalogue has no unit
				// to tell: it is protected as a count.
				unit := model.UnitCount
				if ind, ok := byCode[v.Indicator]; ok {
					unit = ind.Unit
				}
				masked, shown := s.Secrecy.Figure(unit, *v.Number)
				x.Masked, x.Number = masked, &shown
				if masked != "" {
					x.Number = nil
				}
			}
		}
		out = append(out, x)
	}
	return c, out, nil
}
