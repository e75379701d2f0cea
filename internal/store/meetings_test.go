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

// TestImportReplacesTheMeetingsInTheirOrder imports meetings with a
// convention, in the file's order, then again: a meeting of the same
// committee, day and time keeps its id; one the file no longer holds goes.
func TestImportReplacesTheMeetingsInTheirOrder(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		entry := model.AuditEntry{Convention: c.Slug, Actor: "Import", Action: "import", ObjectType: "convention"}
		due := model.MustDate("2025-01-31")
		copil := model.Meeting{Committee: "copil", Date: model.MustDate("2024-10-15"), StartTime: "14:00", Place: "Forcalquier", Status: model.MeetingHeld,
			Agenda: []string{"Bilan", "Avenant"}, Minutes: "Séance ouverte.\nSéance levée.",
			Attendance: []model.Attendance{
				{Organization: "limans", Status: model.AttendanceExcused},
				{Organization: "caf04", Status: model.AttendanceRepresented, RepresentedBy: "Adjointe"},
				{Guest: "Personne ressource", Person: "CAF, responsable", Status: model.AttendancePresent},
			},
			Decisions: []model.Decision{
				{Text: "Troisième par l'alphabet, première par l'ordre", ObjectKind: model.DecisionOnStep, ObjectKey: "2.2/1", Actions: []model.Action{
					{Text: "Z en premier", Organization: "cc-pflm", DueOn: &due, Status: model.FollowUpToDo},
					{Text: "A en second", Person: "Mme Roux", Status: model.FollowUpDone},
				}},
				{Text: "Avenant à préparer", ObjectKind: model.DecisionOnRenewal},
			}}
		cotech := model.Meeting{Committee: "cotech", Date: model.MustDate("2024-03-01"), Status: model.MeetingCancelled}
		if _, err := s.ImportConvention(ctx, c, &Life{Meetings: []model.Meeting{copil, cotech}}, false, entry); err != nil {
			t.Fatal(err)
		}
		first, err := s.Meetings(ctx, c.Slug)
		if err != nil || len(first) != 2 {
			t.Fatalf("réunions importées : %v %d", err, len(first))
		}
		got := first[1]
		if first[0].Committee != "cotech" || got.Committee != "copil" || got.Minutes != copil.Minutes || !slices.Equal(got.Agenda, copil.Agenda) ||
			got.Status != model.MeetingHeld || got.Convention != c.Slug {
			t.Errorf("réunion importée : %+v", got)
		}
		var who []string
		for _, x := range got.Attendance {
			who = append(who, x.Organization+x.Guest)
		}
		if !slices.Equal(who, []string{"limans", "caf04", "Personne ressource"}) || got.Attendance[1].RepresentedBy != "Adjointe" {
			t.Errorf("présences dans l'ordre du fichier : %v", who)
		}
		if len(got.Decisions) != 2 || got.Decisions[0].ObjectKey != "2.2/1" || len(got.Decisions[0].Actions) != 2 ||
			got.Decisions[0].Actions[0].Text != "Z en premier" || *got.Decisions[0].Actions[0].DueOn != due || got.Decisions[0].Actions[1].Person != "Mme Roux" ||
			got.Decisions[1].ObjectKind != model.DecisionOnRenewal {
			t.Errorf("décisions importées : %+v", got.Decisions)
		}

		// Again, without the COTECH: the COPIL keeps its id, its rows are the file's.
		copil.Decisions = copil.Decisions[:1]
		if _, err := s.ImportConvention(ctx, c, &Life{Meetings: []model.Meeting{copil}}, true, entry); err != nil {
			t.Fatal(err)
		}
		again, err := s.Meetings(ctx, c.Slug)
		if err != nil || len(again) != 1 || again[0].ID != got.ID || len(again[0].Decisions) != 1 || len(again[0].Attendance) != 3 {
			t.Fatalf("réimport : %v %+v", err, again)
		}
		// A file without meetings leaves them as recorded.
		if _, err := s.ImportConvention(ctx, c, &Life{}, true, entry); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Count(ctx); n["meetings"] != 1 || n["meeting_actions"] != 2 || n["meeting_attendance"] != 3 {
			t.Errorf("comptes après un import sans réunions : %v", n)
		}
	})
}
