package indicators

import (
	"math"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
)

// Figure is an indicator's figure for a year, as the dashboard, the fiche
// page, the indicator page and the bilan all show it: the total of its
// validated values, its target and the deviation between the two.
type Figure struct {
	Year string
	// Has is set when a validated value exists: Value is then the number,
	// or Text the result of a qualitative indicator, or Masked what is
	// shown instead of a count under statistical secrecy ("< 5").
	Has    bool
	Value  float64
	Text   string
	Masked string
	// Target is the value aimed at for the year, if any.
	Target *float64
	// Deviation compares Value with Target; Deviation.Important is set
	// beyond the indicator's tolerance.
	Deviation *Deviation
	// Synthetic is set when a value behind the figure is demonstration data.
	Synthetic bool
	// Previous is set on a figure of the convention this one renews,
	// shown as the indicator's history.
	Previous bool
}

// Numeric reports whether the figure is a number that may be shown.
func (f Figure) Numeric() bool { return f.Has && f.Text == "" && f.Masked == "" }

// Shown writes the figure as a cell shows it: the number the French way,
// the text, or the mask; "" when there is no figure.
func (f Figure) Shown() string {
	switch {
	case !f.Has:
		return ""
	case f.Masked != "":
		return f.Masked
	case f.Text != "":
		return f.Text
	}
	return FormatNumber(f.Value)
}

// Row is an indicator of the catalogue with its figures, one per year of
// the table.
type Row struct {
	Entry
	Figures []Figure
	// Pending counts the indicator's values awaiting validation.
	Pending int
}

// Scale is the largest number or target of the row, the top of a chart of
// it; 0 when there is nothing to draw.
func (r Row) Scale() float64 {
	top := 0.0
	for _, f := range r.Figures {
		if f.Numeric() {
			top = math.Max(top, f.Value)
		}
		if f.Target != nil {
			top = math.Max(top, *f.Target)
		}
	}
	return top
}

// ImportantDeviation is a deviation beyond an indicator's tolerance, for
// the steering committee.
type ImportantDeviation struct {
	Entry
	Year string
	Deviation
	// Synthetic is set when the figure comes from demonstration data.
	Synthetic bool
}

// Table is the yearly figures of a convention's indicators: computed once
// here, read by every page, export and report that shows them.
type Table struct {
	Years []string
	// Rows follow the catalogue: the order of the text, fiche by fiche.
	Rows []Row
	// Synthetic is set when a figure comes from demonstration data.
	Synthetic bool
	// Diffusable is set once statistical secrecy has been applied.
	Diffusable bool
}

// Years lists the years from first to last as periods ("2024").
func Years(first, last int) []string {
	var out []string
	for y := first; y <= last; y++ {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

// Yearly computes the figures of every indicator of c's catalogue for the
// given years, from the validated values only.
func Yearly(c *model.Convention, values []model.Value, years []string) *Table {
	cat := Catalogue(c)
	byCode := ByCode(cat)
	t := &Table{Years: years}
	for _, e := range cat {
		r := YearlyRow(e, byCode, values, years)
		for _, f := range r.Figures {
			t.Synthetic = t.Synthetic || f.Synthetic
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// YearlyRow computes one indicator's figures for the given years, from the
// validated values only; byCode resolves the terms of a ratio, whose
// values must be among values too.
func YearlyRow(e Entry, byCode map[string]model.Indicator, values []model.Value, years []string) Row {
	r := Row{Entry: e}
	for _, v := range values {
		if v.Indicator == e.Code && v.State == model.ValueSubmitted {
			r.Pending++
		}
	}
	// A ratio's figure comes from its terms' values: it is synthetic when they are.
	sources := map[string]bool{e.Code: true}
	if e.Combine == model.CombineRatio {
		sources[e.Numerator], sources[e.Denominator] = true, true
	}
	for _, y := range years {
		f := Figure{Year: y}
		f.Value, f.Has = Total(e.Indicator, byCode, values, y, Options{ValidatedOnly: true})
		for _, v := range values {
			if !sources[v.Indicator] || Year(v.Period) != y || v.State != model.ValueValidated {
				continue
			}
			f.Synthetic = f.Synthetic || v.Synthetic
			if v.Indicator == e.Code && v.Text != "" {
				f.Text, f.Has = v.Text, true
			}
		}
		if target, ok := Target(e.Indicator, y); ok {
			f.Target = &target
		}
		if f.Numeric() {
			f.Deviation = deviation(e.Indicator, y, f.Value)
		}
		r.Figures = append(r.Figures, f)
	}
	return r
}

func deviation(ind model.Indicator, year string, v float64) *Deviation {
	if d, ok := Deviate(ind, year, v); ok {
		return &d
	}
	return nil
}

// Fiche returns the rows of a fiche's indicators.
func (t *Table) Fiche(code string) []Row {
	var out []Row
	for _, r := range t.Rows {
		if r.Fiche == code {
			out = append(out, r)
		}
	}
	return out
}

// Deviations lists the important deviations, indicator by indicator in
// the order of the table, year by year.
func (t *Table) Deviations() []ImportantDeviation {
	var out []ImportantDeviation
	for _, r := range t.Rows {
		for _, f := range r.Figures {
			if f.Deviation != nil && f.Deviation.Important {
				out = append(out, ImportantDeviation{Entry: r.Entry, Year: f.Year, Deviation: *f.Deviation, Synthetic: f.Synthetic})
			}
		}
	}
	return out
}

// Diffuse applies statistical secrecy to the table, so that it may leave
// the authenticated scope: a count under the threshold is masked and has
// no deviation; a rounded count has its deviation computed from the
// rounded figure, which would otherwise give the exact one away.
func (t *Table) Diffuse(rule secrecy.Rule) {
	t.Diffusable = true
	for i := range t.Rows {
		r := &t.Rows[i]
		for j := range r.Figures {
			f := &r.Figures[j]
			if !f.Numeric() {
				continue
			}
			masked, shown := rule.Figure(r.Unit, f.Value)
			switch {
			case masked != "":
				f.Masked, f.Value, f.Deviation = masked, 0, nil
			case shown != f.Value:
				f.Value, f.Deviation = shown, deviation(r.Indicator, f.Year, shown)
			}
		}
	}
}
