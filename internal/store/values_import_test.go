package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// An import writes its values by batches (more than one) with one audit
// entry that lists them, corrections with their fields before and after,
// and a value's history still finds it; a stale correction or a taken
// period writes nothing at all.
func TestImportValuesBatchesWithOneAuditEntry(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		n := importBatch + 7
		write := func(i int, number float64) ValueWrite {
			v := &model.Value{Convention: c.Slug, Indicator: "4.1-1", Period: "2023", Breakdown: fmt.Sprintf("partner=P%04d", i), Number: &number, State: model.ValueDraft}
			return ValueWrite{Value: v, Entry: model.AuditEntry{Action: "create", ObjectLabel: fmt.Sprintf("valeur %d", i), After: map[string]string{"value": fmt.Sprint(number)}}}
		}
		entry := model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "import-values", ObjectType: "values", ObjectID: c.Slug}
		var writes []ValueWrite
		for i := range n {
			writes = append(writes, write(i, 1))
		}
		revision, _ := s.ConventionRevision(ctx, c.Slug)
		if err := s.ImportValues(ctx, writes, entry); err != nil {
			t.Fatal(err)
		}
		if now, _ := s.ConventionRevision(ctx, c.Slug); now == revision {
			t.Errorf("la révision de la convention n'a pas bougé : %s", now)
		}
		values, _ := s.Values(ctx, c.Slug, "4.1-1")
		if len(values) != n {
			t.Fatalf("%d valeurs enregistrées, %d attendues", len(values), n)
		}
		h, _ := s.History(ctx, c.Slug, nil, 10)
		if len(h) == 0 || h[0].Action != "import-values" || len(h[0].Rows) != n || h[0].Rows[0].ObjectID != writes[0].Value.ID {
			t.Fatalf("journal de l'import : %+v", h[:1])
		}

		// All corrected: the same ids, the next version, the fields before
		// and after in the entry.
		first := writes[0].Value
		created := map[string]model.Meta{}
		for _, v := range values {
			created[v.ID] = v.Meta
		}
		var again []ValueWrite
		for i, v := range values {
			w := write(i, 2)
			w.Value.Breakdown, w.Value.Meta = v.Breakdown, v.Meta
			w.Entry = model.AuditEntry{Action: "update", ObjectLabel: "correction", Before: map[string]string{"value": "1"}, After: map[string]string{"value": "2"}}
			again = append(again, w)
		}
		revision, _ = s.ConventionRevision(ctx, c.Slug)
		if err := s.ImportValues(ctx, again, entry); err != nil {
			t.Fatal(err)
		}
		if now, _ := s.ConventionRevision(ctx, c.Slug); now == revision {
			t.Errorf("la révision n'a pas bougé après les corrections : %s", now)
		}
		if values, _ := s.Values(ctx, c.Slug, "4.1-1"); len(values) != n || *values[n-1].Number != 2 || values[n-1].Version != 2 {
			t.Errorf("après les corrections : %d valeurs, la dernière %+v", len(values), values[len(values)-1])
		}
		got, _ := s.Value(ctx, first.ID)
		if got == nil || *got.Number != 2 || got.Version != 2 || !got.CreatedAt.Equal(created[first.ID].CreatedAt) {
			t.Fatalf("valeur corrigée : %+v", got)
		}
		h, _ = s.History(ctx, c.Slug, []string{first.ID}, 10)
		if len(h) != 2 || h[0].Action != "update" || h[0].Before["value"] != "1" || h[0].After["value"] != "2" || h[1].Action != "create" {
			t.Fatalf("historique de la valeur : %+v", h)
		}

		// A correction made on a version changed since, or a new value on
		// a taken period: nothing is written.
		count := func() int { v, _ := s.Values(ctx, c.Slug, "4.1-1"); return len(v) }
		stale := []ValueWrite{write(n+1, 3), write(0, 3)}
		stale[1].Value.ID, stale[1].Value.Version = first.ID, 1
		if err := s.ImportValues(ctx, stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("correction d'une version dépassée : %v", err)
		}
		taken := []ValueWrite{write(n+2, 3), write(1, 3)}
		if err := s.ImportValues(ctx, taken, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("période déjà prise : %v", err)
		}
		if got := count(); got != n {
			t.Errorf("%d valeurs après deux imports refusés, %d attendues", got, n)
		}
		if h, _ := s.History(ctx, c.Slug, nil, 10); len(h) < 2 || h[1].Action != "import-values" || h[0].Action != "import-values" || len(h[0].Rows) != n {
			t.Errorf("les imports refusés ont écrit au journal : %d entrées", len(h))
		}
	})
}
