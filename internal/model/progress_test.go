package model

import "testing"

func TestStepLate(t *testing.T) {
	end := MustDate("2024-12-31")
	cases := []struct {
		name  string
		step  Step
		today string
		late  bool
	}{
		{"prévue, échéance passée", Step{Status: ActionPlanned, Schedule: Schedule{End: &end}}, "2025-06-01", true},
		{"en cours, échéance passée", Step{Status: ActionInProgress, Schedule: Schedule{End: &end}}, "2025-01-01", true},
		{"le jour de l'échéance", Step{Status: ActionPlanned, Schedule: Schedule{End: &end}}, "2024-12-31", false},
		{"réalisée", Step{Status: ActionDone, Schedule: Schedule{End: &end}}, "2025-06-01", false},
		{"abandonnée", Step{Status: ActionAbandoned, Schedule: Schedule{End: &end}}, "2025-06-01", false},
		{"sans fin normalisée", Step{Status: ActionPlanned, Schedule: Schedule{AsWritten: "Dès 2023"}}, "2030-01-01", false},
	}
	for _, c := range cases {
		if got := c.step.LateOn(MustDate(c.today)); got != c.late {
			t.Errorf("%s : en retard = %v, %v attendu", c.name, got, c.late)
		}
	}
}
