package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// CalendarEvent is a dated obligation of a convention: an event of its
// life with a kind and a natural key, and when what it rests on last
// changed, so that a calendar application replaces the copy it holds.
type CalendarEvent struct {
	lifecycle.Event
	// Modified is when the record the event rests on last changed (zero
	// when unknown); Sequence its revision, counted from 0.
	Modified time.Time
	Sequence int
	// Status is, for a step, its state on the day (late, in progress…).
	Status model.ActionStatus
	// Responsible are the organizations (keys) that answer for the
	// obligation — a step's pilots, the organizations reporting values,
	// an action's assignee —, and Person the person an action is given
	// to, by name or e-mail; reminders go to them as well as to the
	// coordination.
	Responsible []string
	Person      string
	// Start is, for a meeting whose time is set, when it begins; Location
	// where it is held; Agenda its order of the day, for the feeds.
	Start    time.Time
	Location string
	Agenda   []string
}

// StateLabel says in French where the obligation stands: a step's state
// (« en retard » on its past dates only), else the event's (« à venir »).
func (e CalendarEvent) StateLabel() string {
	switch {
	case e.Status == "":
		return e.State.Label()
	case e.Status == model.ActionLate && !e.Overdue():
		return edit.StatusLabels[model.ActionPlanned]
	}
	return edit.StatusLabels[e.Status]
}

// UID is the event's identifier in calendar feeds, stable from one
// reading to the next: its kind and natural key, at the convention's slug
// ("step-2.2-1-end@ctg-forcalquier-2022").
func (e CalendarEvent) UID(slug string) string { return string(e.Kind) + "-" + e.Key + "@" + slug }

// Overdue reports whether the obligation is past and unmet: a late step,
// fiches promised and missing, an expiry without renewal.
func (e CalendarEvent) Overdue() bool { return e.State == lifecycle.EventMissing }

// Calendar is the obligations calendar of a convention on a day.
type Calendar struct {
	Convention *model.Convention
	Today      model.Date
	// Events are the dated obligations, in order of date.
	Events []CalendarEvent
	// Late are the steps late on the day, as the overview and the plan's
	// « en retard » filter count them, dated or not.
	Late []LateStep
	// Gantt lays the fiches' steps over the period.
	Gantt Gantt
}

// calendarSource gives dated obligations of a convention on a day. The
// calendar is the union of its sources: a new kind of obligation (the
// committees' meetings…) adds its events with one function here.
type calendarSource func(ctx context.Context, s *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error)

var calendarSources = []calendarSource{lifeObligations, stepObligations, collectionObligations, evaluationObligations, renewalObligations,
	meetingObligations, eventObligations}

// Calendar assembles the obligations calendar of a convention the actor
// may read, as of day today.
func (s *Service) Calendar(ctx context.Context, a *auth.Actor, slug string, today model.Date) (*Calendar, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	return s.calendarOf(ctx, c, today)
}

func (s *Service) calendarOf(ctx context.Context, c *model.Convention, today model.Date) (*Calendar, error) {
	cal := &Calendar{Convention: c, Today: today, Late: PlanProgressOn(c, today).Late, Gantt: GanttOf(c, today)}
	for _, source := range calendarSources {
		events, err := source(ctx, s, c, today)
		if err != nil {
			return nil, err
		}
		cal.Events = append(cal.Events, events...)
	}
	slices.SortStableFunc(cal.Events, func(a, b CalendarEvent) int { return a.Date.Time().Compare(b.Date.Time()) })
	return cal, nil
}

// Kinds lists the kinds of obligation the calendar holds, in the order of
// lifecycle.EventKinds.
func (c *Calendar) Kinds() []lifecycle.EventKind {
	var out []lifecycle.EventKind
	for _, k := range lifecycle.EventKinds {
		if slices.ContainsFunc(c.Events, func(e CalendarEvent) bool { return e.Kind == k }) {
			out = append(out, k)
		}
	}
	return out
}

// stamp dates an event by the record it rests on.
func stamp(e lifecycle.Event, m model.Meta) CalendarEvent {
	return CalendarEvent{Event: e, Modified: m.UpdatedAt, Sequence: max(m.Version-1, 0)}
}

// lifeObligations: the events of the convention's life that are
// obligations (the period, the fiches promised by avenant, the renewal
// decided, the termination, the avenants), as its timeline shows them.
func lifeObligations(ctx context.Context, s *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	events := Timeline(c, today)
	var amendments []model.Amendment
	if _, _, ok := model.WorkingCopyOf(c.Slug); !ok {
		var err error
		if amendments, err = s.store.Amendments(ctx, c.Slug); err != nil {
			return nil, err
		}
		datedDelivery(events, amendments)
		events = append(events, amendmentEvents(c.Slug, amendments, today)...)
	}
	var out []CalendarEvent
	for _, e := range events {
		meta := c.Meta
		switch e.Kind {
		case "":
			continue
		case lifecycle.KindFiches:
			for _, a := range c.Axes {
				if e.Key == fmt.Sprintf("axis-%d", a.Number) {
					meta = a.Meta
				}
			}
		case lifecycle.KindRenewal:
			if r := c.Acts.Renewal; r != nil {
				meta = r.Meta
			}
		case lifecycle.KindTermination:
			if t := c.Acts.Termination; t != nil {
				meta = t.Meta
			}
		case lifecycle.KindAmendment:
			for _, x := range amendments {
				if e.Link == fmt.Sprintf("/c/%s/avenants/%d", c.Slug, x.Number) {
					meta = x.Meta
				}
			}
		}
		out = append(out, stamp(e, meta))
	}
	return out, nil
}

// stepObligations: each step's start (each year of the period for a
// yearly step) and its end. Every event of a late step is overdue, as
// the step is on the plan and the overview (Step.LateOn as of the day
// the engagements are judged).
func stepObligations(_ context.Context, _ *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	day := lifecycle.EngagementsDay(c, today)
	var out []CalendarEvent
	for i := range c.Axes {
		for j := range c.Axes[i].Fiches {
			f := &c.Axes[i].Fiches[j]
			for k := range f.Steps {
				st := &f.Steps[k]
				n := st.Number
				if n == 0 {
					n = k + 1
				}
				key := fmt.Sprintf("%s-%d", f.Code, n)
				text := textutil.ExcerptAt(st.Text, 0, 0, 90)
				detail := "Fiche " + f.Code + " « " + f.Title + " »"
				if st.Schedule.AsWritten != "" {
					detail += " · calendrier : « " + st.Schedule.AsWritten + " »"
				}
				link := "/c/" + c.Slug + "/fiches/" + f.Code
				event := func(d model.Date, key, label string) CalendarEvent {
					e := dated(d, today, label, detail, link)
					e.Kind, e.Key = lifecycle.KindStep, key
					// A step's date is met once the step is done, not
					// once the day is past; a late step's dates to come
					// stay to come.
					switch state := st.StateOn(day); {
					case state == model.ActionLate && !d.After(today):
						e.State = lifecycle.EventMissing
					case state == model.ActionDone || state == model.ActionAbandoned:
						e.State = lifecycle.EventDone
					default:
						e.State = lifecycle.EventUpcoming
					}
					out := stamp(e, st.Meta)
					out.Status = st.StateOn(day)
					out.Responsible = f.Pilots
					return out
				}
				sc := st.Schedule
				if sc.Start != nil {
					label := fmt.Sprintf("Fiche %s, étape %d — début : %s", f.Code, n, text)
					if sc.Recurrence == model.RecurYearly {
						last := c.Period.End.Year
						if sc.End != nil && sc.End.Year < last {
							last = sc.End.Year
						}
						label = fmt.Sprintf("Fiche %s, étape %d — chaque année : %s", f.Code, n, text)
						for y := sc.Start.Year; y <= max(last, sc.Start.Year); y++ {
							d := model.DateOf(time.Date(y, sc.Start.Month, sc.Start.Day, 0, 0, 0, 0, time.UTC))
							out = append(out, event(d, fmt.Sprintf("%s-start-%d", key, y), label))
						}
					} else {
						out = append(out, event(*sc.Start, key+"-start", label))
					}
				}
				if sc.End != nil {
					out = append(out, event(*sc.End, key+"-end", fmt.Sprintf("Fiche %s, étape %d — échéance : %s", f.Code, n, text)))
				}
			}
		}
	}
	return out, nil
}

// CollectionOpens and CollectionCloses bound the collection of a year's
// values: the year collected is the year before (CollectionYear), so the
// values of year y are collected from 1 January of y+1 until 31 December
// of y+1, when the next year's collection begins. The last year of the
// period stays the year collected after that.
func CollectionOpens(year int) model.Date {
	return model.Date{Year: year + 1, Month: time.January, Day: 1}
}
func CollectionCloses(year int) model.Date {
	return model.Date{Year: year + 1, Month: time.December, Day: 31}
}

// collectionObligations: for each year of the period, the opening of its
// collection and its close.
func collectionObligations(_ context.Context, _ *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	if !hasIndicators(c) {
		return nil, nil
	}
	var out []CalendarEvent
	var reporting []string
	for _, e := range indicators.Catalogue(c) {
		if e.Responsible != "" && !slices.Contains(reporting, e.Responsible) {
			reporting = append(reporting, e.Responsible)
		}
	}
	link := "/c/" + c.Slug + "/collecte?annee="
	for y := c.Period.Start.Year; y <= c.Period.End.Year; y++ {
		open := dated(CollectionOpens(y), today, fmt.Sprintf("Ouverture de la collecte des valeurs %d", y),
			"les organisations responsables saisissent les valeurs des indicateurs", fmt.Sprintf("%s%d", link, y))
		open.Kind, open.Key = lifecycle.KindCollection, fmt.Sprintf("%d-open", y)
		out = append(out, stamp(open, c.Meta))
		out[len(out)-1].Responsible = reporting
		if y < c.Period.End.Year {
			end := dated(CollectionCloses(y), today, fmt.Sprintf("Clôture de la collecte des valeurs %d", y),
				fmt.Sprintf("le lendemain, la collecte des valeurs %d commence", y+1), fmt.Sprintf("%s%d", link, y))
			end.Kind, end.Key = lifecycle.KindCollection, fmt.Sprintf("%d-close", y)
			out = append(out, stamp(end, c.Meta))
			out[len(out)-1].Responsible = reporting
		}
	}
	return out, nil
}

func hasIndicators(c *model.Convention) bool {
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			if len(f.Indicators) > 0 {
				return true
			}
			for _, st := range f.Steps {
				if len(st.Indicators) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// evaluationObligations: the year of the evaluation the evaluation annex
// names (annex 5 of the national model), as the checker reads it.
func evaluationObligations(_ context.Context, _ *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	due, annex := lint.EvaluationDue(c)
	where := "article 9"
	if annex != nil {
		where = fmt.Sprintf("annexe %d", annex.Number)
	}
	start := dated(model.Date{Year: due.Year, Month: time.January, Day: 1}, today, fmt.Sprintf("Année de l'évaluation de la convention (%d)", due.Year),
		where+" : évaluation des actions et de la démarche, préalable au renouvellement", "/c/"+c.Slug+"/plan")
	start.Kind, start.Key = lifecycle.KindEvaluation, fmt.Sprintf("%d-start", due.Year)
	end := dated(due, today, "Évaluation de la convention due",
		fmt.Sprintf("%s : l'appréciation %d de chaque fiche enregistre l'évaluation", where, due.Year), "/c/"+c.Slug+"/controles")
	end.Kind, end.Key = lifecycle.KindEvaluation, fmt.Sprintf("%d-due", due.Year)
	return []CalendarEvent{stamp(start, c.Meta), stamp(end, c.Meta)}, nil
}

// renewalObligations: the renewal to decide, by express decision, from
// lint.RenewalNoticeMonths before the end of the period, as the checker
// asks; nothing once decided or terminated.
func renewalObligations(_ context.Context, _ *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	if c.Acts.Renewal != nil || c.Acts.Termination != nil {
		return nil, nil
	}
	from := lifecycle.AddMonths(c.Period.End, -lint.RenewalNoticeMonths)
	e := dated(from, today, "Renouvellement à décider avant le "+textutil.FrenchDate(c.Period.End),
		"article 10 : reconduction par décision expresse seulement ; les conseils de chaque partie délibèrent", "/c/"+c.Slug+"/vie")
	e.Kind, e.Key = lifecycle.KindRenewal, "due"
	if !today.After(c.Period.End) {
		e.State = lifecycle.EventUpcoming
	} else {
		e.State = lifecycle.EventMissing
	}
	return []CalendarEvent{stamp(e, c.Meta)}, nil
}

// Gantt lays the fiches' steps over the period, quarter by quarter.
type Gantt struct {
	Columns []GanttColumn
	Axes    []GanttAxis
}

// GanttColumn is a quarter of the period.
type GanttColumn struct {
	Year, Quarter int
	Start, End    model.Date
	// Current is set for the quarter of the day.
	Current bool
}

// Label names the quarter ("T1 2023").
func (q GanttColumn) Label() string { return fmt.Sprintf("T%d %d", q.Quarter, q.Year) }

// GanttAxis is an axis with its fiches that have steps.
type GanttAxis struct {
	Axis   *model.Axis
	Fiches []GanttFiche
}

// GanttFiche is a fiche with one row per step.
type GanttFiche struct {
	Fiche *model.Fiche
	Rows  []GanttRow
}

// GanttRow is a step: its state on the day and the quarters it spans.
type GanttRow struct {
	Step   *model.Step
	Number int
	State  model.ActionStatus
	// Cells tell, quarter by quarter, whether the step runs then; none
	// is set for a step without a normalized schedule.
	Cells []bool
	// Open is set when the step has no end: it runs to the end of the period.
	Open bool
}

// GanttOf lays the steps of c over its period as of day today.
func GanttOf(c *model.Convention, today model.Date) Gantt {
	var g Gantt
	for y := c.Period.Start.Year; y <= c.Period.End.Year; y++ {
		for q := 1; q <= 4; q++ {
			start := model.Date{Year: y, Month: time.Month(3*q - 2), Day: 1}
			end := model.DateOf(start.Time().AddDate(0, 3, -1))
			if end.Before(c.Period.Start) || start.After(c.Period.End) {
				continue
			}
			g.Columns = append(g.Columns, GanttColumn{Year: y, Quarter: q, Start: start, End: end,
				Current: !today.Before(start) && !today.After(end)})
		}
	}
	day := lifecycle.EngagementsDay(c, today)
	for i := range c.Axes {
		ga := GanttAxis{Axis: &c.Axes[i]}
		for j := range c.Axes[i].Fiches {
			f := &c.Axes[i].Fiches[j]
			if len(f.Steps) == 0 {
				continue
			}
			gf := GanttFiche{Fiche: f}
			for k := range f.Steps {
				st := &f.Steps[k]
				n := st.Number
				if n == 0 {
					n = k + 1
				}
				row := GanttRow{Step: st, Number: n, State: st.StateOn(day), Cells: make([]bool, len(g.Columns))}
				if from := st.Schedule.Start; from != nil {
					to := c.Period.End
					if st.Schedule.End != nil {
						to = *st.Schedule.End
					} else {
						row.Open = true
					}
					for x, col := range g.Columns {
						row.Cells[x] = !col.End.Before(*from) && !col.Start.After(to)
					}
				}
				gf.Rows = append(gf.Rows, row)
			}
			ga.Fiches = append(ga.Fiches, gf)
		}
		if len(ga.Fiches) > 0 {
			g.Axes = append(g.Axes, ga)
		}
	}
	return g
}

// meetingObligations: the committees' meetings (not cancelled) and the
// actions their decisions asked for, by their due date; an action past
// its date and not done is missing.
func meetingObligations(ctx context.Context, s *Service, c *model.Convention, today model.Date) ([]CalendarEvent, error) {
	if _, _, ok := model.WorkingCopyOf(c.Slug); ok {
		return nil, nil
	}
	meetings, err := s.store.Meetings(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	committees := map[string]string{}
	for _, m := range c.Committees {
		committees[m.Key] = m.Name
	}
	var out []CalendarEvent
	for _, m := range meetings {
		link := fmt.Sprintf("/c/%s/reunions/%s", c.Slug, m.ID)
		if m.Status != model.MeetingCancelled {
			var where []string
			for _, part := range []string{textutil.FrenchClock(m.StartTime), m.Place} {
				if part != "" {
					where = append(where, part)
				}
			}
			e := dated(m.Date, today, "Réunion : "+cmp.Or(committees[m.Committee], m.Committee), strings.Join(where, " · "), link)
			e.Kind, e.Key = lifecycle.KindMeeting, m.ID
			out = append(out, stamp(e, m.Meta))
			if k := Committee(c, m.Committee); k != nil {
				out[len(out)-1].Responsible = CommitteeOrganizations(k)
			}
			out[len(out)-1].Start, out[len(out)-1].Location, out[len(out)-1].Agenda = meetingStart(&m), m.Place, m.Agenda
		}
		for _, d := range m.Decisions {
			for _, x := range d.Actions {
				if x.DueOn == nil {
					continue
				}
				var who []string
				if x.Organization != "" {
					who = append(who, c.OrgName(x.Organization))
				}
				if x.Person != "" {
					who = append(who, x.Person)
				}
				detail := ""
				if len(who) > 0 {
					detail = "confiée à " + strings.Join(who, " – ")
				}
				e := dated(*x.DueOn, today, "Action décidée : "+x.Text, detail, link)
				e.Kind, e.Key = lifecycle.KindAction, x.ID
				if x.OverdueOn(today) {
					e.State = lifecycle.EventMissing
				} else if x.Status != model.FollowUpDone {
					e.State = lifecycle.EventUpcoming
				}
				out = append(out, stamp(e, x.Meta))
				if x.Organization != "" {
					out[len(out)-1].Responsible = []string{x.Organization}
				}
				out[len(out)-1].Person = x.Person
			}
		}
	}
	return out, nil
}

// meetingStart is when a meeting begins, in Paris time; zero when its time
// is not set.
func meetingStart(m *model.Meeting) time.Time {
	var h, min int
	if _, err := fmt.Sscanf(m.StartTime, "%d:%d", &h, &min); err != nil {
		return time.Time{}
	}
	return time.Date(m.Date.Year, m.Date.Month, m.Date.Day, h, min, 0, 0, textutil.Paris)
}
