package store

import (
	"context"
	"errors"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// TestActsSurviveAReimportAndReachTheList records a termination and a
// renewal and reads them back from the convention, its successor and
// the list, after the text was imported again.
func TestActsSurviveAReimportAndReachTheList(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		entry := model.AuditEntry{Convention: c.Slug, Actor: "Coordinatrice", Action: "import", ObjectType: "convention"}
		if _, err := s.CreateConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		u := &auth.User{Email: "coord@example.org", Name: "Coordinatrice"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.SetMembership(ctx, u.ID, auth.Membership{Convention: c.Slug, Role: auth.RoleContributor, Organization: "cc-pflm"}); err != nil {
			t.Fatal(err)
		}
		slug, title, period := lifecycle.DefaultSuccessor(c)
		next := lifecycle.Successor(c, slug, title, period)
		r := &model.Renewal{DecidedOn: model.MustDate("2024-10-15"), Acts: "Délibérations d'octobre 2024", Successor: slug, RecordedBy: "Coordinatrice"}
		created, err := s.SaveRenewal(ctx, c.Slug, r, next, entry, model.AuditEntry{Convention: slug, Action: "renewed-from", ObjectType: "convention"})
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == "" || created.Acts.Predecessor != c.Slug || r.ID == "" {
			t.Errorf("suivante : id %q, précédente %q", created.ID, created.Acts.Predecessor)
		}
		// Twice: refused, and the slug already taken writes nothing either.
		again := lifecycle.Successor(c, "autre-suite", title, period)
		if _, err := s.SaveRenewal(ctx, c.Slug, &model.Renewal{DecidedOn: r.DecidedOn}, again, entry, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("second renouvellement : %v", err)
		}
		if _, err := s.Convention(ctx, "autre-suite"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("la convention du renouvellement refusé existe : %v", err)
		}

		term := &model.Termination{Mode: model.TerminationBreach, Sender: "caf04", LetterOn: model.MustDate("2024-03-12"),
			ReceivedOn: model.MustDate("2024-03-15"), EffectiveOn: model.MustDate("2024-04-15"), References: "LRAR 1A", RecordedBy: "Coordinatrice"}
		if err := s.SaveTermination(ctx, c.Slug, term, entry); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveTermination(ctx, c.Slug, &model.Termination{Mode: model.TerminationMutualConsent, LetterOn: term.LetterOn,
			ReceivedOn: term.ReceivedOn, EffectiveOn: term.EffectiveOn}, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("seconde résiliation : %v", err)
		}
		// The successor, terminated, cannot be renewed: checked inside the transaction.
		if err := s.SaveTermination(ctx, slug, &model.Termination{Mode: model.TerminationMutualConsent, Sender: "caf04", LetterOn: term.LetterOn,
			ReceivedOn: term.ReceivedOn, EffectiveOn: term.EffectiveOn}, entry); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRenewal(ctx, slug, &model.Renewal{DecidedOn: r.DecidedOn}, lifecycle.Successor(created, "x-2028", "x", period), entry, entry); !errors.Is(err, model.ErrConflict) {
			t.Errorf("renouvellement d'une convention résiliée : %v", err)
		}

		if _, err := s.ReplaceConvention(ctx, c, entry); err != nil {
			t.Fatal(err)
		}
		got, err := s.Convention(ctx, c.Slug)
		if err != nil {
			t.Fatal(err)
		}
		a := got.Acts
		if a.Renewal == nil || a.Renewal.Successor != slug || a.Renewal.DecidedOn != r.DecidedOn || a.Renewal.Acts != r.Acts {
			t.Errorf("renouvellement relu : %+v", a.Renewal)
		}
		if x := a.Termination; x == nil || x.ID != term.ID || x.Mode != term.Mode || x.Sender != term.Sender || x.LetterOn != term.LetterOn ||
			x.ReceivedOn != term.ReceivedOn || x.EffectiveOn != term.EffectiveOn || x.References != term.References || x.RecordedBy != term.RecordedBy {
			t.Errorf("résiliation relue : %+v, attendu %+v", a.Termination, term)
		}
		succ, err := s.Convention(ctx, slug)
		if err != nil || succ.Acts.Predecessor != c.Slug || succ.Signature.Date != nil || succ.Period != period {
			t.Fatalf("suivante relue : %v %+v", err, succ)
		}
		for _, p := range succ.Parties {
			if p.Authorization != nil && p.Authorization.Date != nil {
				t.Errorf("délibération datée reportée : %+v", p.Authorization)
			}
		}
		if n, m := len(succ.Axes[1].Fiches), len(c.Axes[1].Fiches); n != m || len(succ.Equipments) != len(c.Equipments) {
			t.Errorf("plan reporté : %d fiches, %d attendues", n, m)
		}
		members, err := s.Members(ctx, slug)
		if err != nil || len(members) != 1 || members[0].Role != auth.RoleContributor || members[0].Organization != "cc-pflm" {
			t.Errorf("membres de la suivante : %+v %v", members, err)
		}
		list, err := s.Conventions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bySlug := map[string]model.ConventionSummary{}
		for _, x := range list {
			bySlug[x.Slug] = x
		}
		if x := bySlug[c.Slug].Acts; x.Renewal == nil || x.Termination == nil || x.Termination.EffectiveOn != term.EffectiveOn {
			t.Errorf("actes dans la liste : %+v", x)
		}
		if x := bySlug[slug].Acts; x.Predecessor != c.Slug || x.Renewal != nil || x.Termination == nil {
			t.Errorf("actes de la suivante dans la liste : %+v", x)
		}
	})
}
