// Package secrecy holds the Caf's statistical secrecy rule for figures that
// leave the authenticated scope (public pages, open-data exports, reports
// marked "diffusable"): counts of people under 5 are never shown as such.
// The application service applies it to every such export.
package secrecy

import (
	"fmt"
	"math"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Rule is how small counts are protected.
type Rule string

// The rules: show "< 5" for counts from 1 to 4, or also round every count
// to the nearest 5, as some Caf do.
const (
	Mask    Rule = "mask"
	Round5  Rule = "round5"
	Default      = Mask
)

// Threshold is the smallest count shown as such.
const Threshold = 5

// ParseRule reads a rule name; the error names the setting.
func ParseRule(s string) (Rule, error) {
	switch Rule(s) {
	case Mask, Round5:
		return Rule(s), nil
	case "":
		return Default, nil
	}
	return "", fmt.Errorf("secret statistique : règle « %s » inconnue (mask ou round5)", s)
}

// Count returns how a count about people may be published: "< 5" under the
// threshold (but 0 stays 0), else the count, rounded to 5 under Round5.
// The second result is the figure, when one may be given.
func (r Rule) Count(v float64) (string, float64, bool) {
	if v > 0 && v < Threshold {
		return fmt.Sprintf("< %d", Threshold), 0, false
	}
	if r == Round5 {
		v = math.Round(v/5) * 5
	}
	return "", v, true
}

// Figure returns how a figure in a unit may be published: a count (see
// model.Unit.IsCount) goes through Count, any other figure as it is.
// masked is what to show instead of a count too small to be given
// ("< 5"), "" when shown may be published.
func (r Rule) Figure(unit model.Unit, v float64) (masked string, shown float64) {
	if !unit.IsCount() {
		return "", v
	}
	label, x, ok := r.Count(v)
	if !ok {
		return label, 0
	}
	return "", x
}
