package store

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestDocumentsAreStoredWholeListedAndRemovedWithTheirHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		// Every byte value, NUL included, comes back as stored.
		content := make([]byte, 3*256)
		for i := range content {
			content[i] = byte(i)
		}
		entry := model.AuditEntry{Convention: "ctg-a", Actor: "Coordinatrice", Action: "attach", ObjectType: "document"}
		d := &model.Document{Convention: "ctg-a", OwnerKind: model.OwnerAuthorization, OwnerKey: "limans", Name: "délibération.pdf",
			ContentType: "application/pdf", Size: int64(len(content)), SHA256: "ab12", Title: "Délibération du 13 décembre 2022",
			UploadedBy: "Coordinatrice"}
		if err := s.InsertDocument(ctx, d, content, entry); err != nil {
			t.Fatal(err)
		}
		other := &model.Document{Convention: "ctg-a", OwnerKind: model.OwnerConvention, Name: "original.pdf", ContentType: "application/pdf",
			Size: 5, SHA256: "cd34", UploadedBy: "Coordinatrice"}
		if err := s.InsertDocument(ctx, other, []byte("%PDF-"), entry); err != nil {
			t.Fatal(err)
		}
		elsewhere := &model.Document{Convention: "ctg-b", OwnerKind: model.OwnerConvention, Name: "autre.pdf", ContentType: "application/pdf",
			Size: 5, SHA256: "ef56"}
		if err := s.InsertDocument(ctx, elsewhere, []byte("%PDF-"), entry); err != nil {
			t.Fatal(err)
		}
		list, err := s.Documents(ctx, "ctg-a")
		if err != nil || len(list) != 2 {
			t.Fatalf("documents de ctg-a : %+v %v", list, err)
		}
		got := list[0]
		if got.OwnerKind != model.OwnerAuthorization || got.OwnerKey != "limans" || got.Name != "délibération.pdf" || got.Size != int64(len(content)) ||
			got.SHA256 != "ab12" || got.Title != d.Title || got.UploadedBy != "Coordinatrice" || !got.UploadedAt.Equal(d.UploadedAt) {
			t.Errorf("document relu : %+v, écrit %+v", got, d)
		}
		meta, data, err := s.Document(ctx, "ctg-a", d.ID)
		if err != nil || !bytes.Equal(data, content) || meta.SHA256 != "ab12" || meta.ContentType != "application/pdf" {
			t.Errorf("contenu relu : %d octet(s), %+v %v", len(data), meta, err)
		}
		if _, _, err := s.Document(ctx, "ctg-b", d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("document lu depuis une autre convention : %v", err)
		}
		if err := s.DeleteDocument(ctx, "ctg-b", d.ID, entry); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("suppression depuis une autre convention : %v", err)
		}
		entry.Action = "detach"
		if err := s.DeleteDocument(ctx, "ctg-a", d.ID, entry); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Document(ctx, "ctg-a", d.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("document supprimé encore lu : %v", err)
		}
		if list, _ := s.Documents(ctx, "ctg-a"); len(list) != 1 || list[0].ID != other.ID {
			t.Errorf("après suppression : %+v", list)
		}
		hist, _ := s.History(ctx, "ctg-a", []string{d.ID}, 10)
		if len(hist) != 2 || hist[0].Action != "detach" || hist[1].Action != "attach" {
			t.Errorf("historique du document : %+v", hist)
		}
	})
}
