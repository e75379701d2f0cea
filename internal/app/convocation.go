package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/ical"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// convocation writes the messages that convene a committee's meeting: one
// to each member of the convention whose organization sits on the
// committee, and to its administrators and editors, who organize it; each
// with the agenda, an invitation (reunion.ics) for their calendar and the
// convocation as a PDF.
func (s *Service) convocation(ctx context.Context, a *auth.Actor, c *model.Convention, m *model.Meeting) ([]model.Mail, error) {
	committee := Committee(c, m.Committee)
	if committee == nil {
		return nil, nil
	}
	sitting := map[string]bool{committee.Secretariat: committee.Secretariat != ""}
	for _, g := range committee.Composition {
		for _, o := range g.Organizations {
			sitting[o] = true
		}
	}
	for _, o := range committee.CoChairs {
		sitting[o] = true
	}
	members, err := s.store.Members(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	numbered := make([]string, len(m.Agenda))
	for i, l := range m.Agenda {
		numbered[i] = fmt.Sprintf("%d. %s", i+1, l)
	}
	subject, text, html, err := renderMail("convocation", map[string]any{"Organizer": a.PublicName(), "Committee": committee.Name,
		"Convention": c.Title, "Date": textutil.FrenchDate(m.Date), "Time": textutil.FrenchClock(m.StartTime), "Place": m.Place, "Agenda": m.Agenda,
		"Numbered": numbered, "URL": siteURL(ctx, fmt.Sprintf("/c/%s/reunions/%s", c.Slug, m.ID), nil)})
	if err != nil {
		return nil, err
	}
	invitation, err := meetingInvitation(c, committee, m, s.now(), siteURL(ctx, fmt.Sprintf("/c/%s/reunions/%s", c.Slug, m.ID), nil))
	if err != nil {
		return nil, err
	}
	// The convocation itself, to print or to file.
	convocation, err := report.ConvocationPDF(c, m, report.MeetingOptions{Generated: s.now()})
	if err != nil {
		return nil, err
	}
	var out []model.Mail
	var sent []string
	for _, p := range members {
		// A DPO acts for their organization on data exchanges only: they
		// do not sit on the committee through it.
		organizer := p.Role == auth.RoleAdmin || p.Role == auth.RoleEditor
		member := sitting[p.Organization] && p.Role != auth.RoleDPO
		if p.InvitationPending || !validEmail(p.Email) || slices.Contains(sent, p.Email) || !(organizer || member) {
			continue
		}
		sent = append(sent, p.Email)
		out = append(out, s.outboxMail(Outgoing{Convention: c.Slug, To: p.Email, Subject: subject, Text: text, HTML: html,
			Attachments: []model.MailAttachment{{Name: "reunion.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Content: invitation},
				{Name: "convocation.pdf", ContentType: "application/pdf", Content: convocation}}}))
	}
	return out, nil
}

// meetingInvitation is the meeting as an iCalendar event, with the same
// identifier as in the convention's calendar feed, so that a calendar
// holds it once.
func meetingInvitation(c *model.Convention, committee *model.Committee, m *model.Meeting, now time.Time, link string) ([]byte, error) {
	description := "Convention : " + c.Title + "\nOrdre du jour :"
	for i, l := range m.Agenda {
		description += fmt.Sprintf("\n%d. %s", i+1, l)
	}
	summary := "Réunion : " + committee.Name
	var b bytes.Buffer
	err := ical.Write(&b, ical.Calendar{ProdID: "-//ctg//convocation//FR", Name: c.Title, Events: []ical.Event{{
		UID: "meeting-" + m.ID + "@" + c.Slug, Stamp: now, Modified: m.UpdatedAt, Sequence: max(m.Version-1, 0),
		Date: m.Date.Time(), Start: meetingStart(m), Summary: summary, Description: description, Location: m.Place, URL: link}}})
	return b.Bytes(), err
}
