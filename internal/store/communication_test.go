package store

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// TestCommunicationSurvivesAReimport stores a logo, replaces it, records
// an event request and the financer's answer, and reads them back after
// the convention was imported again.
func TestCommunicationSurvivesAReimport(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		entry := model.AuditEntry{Convention: c.Slug, Actor: "Coordinatrice", Action: "create", ObjectType: "logo"}
		if _, err := s.CreateConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		first := &model.Logo{Convention: c.Slug, Organization: "caf04", Name: "caf.png", ContentType: "image/png", Size: 3, SHA256: "aa",
			Width: 10, Height: 20, UploadedBy: "Coordinatrice"}
		if err := s.PutLogo(ctx, first, []byte{1, 2, 3}, entry); err != nil {
			t.Fatal(err)
		}
		second := &model.Logo{Convention: c.Slug, Organization: "caf04", Name: "caf.svg", ContentType: "image/svg+xml", Size: 4, SHA256: "bb"}
		if err := s.PutLogo(ctx, second, []byte("<svg"), entry); err != nil {
			t.Fatal(err)
		}
		x := &model.EventRequest{Convention: c.Slug, Organization: "cordeliere", Financer: "caf04", Kind: model.EventInauguration,
			Title: "Inauguration de la crèche", SubjectKind: model.SubjectFiche, SubjectKey: "2.2", ProposedDate: model.MustDate("2025-06-14"),
			Place: "Forcalquier", Date: model.DatePending, Charter: model.CharterPending}
		if err := s.SaveEventRequest(ctx, x, entry); err != nil {
			t.Fatal(err)
		}
		other := model.MustDate("2025-06-21")
		x.Date, x.OtherDate, x.Charter, x.CharterConditions = model.DateOther, &other, model.CharterGranted, "Logo en couleur"
		if err := s.SaveEventRequest(ctx, x, entry); err != nil || x.Version != 2 {
			t.Fatalf("réponse : %v, version %d", err, x.Version)
		}
		stale := *x
		stale.Version = 1
		if err := s.SaveEventRequest(ctx, &stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("réponse sur une version dépassée : %v", err)
		}

		if _, err := s.ReplaceConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		logos, err := s.Logos(ctx, c.Slug)
		if err != nil || len(logos) != 1 || logos[0].Name != "caf.svg" || logos[0].ContentType != "image/svg+xml" || !logos[0].UploadedAt.Equal(second.UploadedAt) {
			t.Fatalf("logos relus : %v %+v", err, logos)
		}
		l, content, err := s.Logo(ctx, c.Slug, "caf04")
		if err != nil || !bytes.Equal(content, []byte("<svg")) || l.SHA256 != "bb" {
			t.Errorf("logo relu : %v %+v %q", err, l, content)
		}
		if _, _, err := s.Logo(ctx, "autre", "caf04"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("logo lu par une autre convention : %v", err)
		}
		got, err := s.EventRequest(ctx, c.Slug, x.ID)
		if err != nil || got.Date != model.DateOther || got.OtherDate == nil || *got.OtherDate != other || got.Charter != model.CharterGranted ||
			got.CharterConditions != "Logo en couleur" || got.SubjectKey != "2.2" || got.ProposedDate != x.ProposedDate || got.Financer != "caf04" {
			t.Errorf("demande relue : %v %+v", err, got)
		}
		if _, err := s.EventRequest(ctx, "autre", x.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("demande lue par une autre convention : %v", err)
		}
		if err := s.DeleteLogo(ctx, c.Slug, "caf04", entry); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteLogo(ctx, c.Slug, "caf04", entry); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("logo retiré deux fois : %v", err)
		}
		n, err := s.Count(ctx)
		if err != nil || n["logos"] != 0 || n["event_requests"] != 1 {
			t.Errorf("comptes : %v %v", err, n)
		}
	})
}
