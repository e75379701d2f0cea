package store

import (
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestAcknowledgementsAreStoredListedAndRemovedWithTheirHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		entry := model.AuditEntry{Convention: "ctg-a", Actor: "Éditrice", Action: "create", ObjectType: "acknowledgement", ObjectLabel: "Constat pris en compte"}
		ack := &model.Acknowledgement{Convention: "ctg-a", Key: "k1", Rule: "STEP-UNDATED", RecordID: "r1", Path: "axes[0].fiches[0].steps[0].schedule",
			Message: "L'étape 1 n'a pas de date.", Reason: "Étape permanente, sans échéance.", UserID: "u1", By: "Éditrice <e@exemple.fr>"}
		if err := s.AddAcknowledgement(ctx, ack, entry); err != nil {
			t.Fatal(err)
		}
		other := &model.Acknowledgement{Convention: "ctg-b", Key: "k1", Rule: "STEP-UNDATED", Reason: "autre convention", By: "x"}
		otherEntry := entry
		otherEntry.Convention = "ctg-b"
		if err := s.AddAcknowledgement(ctx, other, otherEntry); err != nil {
			t.Fatal(err)
		}
		again := *ack
		if err := s.AddAcknowledgement(ctx, &again, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("deuxième prise en compte : %v, conflit attendu", err)
		}
		list, err := s.Acknowledgements(ctx, "ctg-a")
		if err != nil || len(list) != 1 {
			t.Fatalf("liste : %v, %v", list, err)
		}
		got := list[0]
		if got.Key != "k1" || got.Reason != ack.Reason || got.By != ack.By || got.Path != ack.Path || got.Message != ack.Message ||
			got.RecordID != "r1" || got.UserID != "u1" || got.At.IsZero() {
			t.Errorf("relu : %+v", got)
		}
		if err := s.DeleteAcknowledgement(ctx, "ctg-a", "k1", entry); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAcknowledgement(ctx, "ctg-a", "k1", entry); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("deuxième retrait : %v, introuvable attendu", err)
		}
		if list, _ := s.Acknowledgements(ctx, "ctg-a"); len(list) != 0 {
			t.Errorf("après retrait : %v", list)
		}
		if list, _ := s.Acknowledgements(ctx, "ctg-b"); len(list) != 1 {
			t.Errorf("l'autre convention perd sa prise en compte : %v", list)
		}
		hist, err := s.History(ctx, "ctg-a", nil, 10)
		if err != nil || len(hist) != 2 {
			t.Errorf("historique : %d entrées, %v", len(hist), err)
		}
	})
}
