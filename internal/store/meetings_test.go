package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// TestMeetingsSurviveAReimport writes a meeting with its attendance, a
// decision and its action, corrects them at their version, and reads
// them back after the convention was imported again.
func TestMeetingsSurviveAReimport(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		entry := model.AuditEntry{Convention: c.Slug, Actor: "Coordinatrice", Action: "create", ObjectType: "meeting"}
		if _, err := s.CreateConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		m := &model.Meeting{Convention: c.Slug, Committee: "copil", Date: model.MustDate("2024-10-15"), StartTime: "14:00",
			Place: "Mairie de Forcalquier", Status: model.MeetingPlanned, Agenda: []string{"Bilan 2023", "Avenant n° 1"}}
		if err := s.SaveMeeting(ctx, m, entry); err != nil {
			t.Fatal(err)
		}
		m.Status, m.Minutes = model.MeetingHeld, "Séance ouverte à 14 h."
		if err := s.SaveMeeting(ctx, m, entry); err != nil || m.Version != 2 {
			t.Fatalf("mise à jour : %v, version %d", err, m.Version)
		}
		stale := *m
		stale.Version = 1
		if err := s.SaveMeeting(ctx, &stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("mise à jour sur une version dépassée : %v", err)
		}
		att := &model.Attendance{Meeting: m.ID, Organization: "caf04", Status: model.AttendanceRepresented, Person: "Directeur", RepresentedBy: "Adjointe"}
		guest := &model.Attendance{Meeting: m.ID, Guest: "Personne ressource", Status: model.AttendancePresent}
		for _, a := range []*model.Attendance{att, guest} {
			if err := s.SaveAttendance(ctx, c.Slug, a, entry); err != nil {
				t.Fatal(err)
			}
		}
		d := &model.Decision{Meeting: m.ID, Text: "Réviser le calendrier", ObjectKind: model.DecisionOnStep, ObjectKey: "2.2/1"}
		if err := s.SaveDecision(ctx, c.Slug, d, entry); err != nil {
			t.Fatal(err)
		}
		due := model.MustDate("2024-12-31")
		act := &model.Action{Meeting: m.ID, Decision: d.ID, Text: "Proposer un calendrier", Organization: "cc-pflm", DueOn: &due, Status: model.FollowUpToDo}
		if err := s.SaveAction(ctx, c.Slug, act, entry); err != nil {
			t.Fatal(err)
		}
		act.Status = model.FollowUpDone
		if err := s.SaveAction(ctx, c.Slug, act, entry); err != nil {
			t.Fatal(err)
		}
		// A row of another convention's meeting is refused.
		if err := s.SaveDecision(ctx, "autre", &model.Decision{Meeting: m.ID, Text: "x"}, entry); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("décision sur la réunion d'une autre convention : %v", err)
		}
		if err := s.SaveAction(ctx, c.Slug, &model.Action{Meeting: m.ID, Decision: "inconnue", Status: model.FollowUpToDo}, entry); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("action sur une décision inconnue : %v", err)
		}

		if _, err := s.ReplaceConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		list, err := s.Meetings(ctx, c.Slug)
		if err != nil || len(list) != 1 {
			t.Fatalf("réunions relues : %v, %d", err, len(list))
		}
		got := list[0]
		if got.ID != m.ID || got.Committee != "copil" || got.Date != m.Date || got.StartTime != "14:00" || got.Place != m.Place ||
			got.Status != model.MeetingHeld || !slices.Equal(got.Agenda, m.Agenda) || got.Minutes != m.Minutes || got.Version != 2 {
			t.Errorf("réunion relue : %+v", got)
		}
		if len(got.Attendance) != 2 || got.Attendance[0].ID != att.ID || got.Attendance[0].Organization != "caf04" || got.Attendance[0].Status != model.AttendanceRepresented ||
			got.Attendance[0].RepresentedBy != "Adjointe" || got.Attendance[0].Person != "Directeur" || got.Attendance[1].Guest != "Personne ressource" {
			t.Errorf("présences relues : %+v", got.Attendance)
		}
		if len(got.Decisions) != 1 || got.Decisions[0].ObjectKey != "2.2/1" || got.Decisions[0].Fiche() != "2.2" || len(got.Decisions[0].Actions) != 1 {
			t.Fatalf("décisions relues : %+v", got.Decisions)
		}
		a := got.Decisions[0].Actions[0]
		if a.Status != model.FollowUpDone || a.DueOn == nil || *a.DueOn != due || a.Organization != "cc-pflm" || a.Version != 2 {
			t.Errorf("action relue : %+v", a)
		}
		one, err := s.Meeting(ctx, c.Slug, m.ID)
		if err != nil || len(one.Decisions) != 1 || len(one.Attendance) != 2 {
			t.Errorf("réunion seule : %v %+v", err, one)
		}
		if _, err := s.Meeting(ctx, "autre", m.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("réunion lue par une autre convention : %v", err)
		}
		n, err := s.Count(ctx)
		if err != nil || n["meetings"] != 1 || n["meeting_actions"] != 1 {
			t.Errorf("comptes : %v %v", err, n)
		}
	})
}
