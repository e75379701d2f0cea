package app

import (
	"context"
	"slices"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Overview is a convention's dashboard on a day: where the plan stands,
// the year's collection, the next deadlines and the checker's findings.
type Overview struct {
	Convention *model.Convention
	// State is where the convention stands in its life on the day.
	State lifecycle.Standing
	Plan  PlanProgress
	// CollectionYear is the year being collected, and Collection where
	// its values stand, all organizations together.
	CollectionYear int
	Collection     Progress
	Deadlines      []Deadline
	Checks         *Checks
}

// Overview computes the dashboard of a convention the actor may read, as
// of the date at. Its cost does not grow with what it summarizes: one read
// of the convention, one of its values, one of its acknowledgements.
//
// What it computes from the stored convention, its values and its
// acknowledged findings is kept by the convention's revision, which any
// change of them moves, the date and the day: an overview seen again
// reads the revision only. The convention itself is the reader's own copy.
func (s *Service) Overview(ctx context.Context, a *auth.Actor, slug string, at model.Date) (*Overview, error) {
	c, revision, err := s.conventionRevision(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	key := overviewKey{slug, revision, at, model.DateOf(s.now())}
	if o, ok := s.overviews.Get(key); ok && revision != "" {
		shown := *o
		shown.Convention = c
		return &shown, nil
	}
	values, err := s.valuesAt(ctx, slug, revision)
	if err != nil {
		return nil, err
	}
	checks, err := s.ChecksOf(ctx, c, at)
	if err != nil {
		return nil, err
	}
	year := CollectionYear(c, at)
	o := &Overview{Convention: c, State: lifecycle.Of(c).StandingOn(at), Plan: PlanProgressOn(c, at), CollectionYear: year,
		Collection: TotalProgress(CollectionProgress(c, values, year)), Deadlines: Deadlines(c, at), Checks: checks}
	if revision != "" {
		s.overviews.Put(key, o)
	}
	return o, nil
}

// overviewKey is what an overview depends on: the stored convention, the
// date it is computed at, and the day (the checker compares the text with
// what is recorded on the day).
type overviewKey struct {
	slug, revision string
	at, day        model.Date
}

// overviewsKept bounds the overviews kept: those of the conventions
// viewed lately.
const overviewsKept = 64

// CollectionYear is the year whose values are collected on a day: the
// year before, within the convention's period.
func CollectionYear(c *model.Convention, today model.Date) int {
	return min(max(today.Year-1, c.Period.Start.Year), c.Period.End.Year)
}

// TotalProgress adds up the progress of every organization.
func TotalProgress(rows []Progress) Progress {
	var t Progress
	for _, p := range rows {
		t.Indicators += p.Indicators
		t.Expected += p.Expected
		t.Entered += p.Entered
		t.Submitted += p.Submitted
		t.Validated += p.Validated
		t.Returned += p.Returned
	}
	return t
}

// StatusCount is the number of steps in one state.
type StatusCount struct {
	Status model.ActionStatus
	Count  int
}

// LateStep is a step late on a day, with its fiche, its number in it and
// the deadline it missed (nil for a step recorded as late without one).
type LateStep struct {
	Fiche  *model.Fiche
	Step   *model.Step
	Number int
	Due    *model.Date
}

// lateStep describes a late step of a fiche as of day d.
func lateStep(f *model.Fiche, k int, d model.Date) LateStep {
	st := &f.Steps[k]
	n := st.Number
	if n == 0 {
		n = k + 1
	}
	l := LateStep{Fiche: f, Step: st, Number: n}
	if due, ok := st.MissedDeadline(d); ok {
		l.Due = &due
	}
	return l
}

// PlanProgress is where the action plan stands on a day.
type PlanProgress struct {
	Steps int
	// ByStatus counts the steps of each state, in the order of
	// model.ActionStatuses; states without a step are left out.
	ByStatus []StatusCount
	// Late lists the late steps, the longest overdue first: those whose
	// schedule ended (Step.LateOn) and those marked late.
	Late []LateStep
}

// PlanProgressOn computes where the plan of c stands on day d.
func PlanProgressOn(c *model.Convention, d model.Date) PlanProgress {
	// Once terminated, steps due after the termination are no longer late.
	d = lifecycle.EngagementsDay(c, d)
	var p PlanProgress
	counts := map[model.ActionStatus]int{}
	for i := range c.Axes {
		for j := range c.Axes[i].Fiches {
			f := &c.Axes[i].Fiches[j]
			for k := range f.Steps {
				// The state shown on day d, as the plan page filters it.
				state := f.Steps[k].StateOn(d)
				p.Steps++
				counts[state]++
				if state == model.ActionLate {
					p.Late = append(p.Late, lateStep(f, k, d))
				}
			}
		}
	}
	for _, status := range model.ActionStatuses {
		if n := counts[status]; n > 0 {
			p.ByStatus = append(p.ByStatus, StatusCount{Status: status, Count: n})
		}
	}
	// Undated steps marked late come after the dated ones.
	slices.SortStableFunc(p.Late, func(a, b LateStep) int {
		ea, eb := a.Step.Schedule.End, b.Step.Schedule.End
		switch {
		case ea == nil && eb == nil:
			return 0
		case ea == nil:
			return 1
		case eb == nil:
			return -1
		case ea.Before(*eb):
			return -1
		case eb.Before(*ea):
			return 1
		}
		return 0
	})
	return p
}
