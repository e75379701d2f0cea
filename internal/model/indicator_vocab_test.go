package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEveryWordHasAFrenchLabel(t *testing.T) {
	for _, u := range append([]Unit{""}, IndicatorUnits...) {
		if _, ok := unitLabels[u]; !ok || u.Label() == "" {
			t.Errorf("unité %q sans libellé", u)
		}
	}
	for _, p := range append([]Periodicity{""}, Periodicities...) {
		if _, ok := periodicityLabels[p]; !ok || p.Label() == "" {
			t.Errorf("périodicité %q sans libellé", p)
		}
	}
	for _, c := range append([]Combine{""}, Combinations...) {
		if _, ok := combineLabels[c]; !ok || c.Label() == "" {
			t.Errorf("agrégation %q sans libellé", c)
		}
	}
	if len(unitLabels) != len(IndicatorUnits)+1 || len(periodicityLabels) != len(Periodicities)+1 || len(combineLabels) != len(Combinations)+1 {
		t.Error("un libellé ne correspond à aucune valeur de la liste")
	}
	if UnitPercent.Label() != "pourcentage" || UnitText.Label() != "qualitatif (texte)" || PeriodQuarter.Label() != "trimestrielle" {
		t.Errorf("libellés : %s, %s, %s", UnitPercent.Label(), UnitText.Label(), PeriodQuarter.Label())
	}
}

func TestParseRoundTrip(t *testing.T) {
	for _, u := range IndicatorUnits {
		if got, err := ParseUnit(string(u)); err != nil || got != u {
			t.Errorf("ParseUnit(%q) = %q, %v", u, got, err)
		}
	}
	for _, p := range Periodicities {
		if got, err := ParsePeriodicity(string(p)); err != nil || got != p {
			t.Errorf("ParsePeriodicity(%q) = %q, %v", p, got, err)
		}
	}
	for _, c := range Combinations {
		if got, err := ParseCombine(string(c)); err != nil || got != c {
			t.Errorf("ParseCombine(%q) = %q, %v", c, got, err)
		}
	}
	if u, err := ParseUnit(""); err != nil || u != "" {
		t.Error("une unité non précisée est refusée")
	}
	_, err := ParseUnit("pourcentage")
	if err == nil || !strings.Contains(err.Error(), "« pourcentage »") || !strings.Contains(err.Error(), "count, euros, hours, places, percent, text") {
		t.Errorf("unité inconnue : %v", err)
	}
	if _, err := ParsePeriodicity("annual"); err == nil {
		t.Error("périodicité inconnue acceptée")
	}
	if _, err := ParseCombine("Sum"); err == nil {
		t.Error("agrégation inconnue acceptée")
	}
}

func TestPeriodRules(t *testing.T) {
	cases := []struct {
		p      Periodicity
		period string
		ok     bool
	}{
		{PeriodYear, "2024", true}, {PeriodYear, "2024-T2", false}, {PeriodYear, "24", false}, {PeriodYear, "2124", false},
		{PeriodQuarter, "2024-T4", true}, {PeriodQuarter, "2024-T5", false}, {PeriodQuarter, "2024", false}, {PeriodQuarter, "2024-t1", false},
		{PeriodMonth, "2024-03", true}, {PeriodMonth, "2024-12", true}, {PeriodMonth, "2024-13", false}, {PeriodMonth, "2024-3", false},
		{"", "2024", true}, {"", "2024-T2", true}, {"", "2024-03", true}, {"", "2024-S1", false}, {"", "", false},
	}
	for _, c := range cases {
		if got := c.p.ValidPeriod(c.period); got != c.ok {
			t.Errorf("%q.ValidPeriod(%q) = %v", c.p, c.period, got)
		}
	}
	for p, n := range map[Periodicity]int{PeriodYear: 1, PeriodQuarter: 4, PeriodMonth: 12, "": 1} {
		periods := p.Periods(2024)
		if len(periods) != n {
			t.Errorf("%q : %d périodes par an, %d attendues", p, len(periods), n)
		}
		for _, x := range periods {
			if !p.ValidPeriod(x) {
				t.Errorf("%q : période %q de la liste refusée", p, x)
			}
		}
		if !p.ValidPeriod(p.PeriodExample()) && p != "" {
			t.Errorf("%q : l'exemple %q ne suit pas la règle", p, p.PeriodExample())
		}
	}
	if got := PeriodQuarter.Periods(2024); got[0] != "2024-T1" || got[3] != "2024-T4" {
		t.Errorf("trimestres : %v", got)
	}
	if got := PeriodMonth.Periods(2024); got[0] != "2024-01" || got[11] != "2024-12" {
		t.Errorf("mois : %v", got)
	}
}

func TestCountsUnderSecrecy(t *testing.T) {
	for _, u := range IndicatorUnits {
		if want := u == UnitCount || u == UnitPlaces; u.IsCount() != want {
			t.Errorf("%s : effectif %v", u, u.IsCount())
		}
	}
	if !UnitText.Qualitative() || UnitCount.Qualitative() {
		t.Error("indicateur qualitatif")
	}
}

// The typed vocabulary is written as before in files and in the API.
func TestVocabularyIsWrittenAsStrings(t *testing.T) {
	data, err := json.Marshal(Indicator{Label: "x", Unit: UnitPercent, Periodicity: PeriodMonth, Combine: CombineMean})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"unit":"percent","periodicity":"month","combine":"mean"`) {
		t.Errorf("JSON : %s", data)
	}
}

func TestValueStatesHaveLabels(t *testing.T) {
	for _, s := range []ValueState{ValueDraft, ValueSubmitted, ValueValidated, ValueReturned} {
		if _, ok := valueStateLabels[s]; !ok {
			t.Errorf("état %q sans libellé", s)
		}
	}
}
