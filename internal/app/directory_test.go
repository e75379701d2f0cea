package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/newconv"
)

func newconvOrg(name string) newconv.Org { return newconv.Org{Name: name} }

const caf04Name = "Caisse d’Allocations Familiales des Alpes de Haute-Provence"

// The adviser of a Caf, editor through her organization, starts a
// convention for another intercommunality: the wizard proposes her Caf,
// the new convention is party-linked to it, and she reads it with the
// bundled one; an adviser who only reads, and the adviser of another
// Caf, may not create one, and the latter reads neither.
func TestAdviserCreatesAConventionOfHerCaf(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root := &auth.Actor{PlatformAdmin: true}
		if _, err := svc.AddDirectoryEntry(ctx, root, model.DirectoryEntry{Kind: model.KindCaf, Name: "Caisse d'Allocations Familiales des Hautes-Alpes"}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ email, org string }{{"conseillere@caf04.fr", caf04Name}, {"lectrice@caf04.fr", caf04Name},
			{"conseiller@caf05.fr", "Caisse d'Allocations Familiales des Hautes-Alpes"}} {
			if _, err := svc.AddUser(ctx, app.NewUser{Email: u.email, Name: "Conseil", Password: "une phrase de passe assez longue"}); err != nil {
				t.Fatal(err)
			}
			role := auth.RoleEditor
			if u.email == "lectrice@caf04.fr" {
				role = auth.RoleReader
			}
			if err := svc.SetAccountOrganization(ctx, root, u.email, u.org, role); err != nil {
				t.Fatal(err)
			}
		}
		actor := func(email string) *auth.Actor {
			a, err := svc.ActorByEmail(ctx, email)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		adviser := actor("conseillere@caf04.fr")
		if !app.CanCreateConvention(adviser) || app.CanCreateConvention(actor("lectrice@caf04.fr")) {
			t.Fatal("seul·e un·e éditeur·rice ou administrateur·rice d'une Caf crée une convention")
		}
		// Provence-Alpes-Agglomération, the Digne intercommunality.
		p, err := svc.ProposeConvention(ctx, adviser, "200067437")
		if err != nil {
			t.Fatal(err)
		}
		if p.Input.Caf.Name != caf04Name || p.Input.Caf.ShortName != "la Caf" {
			t.Errorf("Caf proposée : %+v", p.Input.Caf)
		}
		// The MSA that signs the other convention of the département.
		if p.Input.MSA.Name != "Mutualité Sociale Agricole Alpes Vaucluse" {
			t.Errorf("MSA proposée : %+v", p.Input.MSA)
		}
		// Elsewhere, no MSA of the directory signs: none is proposed.
		if q, err := svc.ProposeConvention(ctx, adviser, "200067213"); err != nil || q.Input.MSA.Name != "" {
			t.Errorf("MSA proposée hors du département : %+v %v", q.Input.MSA, err)
		}
		// Not in another Caf's name.
		other05 := newconvOrg("Caisse d'Allocations Familiales des Hautes-Alpes")
		if _, err := svc.NewConvention(ctx, adviser, app.NewConventionInput{EPCI: "200067437", Caf: other05}); !strings.Contains(fieldErrors(err)["caf.name"], "n'est pas partie") {
			t.Errorf("convention au nom d'une autre Caf : %v", err)
		}
		c, err := svc.NewConvention(ctx, adviser, app.NewConventionInput{EPCI: "200067437", Caf: p.Input.Caf})
		if err != nil {
			t.Fatal(err)
		}
		adviser = actor("conseillere@caf04.fr")
		if m := adviser.Memberships[c.Slug]; m.Role != auth.RoleAdmin || !adviser.CanRead("ctg-forcalquier-2022") {
			t.Errorf("la créatrice administre sa convention et lit celles de sa Caf : %+v", adviser.Memberships)
		}
		if a := actor("lectrice@caf04.fr"); !a.CanRead(c.Slug) || a.Memberships[c.Slug].Organization != "caf" {
			t.Errorf("la lectrice de la Caf lit la nouvelle convention par son organisation : %+v", a.Memberships)
		}
		entries, err := svc.DirectoryEntries(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Name == caf04Name && !slices.Equal(e.Parties, []string{"ctg-forcalquier-2022", c.Slug}) {
				t.Errorf("la Caf 04 est partie à %v", e.Parties)
			}
		}
		other := actor("conseiller@caf05.fr")
		if other.CanRead(c.Slug) || other.CanRead("ctg-forcalquier-2022") {
			t.Errorf("le conseiller d'une autre Caf lit : %+v", other.Memberships)
		}
		if _, err := svc.NewConvention(ctx, actor("lectrice@caf04.fr"), app.NewConventionInput{EPCI: "240400440", Caf: p.Input.Caf}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("lectrice : %v", err)
		}
	})
}

// The account of an organization of the directory, waiting for its
// invitation, is the platform's to hand links for: a convention's
// administrator who gives it access there gets no link that would open
// the organization's role, and cannot make one; a link made before the
// account joined its organization no longer serves.
func TestAConventionAdminTakesNoOrganizationAccount(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root := &auth.Actor{PlatformAdmin: true}
		if _, err := svc.AddUser(ctx, app.NewUser{Email: "admin@forcalquier.fr", Name: "Admin", Password: "une phrase de passe assez longue"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Grant(ctx, auth.System, "admin@forcalquier.fr", auth.Membership{Convention: "ctg-forcalquier-2022", Role: auth.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		admin, err := svc.ActorByEmail(ctx, "admin@forcalquier.fr")
		if err != nil {
			t.Fatal(err)
		}
		// A person the convention's administrator invited first.
		res, err := svc.Invite(ctx, admin, "claire@caf04.fr", auth.Membership{Convention: "ctg-forcalquier-2022", Role: auth.RoleReader})
		if err != nil || res.Link == nil {
			t.Fatalf("invitation : %+v %v", res, err)
		}
		first := res.Link.Token
		if _, err := svc.CreateAccount(ctx, root, app.NewAccount{Email: "victime@caf04.fr", Directory: caf04Name, OrganizationRole: auth.RoleEditor}); err != nil {
			t.Fatal(err)
		}
		res, err = svc.Invite(ctx, admin, "victime@caf04.fr", auth.Membership{Convention: "ctg-forcalquier-2022", Role: auth.RoleReader})
		if err != nil || res.Link != nil {
			t.Errorf("invitation d'un compte d'organisation par l'administrateur d'une convention : lien %v, %v", res.Link, err)
		}
		if _, err := svc.NewLink(ctx, admin, "victime@caf04.fr", "ctg-forcalquier-2022"); fieldErrors(err)["email"] == "" {
			t.Errorf("nouveau lien pour un compte d'organisation : %v", err)
		}
		// Claire joins her Caf since: her first link no longer opens.
		if err := svc.SetAccountOrganization(ctx, root, "claire@caf04.fr", caf04Name, auth.RoleEditor); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.OpenLink(ctx, first, auth.LinkInvitation); err == nil {
			t.Error("le lien d'avant l'organisation ouvre encore le compte")
		}
	})
}
