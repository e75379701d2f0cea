package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// This file holds the vocabulary of indicators: their units, how often
// they are collected, how their values add up, and where a value stands.
// Each word has its French label here and nowhere else, so that pages,
// forms, files and reports agree.

// Unit is what an indicator's values measure.
type Unit string

// The units of an indicator. An empty unit is not specified yet.
const (
	UnitCount   Unit = "count"
	UnitEuros   Unit = "euros"
	UnitHours   Unit = "hours"
	UnitPlaces  Unit = "places"
	UnitPercent Unit = "percent"
	UnitText    Unit = "text"
)

// IndicatorUnits lists the units an indicator may have, in the order forms
// offer them.
var IndicatorUnits = []Unit{UnitCount, UnitEuros, UnitHours, UnitPlaces, UnitPercent, UnitText}

var unitLabels = map[Unit]string{
	"": "non précisée", UnitCount: "nombre", UnitEuros: "euros", UnitHours: "heures", UnitPlaces: "places",
	UnitPercent: "pourcentage", UnitText: "qualitatif (texte)",
}

// Label names the unit in French; an unknown unit is shown as written.
func (u Unit) Label() string { return label(unitLabels, u) }

// IsCount reports whether values in the unit are counts (of people, of
// places) whose small values fall under statistical secrecy when they
// leave the platform; they are whole numbers.
func (u Unit) IsCount() bool { return u == UnitCount || u == UnitPlaces }

// Qualitative reports whether the indicator's result is a text rather
// than a number.
func (u Unit) Qualitative() bool { return u == UnitText }

// ParseUnit reads a unit as written in a file; "" (not specified) is valid.
func ParseUnit(s string) (Unit, error) { return parse(s, IndicatorUnits) }

// Periodicity is how often an indicator's values are collected.
type Periodicity string

// The periodicities. An empty periodicity is not specified: any period
// form is then accepted.
const (
	PeriodYear    Periodicity = "year"
	PeriodQuarter Periodicity = "quarter"
	PeriodMonth   Periodicity = "month"
)

// Periodicities lists how often an indicator may be collected, in order.
var Periodicities = []Periodicity{PeriodYear, PeriodQuarter, PeriodMonth}

var periodicityLabels = map[Periodicity]string{
	"": "non précisée", PeriodYear: "annuelle", PeriodQuarter: "trimestrielle", PeriodMonth: "mensuelle",
}

// Label names the periodicity in French ("trimestrielle").
func (p Periodicity) Label() string { return label(periodicityLabels, p) }

// ParsePeriodicity reads a periodicity as written in a file; "" is valid.
func ParsePeriodicity(s string) (Periodicity, error) { return parse(s, Periodicities) }

// Periods are written "2024" (a year), "2024-T2" (a quarter) or "2024-03"
// (a month), for years 1900 to 2099. The expressions are compiled on
// first use, not when every ctg command starts.
var (
	yearPeriod    = lazyRegexp(`^(19|20)[0-9]{2}$`)
	quarterPeriod = lazyRegexp(`^(19|20)[0-9]{2}-T[1-4]$`)
	monthPeriod   = lazyRegexp(`^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$`)
)

// lazyRegexp returns a function giving expr compiled, on its first call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// ValidPeriod reports whether a period is written as the periodicity
// requires; without periodicity, any of the three forms is valid.
func (p Periodicity) ValidPeriod(period string) bool {
	switch p {
	case PeriodYear:
		return yearPeriod().MatchString(period)
	case PeriodQuarter:
		return quarterPeriod().MatchString(period)
	case PeriodMonth:
		return monthPeriod().MatchString(period)
	}
	return IsPeriod(period)
}

// IsPeriod reports whether s is a period of any form: "2024", "2024-T2"
// or "2024-03".
func IsPeriod(s string) bool {
	return yearPeriod().MatchString(s) || quarterPeriod().MatchString(s) || monthPeriod().MatchString(s)
}

// PeriodExample shows how a period is written at the periodicity, for
// messages: "2024-T2".
func (p Periodicity) PeriodExample() string {
	switch p {
	case PeriodYear:
		return "2024"
	case PeriodQuarter:
		return "2024-T2"
	case PeriodMonth:
		return "2024-03"
	}
	return "2024, 2024-T2 ou 2024-03"
}

// PeriodHint is the hint of a period field: "trimestre : 2024-T2".
func (p Periodicity) PeriodHint() string {
	switch p {
	case PeriodYear:
		return "année : " + p.PeriodExample()
	case PeriodQuarter:
		return "trimestre : " + p.PeriodExample()
	case PeriodMonth:
		return "mois : " + p.PeriodExample()
	}
	return p.PeriodExample()
}

// Periods lists the periods of a year at the periodicity, in order: the
// lines a collection form asks for. Without periodicity, the year.
func (p Periodicity) Periods(year int) []string {
	switch p {
	case PeriodQuarter:
		return []string{fmt.Sprintf("%d-T1", year), fmt.Sprintf("%d-T2", year), fmt.Sprintf("%d-T3", year), fmt.Sprintf("%d-T4", year)}
	case PeriodMonth:
		out := make([]string, 12)
		for m := range out {
			out[m] = fmt.Sprintf("%d-%02d", year, m+1)
		}
		return out
	}
	return []string{fmt.Sprint(year)}
}

// Combine is how an indicator's values add up over breakdowns and periods.
type Combine string

// The combinations. An empty combination adds the values up, as sum does.
const (
	CombineSum    Combine = "sum"
	CombineMean   Combine = "mean"
	CombineLatest Combine = "latest"
	// CombineRatio divides the totals of two other indicators, the
	// indicator's numerator and denominator.
	CombineRatio Combine = "ratio"
)

// Combinations lists how an indicator's values may add up, in order.
var Combinations = []Combine{CombineSum, CombineMean, CombineLatest, CombineRatio}

var combineLabels = map[Combine]string{
	"": "non précisée", CombineSum: "somme", CombineMean: "moyenne", CombineLatest: "dernière valeur",
	CombineRatio: "rapport de deux indicateurs",
}

// Label names the combination in French ("dernière valeur").
func (c Combine) Label() string { return label(combineLabels, c) }

// ParseCombine reads a combination as written in a file; "" is valid.
func ParseCombine(s string) (Combine, error) { return parse(s, Combinations) }

var valueStateLabels = map[ValueState]string{
	ValueDraft: "brouillon", ValueSubmitted: "soumise", ValueValidated: "validée", ValueReturned: "renvoyée",
}

// Label names a value's state in French ("validée").
func (s ValueState) Label() string { return label(valueStateLabels, s) }

func label[T ~string](labels map[T]string, v T) string {
	if l, ok := labels[v]; ok {
		return l
	}
	return string(v)
}

// parse accepts "" or a value of the list; the error lists the values, in
// the words of the other checks of a convention file.
func parse[T ~string](s string, values []T) (T, error) {
	v := T(s)
	if v == "" || slices.Contains(values, v) {
		return v, nil
	}
	names := make([]string, len(values))
	for i, x := range values {
		names[i] = string(x)
	}
	return "", fmt.Errorf("valeur « %s » non reconnue ; valeurs possibles : %s", s, strings.Join(names, ", "))
}
