package store

import (
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestAssessmentsAreSavedAtTheirVersion(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		entry := model.AuditEntry{Convention: "ctg-a", Actor: "Coordinatrice", Action: "create", ObjectType: "assessment"}
		x := &model.Assessment{Convention: "ctg-a", Fiche: "2.2", Year: 2024, Text: "Démarche lancée.", Author: "Coordinatrice"}
		if err := s.SaveAssessment(ctx, x, entry); err != nil {
			t.Fatal(err)
		}
		twin := &model.Assessment{Convention: "ctg-a", Fiche: "2.2", Year: 2024, Text: "Autre texte"}
		if err := s.SaveAssessment(ctx, twin, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("seconde appréciation 2024 de la fiche 2.2 : %v, ErrStale attendu", err)
		}
		stale := *x
		x.Text = "Démarche lancée : 262 personnes contactées."
		if err := s.SaveAssessment(ctx, x, entry); err != nil || x.Version != 2 {
			t.Fatalf("correction : %v, version %d", err, x.Version)
		}
		stale.Text = "Écrasement"
		if err := s.SaveAssessment(ctx, &stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("correction d'une version périmée : %v", err)
		}
		other := &model.Assessment{Convention: "ctg-a", Fiche: "1.1", Year: 2023, Text: "Poste pourvu."}
		if err := s.SaveAssessment(ctx, other, entry); err != nil {
			t.Fatal(err)
		}
		got, err := s.Assessments(ctx, "ctg-a", 2024)
		if err != nil || len(got) != 1 || got[0].Text != x.Text || got[0].Author != "Coordinatrice" || got[0].Version != 2 {
			t.Errorf("appréciations 2024 : %+v %v", got, err)
		}
		if all, _ := s.Assessments(ctx, "ctg-a", 0); len(all) != 2 || all[0].Fiche != "1.1" {
			t.Errorf("toutes les appréciations : %+v", all)
		}
		if _, err := s.Assessment(ctx, "ctg-a", "3.1", 2024); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("appréciation absente : %v", err)
		}
		hist, _ := s.History(ctx, "ctg-a", []string{x.ID}, 10)
		if len(hist) != 2 {
			t.Errorf("historique : %d entrées, 2 attendues", len(hist))
		}
	})
}
