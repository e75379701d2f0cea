// Package indicators computes with indicator values: totals over
// breakdowns and periods, ratios, deviations from targets. It knows
// nothing of SQL or HTTP.
package indicators

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// CheckPeriod reports, in French, a period that does not fit the
// indicator's periodicity or lies outside the convention's period.
func CheckPeriod(period string, periodicity model.Periodicity, c *model.Convention) error {
	if !periodicity.ValidPeriod(period) {
		if periodicity == "" {
			return fmt.Errorf("période « %s » invalide (attendu : %s)", period, periodicity.PeriodExample())
		}
		return fmt.Errorf("période « %s » invalide pour un indicateur à périodicité %s (attendu : %s)", period, periodicity.Label(), periodicity.PeriodExample())
	}
	y, _ := strconv.Atoi(period[:4])
	if y < c.Period.Start.Year || y > c.Period.End.Year {
		return fmt.Errorf("période %s hors de la convention (%d-%d)", period, c.Period.Start.Year, c.Period.End.Year)
	}
	return nil
}

// Year returns the year a period belongs to.
func Year(period string) string {
	if len(period) < 4 {
		return period
	}
	return period[:4]
}

// numberCleaner removes the spaces of a number written the French way and
// makes its decimal comma a point; built once, it is reused by every line
// of an import.
var numberCleaner = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".")

// ParseNumber reads a number written the French way ("1 234,5") or not.
func ParseNumber(s string) (float64, error) {
	clean := numberCleaner.Replace(strings.TrimSpace(s))
	v, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("« %s » n'est pas un nombre", s)
	}
	return v, nil
}

// CheckNumber reports a value that makes no sense for the unit.
func CheckNumber(v float64, unit model.Unit) error {
	if math.Abs(v) > MaxNumber {
		return fmt.Errorf("nombre trop grand : %s au plus, pour qu'il soit gardé exactement", FormatNumber(MaxNumber))
	}
	switch {
	case unit.IsCount():
		if v < 0 || v != math.Trunc(v) {
			return fmt.Errorf("%s : un nombre entier positif est attendu", FormatNumber(v))
		}
	case unit == model.UnitPercent:
		if v < 0 || v > 100 {
			return fmt.Errorf("%s : un pourcentage entre 0 et 100 est attendu", FormatNumber(v))
		}
	case unit == model.UnitEuros || unit == model.UnitHours:
		if v < 0 {
			return fmt.Errorf("%s : une valeur positive est attendue", FormatNumber(v))
		}
	}
	return nil
}

// MaxNumber is the largest value an indicator takes: beyond, a number is
// no longer kept to the unit (a float64 keeps integers exactly up to 2⁵³).
const MaxNumber = 1e15

// FormatPercent writes a signed deviation in percent the French way, to
// one decimal: "+12,5 %", "−24,4 %".
func FormatPercent(p float64) string {
	sign := "+"
	if p < 0 {
		sign = "−"
	}
	return sign + FormatNumber(math.Abs(math.Round(p*10)/10)) + " %"
}

// FormatNumber writes a number the French way: "1 234,5".
func FormatNumber(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 && len(s)-i > 3 {
		s = strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "," + frac
	}
	if v < 0 {
		out = "-" + out
	}
	return out
}

// combine reduces numbers the way the indicator says.
func combine(how model.Combine, xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	switch how {
	case model.CombineMean:
		sum := 0.0
		for _, x := range xs {
			sum += x
		}
		return sum / float64(len(xs)), true
	case model.CombineLatest:
		return xs[len(xs)-1], true
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum, true
}

// Options say which values count.
type Options struct {
	// ValidatedOnly keeps only validated values (reports, dashboards).
	ValidatedOnly bool
}

func (o Options) keep(v model.Value) bool {
	return v.Number != nil && (!o.ValidatedOnly || v.State == model.ValueValidated)
}

// Total returns an indicator's value for a year: its total rows, else the
// combination of its breakdown rows, over the year's periods, combined the
// way the indicator says; a ratio divides the totals of its numerator and
// denominator. ok is false when there is no value.
func Total(ind model.Indicator, byCode map[string]model.Indicator, values []model.Value, year string, o Options) (float64, bool) {
	if ind.Combine == model.CombineRatio {
		num, ok1 := Total(byCode[ind.Numerator], byCode, values, year, o)
		den, ok2 := Total(byCode[ind.Denominator], byCode, values, year, o)
		if !ok1 || !ok2 || den == 0 {
			return 0, false
		}
		return num / den, true
	}
	// Per period: the total row if any, else the breakdown rows combined.
	periods := map[string][]float64{}
	totals := map[string]float64{}
	var order []string
	for _, v := range values {
		if v.Indicator != ind.Code || Year(v.Period) != year || !o.keep(v) {
			continue
		}
		if _, seen := periods[v.Period]; !seen {
			order = append(order, v.Period)
			periods[v.Period] = nil
		}
		if v.Breakdown == "" {
			totals[v.Period] = *v.Number
		} else {
			periods[v.Period] = append(periods[v.Period], *v.Number)
		}
	}
	var perPeriod []float64
	for _, p := range order {
		if t, ok := totals[p]; ok {
			perPeriod = append(perPeriod, t)
		} else if x, ok := combine(ind.Combine, periods[p]); ok {
			perPeriod = append(perPeriod, x)
		}
	}
	return combine(ind.Combine, perPeriod)
}

// ByBreakdown returns, for a year, the combined value of each value of a
// dimension ("commune" → "04088" → 12).
func ByBreakdown(ind model.Indicator, values []model.Value, year, dimension string, o Options) map[string]float64 {
	groups := map[string][]float64{}
	for _, v := range values {
		if v.Indicator != ind.Code || Year(v.Period) != year || !o.keep(v) || v.Breakdown == "" {
			continue
		}
		if key, ok := model.ParseBreakdown(v.Breakdown)[dimension]; ok {
			groups[key] = append(groups[key], *v.Number)
		}
	}
	out := map[string]float64{}
	for k, xs := range groups {
		out[k], _ = combine(ind.Combine, xs)
	}
	return out
}

// Target returns the indicator's target for a period, if it has one.
func Target(ind model.Indicator, period string) (float64, bool) {
	for _, t := range ind.Targets {
		if t.Period == period {
			return t.Value, true
		}
	}
	return 0, false
}

// Deviation is how far a value is from its target.
type Deviation struct {
	Target, Actual float64
	// Percent is (actual - target) / target × 100.
	Percent float64
	// Important is set beyond the indicator's tolerance.
	Important bool
}

// Deviate compares a value with the indicator's target for the period.
func Deviate(ind model.Indicator, period string, actual float64) (Deviation, bool) {
	target, ok := Target(ind, period)
	if !ok || target == 0 {
		return Deviation{}, false
	}
	pct := (actual - target) / target * 100
	return Deviation{Target: target, Actual: actual, Percent: pct, Important: ind.Tolerance > 0 && math.Abs(pct) > float64(ind.Tolerance)}, true
}

// Catalogue lists a convention's indicators once each (mentions sharing a
// code count once), in the order of the text, with the fiche of each. An
// indicator that names no responsible organization is the responsibility
// of its fiche's pilot (the first one listed), if the fiche has one.
func Catalogue(c *model.Convention) []Entry {
	var out []Entry
	seen := map[string]bool{}
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			add := func(list []model.Indicator) {
				for _, ind := range list {
					if ind.Code == "" || seen[ind.Code] {
						continue
					}
					seen[ind.Code] = true
					e := Entry{Indicator: ind, Fiche: f.Code, FicheTitle: f.Title}
					if e.Responsible == "" && len(f.Pilots) > 0 {
						e.Responsible, e.ResponsibleIsPilot = f.Pilots[0], true
					}
					out = append(out, e)
				}
			}
			add(f.Indicators)
			for _, s := range f.Steps {
				add(s.Indicators)
			}
		}
	}
	return out
}

// Entry is an indicator of the catalogue with its fiche.
type Entry struct {
	model.Indicator
	Fiche, FicheTitle string
	// ResponsibleIsPilot is set when Responsible is the fiche's pilot,
	// the indicator naming no responsible organization of its own.
	ResponsibleIsPilot bool
}

// ByCode indexes a catalogue by code.
func ByCode(entries []Entry) map[string]model.Indicator {
	out := map[string]model.Indicator{}
	for _, e := range entries {
		out[e.Code] = e.Indicator
	}
	return out
}
