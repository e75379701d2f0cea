package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// ConventionTasks is what a person has to do in one convention.
type ConventionTasks struct {
	Slug, Title string
	// Organization is the key of the person's organization in the
	// convention, "" when they act for none; OrganizationName its name.
	Organization, OrganizationName string
	// Year is the year being collected.
	Year int
	// ToEnter lists the indicators of the organization with periods of
	// Year still without a real value.
	ToEnter []IndicatorToEnter
	// NoIndicators is set when the organization is responsible for no
	// indicator at all; Admins then names whom to ask.
	NoIndicators bool
	Admins       []string
	// Drafts are the organization's drafts, to submit; DraftYears their
	// years, in order.
	Drafts     []TaskValue
	DraftYears []int
	// Returned are the organization's values returned with a reason.
	Returned []TaskValue
	// ToValidate are the submitted values, for an editor or admin.
	ToValidate  []TaskValue
	CanValidate bool
	// LateSteps are the late steps of the fiches the organization pilots.
	LateSteps []LateStep
	// Actions are the actions decided in committee still to do that are
	// given to the person or their organization — and, for the
	// coordination, every one past its date.
	Actions []DecidedAction
	// ToStudy are the data-exchange requests waiting for the study and
	// opinion of the person, DPO of the holding organization; ToDecide
	// those waiting for the holder's decision after the opinion.
	ToStudy, ToDecide []model.DataRequest
	// EventsToAnswer are the public events waiting for the agreement of
	// the person's organization, their financer; EventsToReview the
	// organization's own events whose financer refused or proposed
	// another date.
	EventsToAnswer, EventsToReview []model.EventRequest
}

// IndicatorToEnter is an indicator with the periods still to fill.
type IndicatorToEnter struct {
	indicators.Entry
	Periods []string
}

// TaskValue is a value with the words a task list shows.
type TaskValue struct {
	model.Value
	Label, OrganizationName string
}

// Count is the number of things to do in the convention.
func (t *ConventionTasks) Count() int {
	n := len(t.Drafts) + len(t.Returned) + len(t.ToValidate) + len(t.LateSteps) + len(t.Actions) + len(t.ToStudy) + len(t.ToDecide) +
		len(t.EventsToAnswer) + len(t.EventsToReview)
	for _, e := range t.ToEnter {
		n += len(e.Periods)
	}
	return n
}

// Empty reports whether there is nothing to do nor to explain.
func (t *ConventionTasks) Empty() bool { return t.Count() == 0 && !t.NoIndicators }

// Tasks is what a person has to do, convention by convention.
type Tasks struct {
	Conventions []ConventionTasks
	// Quiet counts the other conventions the person reads, where nothing
	// can wait for them (see mayHaveTasks): not read, not listed.
	Quiet int
}

// Count is the number of things to do in every convention.
func (t *Tasks) Count() int {
	n := 0
	for i := range t.Conventions {
		n += t.Conventions[i].Count()
	}
	return n
}

// Tasks lists, for a person, on a day, across the conventions they may
// read: the values their organization must enter for the year being
// collected, its drafts to submit, its values returned with the reason,
// the values waiting for their validation (editors and admins) and the
// late steps of the fiches their organization pilots.
func (s *Service) Tasks(ctx context.Context, a *auth.Actor, today model.Date) (*Tasks, error) {
	list, err := s.Conventions(ctx, a)
	if err != nil {
		return nil, err
	}
	work, err := s.store.ConventionsWithWork(ctx)
	if err != nil {
		return nil, err
	}
	out := &Tasks{}
	for _, sum := range list {
		if !mayHaveTasks(a, sum.Slug, work) {
			out.Quiet++
			continue
		}
		c, values, err := s.Values(ctx, a, sum.Slug)
		if err != nil {
			return nil, err
		}
		t, err := s.conventionTasks(ctx, a, c, values, today)
		if err != nil {
			return nil, err
		}
		out.Conventions = append(out.Conventions, t)
	}
	return out, nil
}

func (s *Service) conventionTasks(ctx context.Context, a *auth.Actor, c *model.Convention, values []model.Value, today model.Date) (ConventionTasks, error) {
	slug := c.Slug
	t := ConventionTasks{Slug: slug, Title: c.Title, Year: CollectionYear(c, today), CanValidate: CanValidate(a, slug)}
	if m, ok := a.Memberships[slug]; ok && !m.Role.ReadsOnly() {
		t.Organization = m.Organization
	}
	t.OrganizationName = c.OrgName(t.Organization)
	cat := indicators.Catalogue(c)
	responsible := map[string]string{}
	for _, e := range cat {
		responsible[e.Code] = e.Responsible
	}
	labels := indicators.ByCode(cat)
	task := func(v model.Value) TaskValue {
		return TaskValue{Value: v, Label: labels[v.Indicator].Label, OrganizationName: c.OrgName(v.Organization)}
	}
	entered := map[string]bool{}
	for _, v := range values {
		if v.Synthetic {
			continue
		}
		entered[v.Indicator+"|"+v.Period] = true
		own := t.Organization != "" && responsible[v.Indicator] == t.Organization
		switch {
		case own && v.State == model.ValueDraft:
			t.Drafts = append(t.Drafts, task(v))
			if y := yearOf(v.Period); !slices.Contains(t.DraftYears, y) {
				t.DraftYears = append(t.DraftYears, y)
			}
		case own && v.State == model.ValueReturned:
			t.Returned = append(t.Returned, task(v))
		case t.CanValidate && v.State == model.ValueSubmitted:
			t.ToValidate = append(t.ToValidate, task(v))
		}
	}
	slices.Sort(t.DraftYears)
	if err := s.governanceTasks(ctx, a, c, today, &t); err != nil {
		return t, err
	}
	if t.Organization == "" {
		return t, nil
	}
	mine := 0
	for _, e := range cat {
		if e.Responsible != t.Organization {
			continue
		}
		mine++
		var missing []string
		for _, p := range e.Periodicity.Periods(t.Year) {
			if !entered[e.Code+"|"+p] {
				missing = append(missing, p)
			}
		}
		if len(missing) > 0 {
			t.ToEnter = append(t.ToEnter, IndicatorToEnter{Entry: e, Periods: missing})
		}
	}
	if mine == 0 {
		t.NoIndicators = true
		admins, err := s.ConventionAdmins(ctx, auth.System, slug)
		if err != nil {
			return t, err
		}
		t.Admins = admins
	}
	for i := range c.Axes {
		for j := range c.Axes[i].Fiches {
			f := &c.Axes[i].Fiches[j]
			if !slices.Contains(f.Pilots, t.Organization) {
				continue
			}
			for k := range f.Steps {
				if day := lifecycle.EngagementsDay(c, today); f.Steps[k].LateOn(day) {
					t.LateSteps = append(t.LateSteps, lateStep(f, k, day))
				}
			}
		}
	}
	return t, nil
}

// yearOf returns the year of a period ("2024-T2" → 2024).
func yearOf(period string) int {
	var y int
	_, _ = fmt.Sscanf(indicators.Year(period), "%d", &y)
	return y
}

// governanceTasks adds to t the decided actions and the data-exchange
// requests waiting for the person.
func (s *Service) governanceTasks(ctx context.Context, a *auth.Actor, c *model.Convention, today model.Date, t *ConventionTasks) error {
	if _, _, copy := model.WorkingCopyOf(c.Slug); copy {
		return nil
	}
	meetings, err := s.store.Meetings(ctx, c.Slug)
	if err != nil {
		return err
	}
	for i := range meetings {
		for j := range meetings[i].Decisions {
			d := &meetings[i].Decisions[j]
			for _, x := range d.Actions {
				mine := (t.Organization != "" && x.Organization == t.Organization) || namesActor(x.Person, a)
				if x.Status != model.FollowUpDone && (mine || (t.CanValidate && x.OverdueOn(today))) {
					t.Actions = append(t.Actions, DecidedAction{Action: x, Meeting: &meetings[i], Decision: d})
				}
			}
		}
	}
	slices.SortStableFunc(t.Actions, func(x, y DecidedAction) int {
		switch {
		case x.DueOn == nil || y.DueOn == nil:
			return 0
		case x.DueOn.Before(*y.DueOn):
			return -1
		case y.DueOn.Before(*x.DueOn):
			return 1
		}
		return 0
	})
	requests, err := s.store.DataRequests(ctx, c.Slug)
	if err != nil {
		return err
	}
	for _, r := range requests {
		switch {
		case (r.State == model.DataRequestFiled || r.State == model.DataRequestInStudy) && a.IsDPO(c.Slug, r.Holder):
			t.ToStudy = append(t.ToStudy, r)
		case r.State == model.DataRequestOpinion && CanDecideDataRequest(a, c.Slug, r.Holder):
			t.ToDecide = append(t.ToDecide, r)
		}
	}
	if t.Organization == "" {
		return nil
	}
	events, err := s.store.EventRequests(ctx, c.Slug)
	if err != nil {
		return err
	}
	for _, x := range events {
		switch state := x.StateOn(today); {
		case x.Financer == t.Organization && state == model.EventAwaiting:
			t.EventsToAnswer = append(t.EventsToAnswer, x)
		case x.Organization == t.Organization && state == model.EventToReview:
			t.EventsToReview = append(t.EventsToReview, x)
		}
	}
	return nil
}

// TaskCount counts what Tasks lists for the person on a day, for the
// header of every page. It reads in full only the conventions where the
// person may have something to do: those where they act for an
// organization, and those where something waits whatever the
// organization (values submitted, actions decided not done, data
// requests open). In the others Tasks finds nothing, every task but
// these being an organization's.
func (s *Service) TaskCount(ctx context.Context, a *auth.Actor, today model.Date) (int, error) {
	list, err := s.Conventions(ctx, a)
	if err != nil {
		return 0, err
	}
	work, err := s.store.ConventionsWithWork(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sum := range list {
		if !mayHaveTasks(a, sum.Slug, work) {
			continue
		}
		c, values, err := s.Values(ctx, a, sum.Slug)
		if err != nil {
			return 0, err
		}
		t, err := s.conventionTasks(ctx, a, c, values, today)
		if err != nil {
			return 0, err
		}
		n += t.Count()
	}
	return n, nil
}

// mayHaveTasks tells the conventions where something may wait for the
// person: those where they act for an organization, and those where
// something waits whatever the organization (work). In the others
// conventionTasks finds nothing, every task but these being an
// organization's: Tasks and TaskCount do not read them.
func mayHaveTasks(a *auth.Actor, slug string, work model.ConventionsWithWork) bool {
	m, member := a.Memberships[slug]
	return work[slug] || (member && !m.Role.ReadsOnly() && m.Organization != "")
}
