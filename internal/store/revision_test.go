package store

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Every kind of write that changes what a page of a convention shows
// moves its revision, in the write's transaction; reads and writes of
// another convention leave it; a transaction that writes many entries
// for a convention moves it once. Each such write moves the count of changes;
// a read or a write refused leaves it.
func TestEveryConventionWriteMovesItsRevision(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		slug := c.Slug
		entry := model.AuditEntry{Convention: slug, Actor: "Coordinatrice", Action: "update", ObjectType: "test"}
		stored, err := s.CreateConvention(ctx, c, entry)
		if err != nil {
			t.Fatal(err)
		}
		other := forcalquier(t)
		other.Slug = "ctg-autre"
		if _, err := s.CreateConvention(ctx, other, model.AuditEntry{Convention: "ctg-autre", Action: "import"}); err != nil {
			t.Fatal(err)
		}
		revision := func() string {
			t.Helper()
			r, err := s.ConventionRevision(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		number := func(r string) int {
			n, _ := strconv.Atoi(r[strings.LastIndex(r, "/")+1:])
			return n
		}
		n := func(v float64) *float64 { return &v }
		meeting := &model.Meeting{Convention: slug, Committee: "copil", Date: model.MustDate("2024-10-15"), Status: model.MeetingPlanned}
		decision := &model.Decision{Text: "Réviser le calendrier"}
		amendment := &model.Amendment{Convention: slug, Object: "Fiches de l'axe 5"}
		request := &model.DataRequest{Convention: slug, Requester: "cc-pflm", Holder: "caf04", Title: "Familles", State: model.DataRequestFiled,
			FiledOn: model.MustDate("2024-03-01")}
		doc := &model.Document{Convention: slug, OwnerKind: model.OwnerConvention, Name: "original.pdf", ContentType: "application/pdf", Size: 5}
		var contactID string
		var signed *model.Amendment
		writes := []struct {
			name  string
			write func() error
		}{
			{"modification d'un élément (UpdateRecord)", func() error {
				_, err := s.UpdateRecord(ctx, "article", stored.Articles[0].ID, stored.Articles[0].Version, map[string]any{"title": "Objet"}, entry)
				return err
			}},
			{"ajout d'un élément (InsertRecord)", func() (err error) {
				contactID, err = s.InsertRecord(ctx, "contact", stored.ID, map[string]any{"label": "Accueil"}, entry)
				return err
			}},
			{"suppression d'un élément (DeleteRecord)", func() error { return s.DeleteRecord(ctx, "contact", contactID, 1, entry) }},
			{"appréciation (SaveAssessment)", func() error {
				return s.SaveAssessment(ctx, &model.Assessment{Convention: slug, Fiche: "2.2", Year: 2024, Text: "Lancée."}, entry)
			}},
			{"document joint (InsertDocument)", func() error { return s.InsertDocument(ctx, doc, []byte("%PDF-"), entry) }},
			{"document retiré (DeleteDocument)", func() error { return s.DeleteDocument(ctx, slug, doc.ID, entry) }},
			{"réunion (SaveMeeting)", func() error { return s.SaveMeeting(ctx, meeting, entry) }},
			{"présence (SaveAttendance)", func() error {
				return s.SaveAttendance(ctx, slug, &model.Attendance{Meeting: meeting.ID, Organization: "caf04", Status: model.AttendancePresent}, entry)
			}},
			{"décision (SaveDecision)", func() error { decision.Meeting = meeting.ID; return s.SaveDecision(ctx, slug, decision, entry) }},
			{"suite donnée (SaveAction)", func() error {
				return s.SaveAction(ctx, slug, &model.Action{Meeting: meeting.ID, Decision: decision.ID, Text: "Proposer", Status: model.FollowUpToDo}, entry)
			}},
			{"demande d'échange de données (SaveDataRequest)", func() error { return s.SaveDataRequest(ctx, request, entry) }},
			{"constat pris en compte (AddAcknowledgement)", func() error {
				return s.AddAcknowledgement(ctx, &model.Acknowledgement{Convention: slug, Key: "k1", Rule: "STEP-UNDATED", Reason: "permanente"}, entry)
			}},
			{"prise en compte annulée (DeleteAcknowledgement)", func() error { return s.DeleteAcknowledgement(ctx, slug, "k1", entry) }},
			{"valeur (SaveValue)", func() error {
				return s.SaveValue(ctx, &model.Value{Convention: slug, Indicator: "4.1-1", Period: "2023", Number: n(3), State: model.ValueDraft}, entry)
			}},
			{"valeurs importées (InsertValues)", func() error {
				_, err := s.InsertValues(ctx, []model.Value{{Convention: slug, Indicator: "4.1-1", Period: "2024", Number: n(4), State: model.ValueDraft}}, entry)
				return err
			}},
			{"logo (PutLogo)", func() error {
				return s.PutLogo(ctx, &model.Logo{Convention: slug, Organization: "caf04", Name: "caf.png", ContentType: "image/png", Size: 3}, []byte{1, 2, 3}, entry)
			}},
			{"logo retiré (DeleteLogo)", func() error { return s.DeleteLogo(ctx, slug, "caf04", entry) }},
			{"demande d'événement (SaveEventRequest)", func() error {
				return s.SaveEventRequest(ctx, &model.EventRequest{Convention: slug, Organization: "cordeliere", Financer: "caf04",
					Kind: model.EventInauguration, Title: "Inauguration", ProposedDate: model.MustDate("2025-06-14"),
					Date: model.DatePending, Charter: model.CharterPending}, entry)
			}},
			{"avenant préparé (CreateAmendment)", func() error { return s.CreateAmendment(ctx, amendment, stored, entry) }},
			{"autorisation d'avenant (SaveAmendmentAuthorization)", func() error {
				return s.SaveAmendmentAuthorization(ctx, &model.AmendmentAuthorization{Convention: slug, Number: amendment.Number,
					Organization: "caf04", Body: "Conseil d'administration"}, entry)
			}},
			{"avenant abandonné (AbandonAmendment)", func() error { return s.AbandonAmendment(ctx, amendment, entry) }},
			{"avenant signé (SignAmendment)", func() error {
				signed = &model.Amendment{Convention: slug, Object: "Article 10"}
				if err := s.CreateAmendment(ctx, signed, stored, entry); err != nil {
					return err
				}
				signed.SignedOn, signed.EffectiveOn = ptr(model.MustDate("2023-03-15")), ptr(model.MustDate("2023-04-01"))
				return s.SignAmendment(ctx, signed, []model.ConventionVersion{{Convention: slug, Number: signed.Number,
					EffectiveOn: signed.EffectiveOn, Content: []byte("v")}}, nil, entry, entry)
			}},
			{"avenant entré en vigueur (ApplyAmendment)", func() error {
				_, err := s.ApplyAmendment(ctx, signed, forcalquier(t), entry)
				return err
			}},
			{"historique seul (AppendAudit)", func() error { return s.AppendAudit(ctx, entry) }},
			{"renouvellement (SaveRenewal), la suite étant une autre convention", func() error {
				next := lifecycle.Successor(stored, "ctg-suite", "Suite", stored.Period)
				_, err := s.SaveRenewal(ctx, slug, &model.Renewal{DecidedOn: model.MustDate("2024-10-15"), Successor: "ctg-suite"}, next, entry,
					model.AuditEntry{Convention: "ctg-suite", Action: "renewed-from"})
				return err
			}},
			{"résiliation (SaveTermination)", func() error {
				return s.SaveTermination(ctx, slug, &model.Termination{Mode: model.TerminationMutualConsent, Sender: "caf04",
					LetterOn: model.MustDate("2024-03-12"), ReceivedOn: model.MustDate("2024-03-15"), EffectiveOn: model.MustDate("2024-04-15")}, entry)
			}},
			{"import par-dessus (ImportConvention)", func() error {
				_, err := s.ImportConvention(ctx, forcalquier(t), &Life{}, true, entry)
				return err
			}},
			{"remplacement (ReplaceConvention)", func() error { _, err := s.ReplaceConvention(ctx, forcalquier(t), entry); return err }},
		}
		for _, w := range writes {
			before, others := revision(), must(s.ConventionRevision(ctx, "ctg-autre"))
			if _, err := s.Convention(ctx, slug); err != nil {
				t.Fatal(err)
			}
			if r := revision(); r != before {
				t.Fatalf("une lecture change la révision : %s puis %s", before, r)
			}
			changes := must(s.Changes(ctx))
			if err := w.write(); err != nil {
				t.Fatalf("%s : %v", w.name, err)
			}
			if got := must(s.Changes(ctx)); got <= changes {
				t.Errorf("%s : compte des changements inchangé (%d)", w.name, got)
			}
			if r := revision(); r == before {
				t.Errorf("%s : révision inchangée (%s)", w.name, r)
			}
			if r := must(s.ConventionRevision(ctx, "ctg-autre")); r != others {
				t.Errorf("%s : la révision d'une autre convention a changé", w.name)
			}
		}

		// Many values saved in one transaction, each with its entry, move
		// the revision by one.
		before := revision()
		var values []*model.Value
		var entries []model.AuditEntry
		for _, period := range []string{"2020", "2021", "2022"} {
			values = append(values, &model.Value{Convention: slug, Indicator: "4.1-1", Period: period, Number: n(1), State: model.ValueDraft})
			entries = append(entries, entry)
		}
		if err := s.SaveValues(ctx, values, entries); err != nil {
			t.Fatal(err)
		}
		if got := number(revision()) - number(before); got != 1 {
			t.Errorf("trois valeurs en une transaction : révision avancée de %d, 1 attendu", got)
		}

		// A write refused is rolled back with its count.
		changes := must(s.Changes(ctx))
		current := must(s.Convention(ctx, slug))
		if _, err := s.UpdateRecord(ctx, "article", current.Articles[0].ID, current.Articles[0].Version+7, map[string]any{"title": "Refusé"}, entry); err == nil {
			t.Fatal("une version périmée est acceptée")
		}
		if got := must(s.Changes(ctx)); got != changes {
			t.Errorf("une écriture refusée avance le compte des changements : %d puis %d", changes, got)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
