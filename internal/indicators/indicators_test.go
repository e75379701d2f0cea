package indicators

import (
	"math"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func num(x float64) *float64 { return &x }

func val(code, period, breakdown string, x float64, state model.ValueState) model.Value {
	return model.Value{Indicator: code, Period: period, Breakdown: breakdown, Number: num(x), State: state}
}

func TestTotalsAgainstHandComputedValues(t *testing.T) {
	contacts := model.Indicator{Code: "c", Combine: "sum"}
	rights := model.Indicator{Code: "r", Combine: "sum"}
	amount := model.Indicator{Code: "a", Combine: "sum"}
	mean := model.Indicator{Code: "m", Combine: "ratio", Numerator: "a", Denominator: "r"}
	places := model.Indicator{Code: "p", Combine: "latest"}
	rate := model.Indicator{Code: "t", Combine: "mean"}
	byCode := map[string]model.Indicator{"c": contacts, "r": rights, "a": amount, "m": mean, "p": places, "t": rate}
	values := []model.Value{
		// Contacts by commune, per quarter: 2024 = 10+5 + 7+3 = 25.
		val("c", "2024-T1", "commune=04088", 10, model.ValueValidated),
		val("c", "2024-T1", "commune=04104", 5, model.ValueValidated),
		val("c", "2024-T2", "commune=04088", 7, model.ValueValidated),
		val("c", "2024-T2", "commune=04104", 3, model.ValueValidated),
		// A total row wins over its breakdown rows for its period.
		val("c", "2023", "", 40, model.ValueValidated),
		val("c", "2023", "commune=04088", 1, model.ValueValidated),
		// A submitted value counts only when not restricted to validated ones.
		val("c", "2024-T3", "commune=04088", 100, model.ValueSubmitted),
		val("r", "2024", "", 20, model.ValueValidated),
		val("a", "2024", "", 3000, model.ValueValidated),
		val("p", "2024-01", "", 30, model.ValueValidated),
		val("p", "2024-02", "", 32, model.ValueValidated),
		val("t", "2024", "commune=04088", 40, model.ValueValidated),
		val("t", "2024", "commune=04104", 60, model.ValueValidated),
	}
	validated := Options{ValidatedOnly: true}
	cases := []struct {
		ind  model.Indicator
		year string
		o    Options
		want float64
	}{
		{contacts, "2024", validated, 25},
		{contacts, "2024", Options{}, 125},
		{contacts, "2023", validated, 40},
		{mean, "2024", validated, 150}, // 3000 € / 20 rights
		{places, "2024", validated, 32},
		{rate, "2024", validated, 50},
	}
	for _, c := range cases {
		got, ok := Total(c.ind, byCode, values, c.year, c.o)
		if !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %s = %v (%v), %v attendu", c.ind.Code, c.year, got, ok, c.want)
		}
	}
	if _, ok := Total(contacts, byCode, values, "2022", validated); ok {
		t.Error("une année sans valeur a un total")
	}
	byCommune := ByBreakdown(contacts, values, "2024", "commune", validated)
	if byCommune["04088"] != 17 || byCommune["04104"] != 8 {
		t.Errorf("par commune : %v", byCommune)
	}
	if byCommune["04088"]+byCommune["04104"] != 25 {
		t.Error("la somme des ventilations ne fait pas le total")
	}
}

func TestDeviation(t *testing.T) {
	ind := model.Indicator{Targets: []model.Target{{Period: "2024", Value: 80}}, Tolerance: 20}
	d, ok := Deviate(ind, "2024", 60)
	if !ok || d.Percent != -25 || !d.Important {
		t.Errorf("écart = %+v", d)
	}
	if d, _ := Deviate(ind, "2024", 90); d.Important {
		t.Error("écart de 12,5 % signalé au-delà d'une tolérance de 20 %")
	}
	if _, ok := Deviate(ind, "2023", 10); ok {
		t.Error("écart sans cible")
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[string]float64{"1 234,5": 1234.5, "12": 12, "0,25": 0.25, "1\u202f000": 1000} {
		if got, err := ParseNumber(in); err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseNumber("douze"); err == nil {
		t.Error("« douze » accepté")
	}
	if FormatNumber(1234.5) != "1\u202f234,5" || FormatNumber(1/3.0) != "0,33" {
		t.Errorf("FormatNumber : %q %q", FormatNumber(1234.5), FormatNumber(1/3.0))
	}
	if CheckNumber(2.5, "count") == nil || CheckNumber(120, "percent") == nil || CheckNumber(12, "count") != nil {
		t.Error("contrôle des unités")
	}
	c := &model.Convention{Period: model.Period{Start: model.MustDate("2022-01-01"), End: model.MustDate("2024-12-31")}}
	if CheckPeriod("2024", "year", c) != nil || CheckPeriod("2024-T2", "year", c) == nil || CheckPeriod("2025", "", c) == nil {
		t.Error("contrôle des périodes")
	}
}

// An indicator without a responsible organization of its own is its
// fiche's pilot's; one that names another organization keeps it.
func TestCatalogueResponsibleDefaultsToPilot(t *testing.T) {
	c := &model.Convention{Axes: []model.Axis{{Fiches: []model.Fiche{
		{Code: "1.1", Pilots: []string{"caf04", "cc-pflm"}, Indicators: []model.Indicator{{Code: "1.1-1"}, {Code: "1.1-2", Responsible: "limans"}},
			Steps: []model.Step{{Indicators: []model.Indicator{{Code: "1.1-3"}}}}},
		{Code: "2.1", Indicators: []model.Indicator{{Code: "2.1-1"}}},
	}}}}
	got := map[string]Entry{}
	for _, e := range Catalogue(c) {
		got[e.Code] = e
	}
	want := map[string]struct {
		org   string
		pilot bool
	}{"1.1-1": {"caf04", true}, "1.1-2": {"limans", false}, "1.1-3": {"caf04", true}, "2.1-1": {"", false}}
	for code, w := range want {
		if e := got[code]; e.Responsible != w.org || e.ResponsibleIsPilot != w.pilot {
			t.Errorf("%s : responsable %q (pilote : %v), %q (%v) attendu", code, e.Responsible, e.ResponsibleIsPilot, w.org, w.pilot)
		}
	}
}
