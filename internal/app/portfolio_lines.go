package app

import (
	"runtime/debug"

	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// portfolioRecord is a portfolio row as kept between requests: what the
// page, its CSV and the API show of it.
type portfolioRecord struct {
	Title          string             `json:"title"`
	EPCIName       string             `json:"epci_name"`
	EPCI           string             `json:"epci"`
	Departements   []string           `json:"departements,omitempty"`
	Parties        []string           `json:"parties,omitempty"`
	State          lifecycle.Standing `json:"state"`
	Period         model.Period       `json:"period"`
	Next           *portfolioEvent    `json:"next,omitempty"`
	Overdue        int                `json:"overdue"`
	Errors         int                `json:"errors"`
	Warnings       int                `json:"warnings"`
	CollectionYear int                `json:"collection_year"`
	Collection     Progress           `json:"collection"`
	Meeting        *portfolioMeeting  `json:"meeting,omitempty"`
	Committee      string             `json:"committee,omitempty"`
}

// portfolioEvent is the next deadline of a kept row.
type portfolioEvent struct {
	Date   model.Date           `json:"date"`
	Dated  bool                 `json:"dated"`
	Label  string               `json:"label"`
	Detail string               `json:"detail,omitempty"`
	State  lifecycle.EventState `json:"state"`
	Link   string               `json:"link,omitempty"`
	Kind   lifecycle.EventKind  `json:"kind"`
	Key    string               `json:"key"`
	Status model.ActionStatus   `json:"status,omitempty"`
}

// portfolioMeeting is the next meeting of a kept row.
type portfolioMeeting struct {
	ID        string              `json:"id"`
	Committee string              `json:"committee"`
	Date      model.Date          `json:"date"`
	StartTime string              `json:"start_time,omitempty"`
	Place     string              `json:"place,omitempty"`
	Status    model.MeetingStatus `json:"status"`
}

// recordOf is what is kept of a row.
func recordOf(r *PortfolioRow) portfolioRecord {
	rec := portfolioRecord{Title: r.Title, EPCIName: r.EPCIName, EPCI: r.EPCI, Departements: r.Departements, Parties: r.Parties, State: r.State,
		Period: r.Period, Overdue: r.Overdue, Errors: r.Errors, Warnings: r.Warnings, CollectionYear: r.CollectionYear, Collection: r.Collection,
		Committee: r.Committee}
	if e := r.NextDeadline; e != nil {
		rec.Next = &portfolioEvent{Date: e.Date, Dated: e.Dated, Label: e.Label, Detail: e.Detail, State: e.State, Link: e.Link, Kind: e.Kind,
			Key: e.Key, Status: e.Status}
	}
	if m := r.NextMeeting; m != nil {
		rec.Meeting = &portfolioMeeting{ID: m.ID, Committee: m.Committee, Date: m.Date, StartTime: m.StartTime, Place: m.Place, Status: m.Status}
	}
	return rec
}

// row is the row of convention slug a record keeps.
func (rec portfolioRecord) row(slug string) PortfolioRow {
	r := PortfolioRow{Slug: slug, Title: rec.Title, EPCIName: rec.EPCIName, EPCI: rec.EPCI, Departements: rec.Departements, Parties: rec.Parties,
		State: rec.State, Period: rec.Period, Overdue: rec.Overdue, Errors: rec.Errors, Warnings: rec.Warnings, CollectionYear: rec.CollectionYear,
		Collection: rec.Collection, Committee: rec.Committee}
	if e := rec.Next; e != nil {
		ev := CalendarEvent{Event: lifecycle.Event{Date: e.Date, Dated: e.Dated, Label: e.Label, Detail: e.Detail, State: e.State, Link: e.Link,
			Kind: e.Kind, Key: e.Key}, Status: e.Status}
		r.NextDeadline = &ev
	}
	if m := rec.Meeting; m != nil {
		r.NextMeeting = &model.Meeting{Meta: model.Meta{ID: m.ID}, Convention: slug, Committee: m.Committee, Date: m.Date, StartTime: m.StartTime,
			Place: m.Place, Status: m.Status}
	}
	return r
}

// buildMark names the program's build: a line computed by another build
// (whose rules may differ) is computed again.
var buildMark = func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	mark := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
			mark += " " + s.Value
		}
	}
	return mark
}()
