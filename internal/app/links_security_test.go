package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// adminOf is the administrator of one convention.
func adminOf(slug, name string) *auth.Actor {
	return &auth.Actor{UserID: name, Name: name, Email: name + "@exemple.fr",
		Memberships: map[string]auth.Membership{slug: {Convention: slug, Role: auth.RoleAdmin}}}
}

// A link handed out by one convention's administrator never opens what
// another convention gave the account meanwhile, and an invitation sent by
// someone else is not replaced.
func TestAccountLinksNeverWidenAccess(t *testing.T) {
	ctx := context.Background()
	svc := apptest.New(t)
	other := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: autre-ctg", 1)
	if _, err := svc.Import(ctx, []byte(other), false); err != nil {
		t.Fatal(err)
	}
	a, b := adminOf(examples.ForcalquierSlug, "admin-a"), adminOf("autre-ctg", "admin-b")
	password := "une phrase de passe assez longue"

	// A invites a person; B gives the waiting account a role in its own
	// convention: A's link no longer opens the account.
	res, err := svc.Invite(ctx, a, "victime@exemple.fr", auth.Membership{Convention: examples.ForcalquierSlug, Role: auth.RoleReader})
	if err != nil || res.Link == nil {
		t.Fatalf("invitation : %+v %v", res, err)
	}
	resB, err := svc.Invite(ctx, b, "victime@exemple.fr", auth.Membership{Convention: "autre-ctg", Role: auth.RoleAdmin})
	if err != nil || resB.Link != nil || !resB.AwaitingOther {
		t.Fatalf("seconde invitation : %+v %v", resB, err)
	}
	_, _, err = svc.UseLink(ctx, auth.LinkInvitation, app.LinkUseInput{Token: res.Link.Token, Name: "Victime", Password: password, Confirm: password})
	var le *app.LinkError
	if !errors.As(err, &le) {
		t.Errorf("le lien de A ouvre un compte administrateur de l'autre convention : %v", err)
	}

	// A convention's administrator cannot choose an active account's password.
	if _, err := svc.AddUser(ctx, app.NewUser{Email: "lecteur@exemple.fr", Name: "Lecteur", Password: password}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Invite(ctx, a, "lecteur@exemple.fr", auth.Membership{Convention: examples.ForcalquierSlug, Role: auth.RoleReader}); err != nil {
		t.Fatal(err)
	}
	var ve *model.ValidationError
	if _, err := svc.NewLink(ctx, a, "lecteur@exemple.fr", examples.ForcalquierSlug); !errors.As(err, &ve) {
		t.Errorf("lien de réinitialisation d'un compte actif par un·e administrateur·rice de convention : %v", err)
	}
	if _, err := svc.NewLink(ctx, auth.System, "lecteur@exemple.fr", ""); err != nil {
		t.Errorf("lien de réinitialisation par la plateforme : %v", err)
	}

	// An invitation the platform sent stays the one that opens the account.
	l0, err := svc.CreateAccount(ctx, auth.System, app.NewAccount{Email: "nouvelle@exemple.fr"})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Invite(ctx, a, "nouvelle@exemple.fr", auth.Membership{Convention: examples.ForcalquierSlug, Role: auth.RoleReader}); err != nil || res.Link != nil {
		t.Errorf("invitation de la plateforme remplacée : %+v %v", res, err)
	}
	if _, err := svc.OpenLink(ctx, l0.Token, auth.LinkInvitation); err != nil {
		t.Errorf("le lien de la plateforme ne sert plus : %v", err)
	}
}
