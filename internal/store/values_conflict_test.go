package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestValueSaveCollisionsAreConflicts(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		value := func(period string, n float64) *model.Value {
			return &model.Value{Convention: c.Slug, Indicator: "4.1-1", Period: period, Number: &n, State: model.ValueDraft}
		}
		entry := model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "create", ObjectType: "value"}

		// Several people enter the same new value at once: one wins, the
		// others are told it exists.
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.SaveValue(ctx, value("2023", float64(i)), entry)
			}()
		}
		wg.Wait()
		saved := 0
		for _, err := range errs {
			switch {
			case err == nil:
				saved++
			case !errors.Is(err, model.ErrConflict):
				t.Errorf("saisie simultanée : %v, conflit attendu", err)
			}
		}
		if saved != 1 {
			t.Fatalf("%d saisie(s) enregistrée(s), 1 attendue", saved)
		}

		// A correction moving a value onto a period that has one.
		other := value("2024", 1)
		if err := s.SaveValue(ctx, other, entry); err != nil {
			t.Fatal(err)
		}
		moved := *other
		moved.Period = "2023"
		if err := s.SaveValue(ctx, &moved, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("correction sur une période occupée : %v, conflit attendu", err)
		}

		// A correction made on a version that has changed since.
		first := *other
		if err := s.SaveValue(ctx, &first, entry); err != nil {
			t.Fatal(err)
		}
		late := *other
		if err := s.SaveValue(ctx, &late, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("correction sur une version périmée : %v, ErrStale attendu", err)
		}
	})
}

// A real value replaces a synthetic one of the same period in one
// transaction, with a history entry for each; it never deletes a real one.
func TestWriteValuesReplacesSyntheticOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		n := 7.0
		demo := []model.Value{{Convention: c.Slug, Indicator: "4.1-1", Period: "2023", Number: &n, State: model.ValueValidated, Synthetic: true}}
		if _, err := s.InsertValues(ctx, demo, model.AuditEntry{Convention: c.Slug, Action: "demo"}); err != nil {
			t.Fatal(err)
		}
		synthetic, _ := s.Values(ctx, c.Slug, "4.1-1")
		real := 12.0
		w := ValueWrite{Value: &model.Value{Convention: c.Slug, Indicator: "4.1-1", Period: "2023", Number: &real, State: model.ValueDraft},
			Entry:    model.AuditEntry{Convention: c.Slug, Action: "create", ObjectType: "value", ObjectLabel: "réelle"},
			Replaces: synthetic[0].ID, Removal: model.AuditEntry{Convention: c.Slug, Action: "delete", ObjectType: "value", ObjectLabel: "fictive"}}
		if err := s.WriteValues(ctx, []ValueWrite{w}); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Values(ctx, c.Slug, "4.1-1")
		if len(after) != 1 || after[0].Synthetic || *after[0].Number != 12 {
			t.Fatalf("après remplacement : %+v", after)
		}
		hist, _ := s.History(ctx, c.Slug, []string{synthetic[0].ID, after[0].ID}, 10)
		if len(hist) != 2 {
			t.Errorf("historique : %+v, la suppression de la fictive et l'ajout de la réelle attendus", hist)
		}
		// Naming a real value as replaced deletes nothing: the new value
		// collides with it and nothing is written.
		counts, _ := s.Count(ctx)
		other := 3.0
		w2 := ValueWrite{Value: &model.Value{Convention: c.Slug, Indicator: "4.1-1", Period: "2023", Number: &other, State: model.ValueDraft},
			Entry: w.Entry, Replaces: after[0].ID, Removal: w.Removal}
		if err := s.WriteValues(ctx, []ValueWrite{w2}); !errors.Is(err, model.ErrConflict) {
			t.Errorf("remplacement d'une valeur réelle : %v, conflit attendu", err)
		}
		if again, _ := s.Count(ctx); again["indicator_values"] != counts["indicator_values"] || again["audit_log"] != counts["audit_log"] {
			t.Errorf("des lignes ont changé : %v → %v", counts, again)
		}
	})
}
