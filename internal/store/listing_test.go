package store

import (
	"context"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// The conventions where something waits whatever the organization are
// those with a real value submitted or a data-exchange request open; a
// synthetic value submitted or a draft is no work for a validator.
func TestConventionsWithWork(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		entry := model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "create", ObjectType: "value"}
		save := func(period string, state model.ValueState, synthetic bool) {
			t.Helper()
			n := 1.0
			if err := s.SaveValue(ctx, &model.Value{Convention: c.Slug, Indicator: "4.1-1", Period: period, Number: &n, State: state, Synthetic: synthetic}, entry); err != nil {
				t.Fatal(err)
			}
		}
		save("2022", model.ValueDraft, false)
		save("2023", model.ValueSubmitted, true)
		if work, err := s.ConventionsWithWork(ctx); err != nil || len(work) != 0 {
			t.Fatalf("brouillon et valeur fictive soumise : %v, %v", work, err)
		}
		save("2024", model.ValueSubmitted, false)
		if work, err := s.ConventionsWithWork(ctx); err != nil || !work[c.Slug] || len(work) != 1 {
			t.Fatalf("valeur soumise : %v, %v", work, err)
		}
		if _, err := s.write.ExecContext(ctx, `DELETE FROM indicator_values`); err != nil {
			t.Fatal(err)
		}
		r := &model.DataRequest{Convention: c.Slug, Requester: "cc-pflm", Holder: "caf04", Title: "Familles", State: model.DataRequestOpinion,
			FiledBy: "Coordinatrice", FiledByUser: "u1", FiledOn: model.MustDate("2024-03-01")}
		if err := s.SaveDataRequest(ctx, r, model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "create", ObjectType: "data-request"}); err != nil {
			t.Fatal(err)
		}
		if work, err := s.ConventionsWithWork(ctx); err != nil || !work[c.Slug] {
			t.Fatalf("demande d'échange en attente de décision : %v, %v", work, err)
		}
		// The list's page and count leave working copies out.
		if n, err := s.CountConventions(ctx, nil); err != nil || n != 1 {
			t.Fatalf("compte : %d, %v", n, err)
		}
		page, err := s.ConventionPageRefs(ctx, []string{c.Slug, "absente"}, 0, 50)
		if err != nil || len(page) != 1 || page[0].Slug != c.Slug || page[0].ID != c.ID {
			t.Fatalf("page : %+v, %v", page, err)
		}
	})
}
