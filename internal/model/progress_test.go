package model

import "testing"

func datePtr(s string) *Date {
	d := MustDate(s)
	return &d
}

func TestStepLateOn(t *testing.T) {
	in2024 := Schedule{AsWritten: "En 2024", Start: datePtr("2024-01-01"), End: datePtr("2024-12-31")}
	yearly := Schedule{AsWritten: "Dès 2023 et chaque année", Start: datePtr("2023-01-01"), Recurrence: RecurYearly}
	openEnded := Schedule{AsWritten: "Dès 2023", Start: datePtr("2023-01-01")}
	cases := []struct {
		name     string
		step     Step
		on       string
		late     bool
		deadline string
	}{
		{"end passed, still planned", Step{Schedule: in2024, Status: ActionPlanned}, "2025-06-01", true, "2024-12-31"},
		{"end passed, in progress", Step{Schedule: in2024, Status: ActionInProgress}, "2025-01-01", true, "2024-12-31"},
		{"on its last day", Step{Schedule: in2024, Status: ActionPlanned}, "2024-12-31", false, ""},
		{"end passed, done", Step{Schedule: in2024, Status: ActionDone}, "2025-06-01", false, ""},
		{"end passed, abandoned", Step{Schedule: in2024, Status: ActionAbandoned}, "2025-06-01", false, ""},
		{"no status recorded", Step{Schedule: in2024}, "2025-06-01", true, "2024-12-31"},
		{"yearly, first year running", Step{Schedule: yearly, Status: ActionPlanned}, "2023-06-01", false, ""},
		{"yearly, a year without starting", Step{Schedule: yearly, Status: ActionPlanned}, "2024-01-02", true, "2023-12-31"},
		{"yearly, in progress", Step{Schedule: yearly, Status: ActionInProgress}, "2025-06-01", false, ""},
		{"open-ended", Step{Schedule: openEnded, Status: ActionPlanned}, "2030-01-01", false, ""},
		{"undated", Step{Status: ActionPlanned}, "2030-01-01", false, ""},
		{"recorded as late", Step{Schedule: openEnded, Status: ActionLate}, "2023-06-01", true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := MustDate(c.on)
			if got := c.step.LateOn(d); got != c.late {
				t.Errorf("LateOn(%s) = %v, want %v", c.on, got, c.late)
			}
			got, missed := c.step.MissedDeadline(d)
			if c.deadline == "" && missed || c.deadline != "" && (!missed || got != MustDate(c.deadline)) {
				t.Errorf("MissedDeadline(%s) = %v %v, want %q", c.on, got, missed, c.deadline)
			}
			if (c.step.StateOn(d) == ActionLate) != c.late {
				t.Errorf("StateOn(%s) = %s", c.on, c.step.StateOn(d))
			}
		})
	}
}

func TestFicheStateOn(t *testing.T) {
	on := MustDate("2025-06-01")
	past := Schedule{Start: datePtr("2024-01-01"), End: datePtr("2024-12-31")}
	future := Schedule{Start: datePtr("2026-01-01"), End: datePtr("2026-12-31")}
	step := func(st ActionStatus, sc Schedule) Step { return Step{Status: st, Schedule: sc} }
	cases := []struct {
		name   string
		status ActionStatus
		steps  []Step
		want   ActionStatus
	}{
		{"no step", ActionPlanned, nil, ActionPlanned},
		{"all planned", ActionPlanned, []Step{step(ActionPlanned, future), step(ActionPlanned, future)}, ActionPlanned},
		{"one in progress", ActionPlanned, []Step{step(ActionInProgress, future), step(ActionPlanned, future)}, ActionInProgress},
		{"one done", ActionPlanned, []Step{step(ActionDone, past), step(ActionPlanned, future)}, ActionInProgress},
		{"all done or abandoned", ActionPlanned, []Step{step(ActionDone, past), step(ActionAbandoned, future)}, ActionDone},
		{"all abandoned", ActionPlanned, []Step{step(ActionAbandoned, past)}, ActionAbandoned},
		{"one late", ActionPlanned, []Step{step(ActionInProgress, future), step(ActionPlanned, past)}, ActionLate},
		{"explicit status wins", ActionAbandoned, []Step{step(ActionPlanned, past)}, ActionAbandoned},
		{"explicit in progress wins", ActionInProgress, []Step{step(ActionDone, past)}, ActionInProgress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Fiche{Status: c.status, Steps: c.steps}
			if got := f.StateOn(on); got != c.want {
				t.Errorf("StateOn = %s, want %s", got, c.want)
			}
		})
	}
}
