// Package demo generates plausible, clearly synthetic indicator values for
// a convention, so that a newcomer sees a dashboard that is not empty.
// Every value it makes is marked synthetic and says so in its source.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Source is written on every synthetic value.
const Source = "Données fictives de démonstration générées par ctg"

// Years are the years demo values are made for.
var Years = []int{2023, 2024}

// Generate returns synthetic validated yearly values for every
// quantitative indicator of c with a code, for the Years within the
// convention's period. The same seed gives the same values.
func Generate(c *model.Convention, seed uint64) []model.Value {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out []model.Value
	for _, e := range indicators.Catalogue(c) {
		if e.Unit.Qualitative() || e.Combine == model.CombineRatio {
			continue
		}
		base := baseValue(e.Label, e.Unit, r)
		for i, y := range Years {
			if y < c.Period.Start.Year || y > c.Period.End.Year {
				continue
			}
			x := base * math.Pow(0.85+0.4*r.Float64(), float64(i))
			x = round(x, e.Unit)
			out = append(out, model.Value{
				Convention: c.Slug, Indicator: e.Code, Period: fmt.Sprint(y), Number: &x, Organization: e.Responsible,
				State: model.ValueValidated, Synthetic: true, Source: fmt.Sprintf("%s (graine %d)", Source, seed),
				EnteredBy: "ctg demo", ValidatedBy: "ctg demo",
			})
		}
	}
	return out
}

// scales gives plausible yearly ranges for a territory of some 10 000
// inhabitants, by words of the indicator's label.
var scales = []struct {
	word     string
	min, max float64
}{
	{"etp", 1, 3}, {"structures", 2, 8}, {"reunions", 2, 12}, {"rencontres", 2, 12}, {"projets", 1, 10},
	{"places", 2, 20}, {"personnes contactees", 50, 400}, {"nouveaux droits", 10, 120}, {"rdv", 20, 300},
	{"visites", 50, 500}, {"accompagnement", 10, 80}, {"questionnaires", 20, 200}, {"enfants et de familles", 5, 40},
	{"allocataires", 10, 90},
}

// baseValue draws a first-year value of a plausible size for the label
// and the unit.
func baseValue(label string, unit model.Unit, r *rand.Rand) float64 {
	folded := textutil.Fold(label)
	for _, s := range scales {
		if strings.Contains(folded, s.word) && unit.IsCount() {
			return s.min + (s.max-s.min)*r.Float64()
		}
	}
	switch unit {
	case "euros":
		return 150 + 350*r.Float64()
	case "hours":
		return 5000 + 25000*r.Float64()
	case "places":
		return 5 + 35*r.Float64()
	case "percent":
		return 20 + 60*r.Float64()
	}
	return 3 + 80*r.Float64()
}

func round(x float64, unit model.Unit) float64 {
	switch unit {
	case "euros":
		return math.Round(x*100) / 100
	case "percent":
		return math.Min(100, math.Round(x*10)/10)
	}
	return math.Round(x)
}
