package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// TestDataRequestsSurviveAReimport writes a data-exchange request, takes
// it through its study, opinion, decision and implementation at its
// version, and reads every field back after the convention was imported
// again.
func TestDataRequestsSurviveAReimport(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		entry := model.AuditEntry{Convention: c.Slug, Actor: "Coordinatrice", Action: "create", ObjectType: "data-request"}
		if _, err := s.CreateConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		r := &model.DataRequest{Convention: c.Slug, Requester: "cc-pflm", Holder: "caf04", Title: "Familles allocataires",
			DataCategories: "composition du foyer, quotient familial", Purpose: "tarification des accueils", LegalBasis: model.BasisPublicTask,
			Persons: "allocataires ayant des enfants de 3 à 11 ans", Retention: "un an", Recipients: "service enfance",
			Transfers: true, TransferDetail: "hébergeur en Suisse (décision d'adéquation)", Security: "espace d'échange chiffré",
			State: model.DataRequestFiled, FiledBy: "Coordinatrice", FiledByUser: "u1", FiledOn: model.MustDate("2024-03-01")}
		if err := s.SaveDataRequest(ctx, r, entry); err != nil {
			t.Fatal(err)
		}
		study, opinion, decided, done := model.MustDate("2024-03-05"), model.MustDate("2024-03-20"), model.MustDate("2024-04-02"), model.MustDate("2024-05-01")
		r.State, r.StudyOn = model.DataRequestInStudy, &study
		if err := s.SaveDataRequest(ctx, r, entry); err != nil || r.Version != 2 {
			t.Fatalf("étude : %v, version %d", err, r.Version)
		}
		stale := *r
		stale.Version = 1
		if err := s.SaveDataRequest(ctx, &stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("mise à jour sur une version dépassée : %v", err)
		}
		r.State, r.Opportunity, r.Feasibility, r.Compliance = model.DataRequestImplemented, "utile", "faisable", "conforme"
		r.Opinion, r.OpinionText, r.Recommendations, r.OpinionOn, r.OpinionBy = model.OpinionFavorableRecommendation, "Avis", "Pseudonymiser", &opinion, "DPO Caf"
		r.DecidedOn, r.DecidedBy, r.DecisionNote, r.ImplementedOn = &decided, "Directeur", "Accord", &done
		if err := s.SaveDataRequest(ctx, r, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplaceConvention(ctx, forcalquier(t), entry); err != nil {
			t.Fatal(err)
		}
		got, err := s.DataRequest(ctx, c.Slug, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got.CreatedAt, got.UpdatedAt = r.CreatedAt, r.UpdatedAt
		if !reflect.DeepEqual(got, r) {
			t.Errorf("relue après réimport :\n%+v\nau lieu de\n%+v", got, r)
		}
		if list, err := s.DataRequests(ctx, c.Slug); err != nil || len(list) != 1 {
			t.Errorf("liste : %v, %d demande(s)", err, len(list))
		}
		if _, err := s.DataRequest(ctx, "autre-ctg", r.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("demande lue depuis une autre convention : %v", err)
		}
	})
}
