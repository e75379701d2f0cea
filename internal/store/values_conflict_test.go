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
