package model

// This file holds the rules of progress: when a step is late, and what
// state a fiche is in given its steps. The plan, the fiche pages, the
// checker and the reports ask them, so that they all agree.

// LateOn reports whether the step is late on day d: recorded as late, or
// not done nor abandoned once its deadline has passed (MissedDeadline).
func (s Step) LateOn(d Date) bool {
	if s.Status == ActionLate {
		return true
	}
	_, missed := s.MissedDeadline(d)
	return missed
}

// MissedDeadline returns the deadline of its normalized schedule that the
// step, neither done nor abandoned, has missed on day d:
//   - its end (Schedule.End), once past;
//   - for a yearly step not yet started (still planned), the end of its
//     first yearly period, the calendar year of its start: a whole year
//     went by without it. A yearly step in progress is late only once its
//     end, if any, is past.
//
// A step with neither end nor yearly recurrence ("Dès 2023") has no
// deadline and is never late by its schedule.
func (s Step) MissedDeadline(d Date) (Date, bool) {
	if s.Status == ActionDone || s.Status == ActionAbandoned {
		return Date{}, false
	}
	sc := s.Schedule
	if sc.End != nil && d.After(*sc.End) {
		return *sc.End, true
	}
	if sc.Recurrence == RecurYearly && sc.Start != nil && (s.Status == ActionPlanned || s.Status == "") {
		first := Date{Year: sc.Start.Year, Month: 12, Day: 31}
		if sc.End != nil && sc.End.Before(first) {
			first = *sc.End
		}
		if d.After(first) {
			return first, true
		}
	}
	return Date{}, false
}

// StateOn is the step's state as shown on day d: late when LateOn, its
// recorded status otherwise.
func (s Step) StateOn(d Date) ActionStatus {
	if s.LateOn(d) {
		return ActionLate
	}
	if s.Status == "" {
		return ActionPlanned
	}
	return s.Status
}

// StateFromSteps reports whether the fiche's state is derived from its
// steps: its recorded status is "planned" (the default), and it has steps.
// Any other recorded status was set on purpose and wins.
func (f Fiche) StateFromSteps() bool {
	return (f.Status == ActionPlanned || f.Status == "") && len(f.Steps) > 0
}

// StateOn is the fiche's state as shown on day d. A status recorded on the
// fiche other than "planned" wins. Otherwise it follows its steps' states
// on d: all done or abandoned → done (abandoned when none is done); any
// late → late; any in progress or done → in progress; else planned.
func (f Fiche) StateOn(d Date) ActionStatus {
	if !f.StateFromSteps() {
		if f.Status == "" {
			return ActionPlanned
		}
		return f.Status
	}
	var done, closed, late, started int
	for _, s := range f.Steps {
		switch s.StateOn(d) {
		case ActionDone:
			done++
			closed++
			started++
		case ActionAbandoned:
			closed++
		case ActionLate:
			late++
		case ActionInProgress:
			started++
		}
	}
	switch {
	case closed == len(f.Steps) && done > 0:
		return ActionDone
	case closed == len(f.Steps):
		return ActionAbandoned
	case late > 0:
		return ActionLate
	case started > 0:
		return ActionInProgress
	}
	return ActionPlanned
}
