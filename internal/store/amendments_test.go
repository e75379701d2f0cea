package store

import (
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/model"
)

func TestAmendmentIsDraftedSignedAndApplied(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		live := forcalquier(t)
		slug := examples.ForcalquierSlug
		entry := model.AuditEntry{Convention: slug, Actor: "Coordinatrice", Action: "create", ObjectType: "amendment"}
		if _, err := s.CreateConvention(ctx, live, entry); err != nil {
			t.Fatal(err)
		}
		x := &model.Amendment{Convention: slug, Object: "Fiches des axes 5 et 6", CreatedBy: "Coordinatrice"}
		if err := s.CreateAmendment(ctx, x, live, entry); err != nil {
			t.Fatal(err)
		}
		if x.Number != 1 || x.WorkingCopy != slug+"--avenant-1" {
			t.Fatalf("avenant créé : n° %d, copie %q", x.Number, x.WorkingCopy)
		}
		wc, err := s.Convention(ctx, x.WorkingCopy)
		if err != nil || wc.Title != live.Title {
			t.Fatalf("copie de travail : %v", err)
		}
		if err := s.CreateAmendment(ctx, &model.Amendment{Convention: slug, Object: "Autre"}, live, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("second avenant en préparation : %v, ErrConflict attendu", err)
		}
		auth := &model.AmendmentAuthorization{Convention: slug, Number: 1, Organization: "caf04", Body: "Conseil d'administration",
			DecidedOn: ptr(model.MustDate("2023-03-01")), Reference: "2023-12"}
		if err := s.SaveAmendmentAuthorization(ctx, auth, entry); err != nil {
			t.Fatal(err)
		}
		stale := *auth
		auth.PrefectureAcknowledgement = "004-240400440-20230301-12-2023-DE"
		if err := s.SaveAmendmentAuthorization(ctx, auth, entry); err != nil || auth.Version != 2 {
			t.Fatalf("autorisation corrigée : %v, version %d", err, auth.Version)
		}
		if err := s.SaveAmendmentAuthorization(ctx, &stale, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("autorisation périmée : %v", err)
		}

		amended := forcalquier(t)
		amended.Articles[9].Text = "Texte modifié par l'avenant."
		x.SignedOn, x.SignaturePlace, x.EffectiveOn = ptr(model.MustDate("2023-03-15")), "Forcalquier", ptr(model.MustDate("2023-04-01"))
		x.Changes = []byte(`[{"sentence":"L'article 10 est remplacé."}]`)
		versions := []model.ConventionVersion{{Convention: slug, Number: 0, Content: []byte("v0")},
			{Convention: slug, Number: 1, EffectiveOn: x.EffectiveOn, Content: []byte("v1")}}
		if err := s.SignAmendment(ctx, x, versions, nil, entry, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Convention(ctx, slug+"--avenant-1"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("copie de travail après signature : %v", err)
		}
		if due, _ := s.DueAmendments(ctx, slug, model.MustDate("2023-03-31")); len(due) != 0 {
			t.Errorf("avenant dû avant sa date d'effet : %+v", due)
		}
		due, err := s.DueAmendments(ctx, slug, model.MustDate("2023-04-01"))
		if err != nil || len(due) != 1 || string(due[0].Changes) != string(x.Changes) {
			t.Fatalf("avenant dû à sa date d'effet : %+v %v", due, err)
		}
		if done, err := s.ApplyAmendment(ctx, &due[0], amended, entry); err != nil || !done {
			t.Fatalf("application : %v %v", done, err)
		}
		if done, err := s.ApplyAmendment(ctx, &due[0], amended, entry); err != nil || done {
			t.Errorf("seconde application : %v %v", done, err)
		}
		got, _ := s.Convention(ctx, slug)
		if got.Articles[9].Text != "Texte modifié par l'avenant." {
			t.Errorf("article 10 après application : %q", got.Articles[9].Text)
		}
		list, err := s.Amendments(ctx, slug)
		if err != nil || len(list) != 1 || list[0].State != model.AmendmentSigned || list[0].AppliedAt == nil ||
			list[0].SignedOn.String() != "2023-03-15" || len(list[0].Authorizations) != 1 || list[0].Authorizations[0].Reference != "2023-12" {
			t.Fatalf("avenants : %+v %v", list, err)
		}
		vs, err := s.ConventionVersions(ctx, slug)
		if err != nil || len(vs) != 2 || string(vs[1].Content) != "v1" || vs[1].EffectiveOn.String() != "2023-04-01" {
			t.Errorf("versions : %+v %v", vs, err)
		}

		y := &model.Amendment{Convention: slug, Object: "Abandonné"}
		if err := s.CreateAmendment(ctx, y, got, entry); err != nil || y.Number != 2 {
			t.Fatalf("avenant n° 2 : %v %d", err, y.Number)
		}
		if err := s.AbandonAmendment(ctx, y, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Convention(ctx, slug+"--avenant-2"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("copie de travail d'un avenant abandonné : %v", err)
		}
		if err := s.AbandonAmendment(ctx, y, entry); !errors.Is(err, model.ErrStale) {
			t.Errorf("abandon répété : %v", err)
		}
		if z, _ := s.Amendment(ctx, slug, 2); z == nil || z.State != model.AmendmentAbandoned {
			t.Errorf("avenant abandonné : %+v", z)
		}
	})
}

func ptr[T any](v T) *T { return &v }
