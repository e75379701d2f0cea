package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

const (
	slug       = examples.ForcalquierSlug
	goodSecret = "une phrase de passe assez longue"
)

// conventionAdmin creates an administrator of the bundled convention.
func conventionAdmin(t *testing.T, svc *app.Service, email string) *auth.Actor {
	t.Helper()
	ctx := context.Background()
	if _, err := svc.AddUser(ctx, app.NewUser{Email: email, Name: "Coordinatrice", Password: goodSecret}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, email, auth.Membership{Convention: slug, Role: auth.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.ActorByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func linkError(t *testing.T, err error, gone bool, want string) {
	t.Helper()
	var le *app.LinkError
	if !errors.As(err, &le) || le.Gone != gone || !strings.Contains(le.Message, want) {
		t.Errorf("erreur %v, « %s » attendu", err, want)
	}
}

func TestInvitationCreatesAWaitingAccountUsableOnce(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	coord := conventionAdmin(t, svc, "coord@exemple.fr")

	res, err := svc.Invite(ctx, coord, " Directrice@Exemple.fr ", auth.Membership{Convention: slug, Role: auth.RoleContributor, Organization: "cordeliere"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.NewAccount || res.Link == nil || res.Email != "directrice@exemple.fr" || !res.Link.ExpiresAt.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("invitation : %+v", res)
	}
	if _, _, err := svc.SignIn(ctx, "directrice@exemple.fr", "", "127.0.0.1"); !errors.Is(err, app.ErrBadCredentials) {
		t.Errorf("un compte invité s'ouvre avant l'activation : %v", err)
	}
	info, err := svc.OpenLink(ctx, res.Link.Token, auth.LinkInvitation)
	if err != nil || info.Email != "directrice@exemple.fr" || !strings.Contains(info.ConventionTitle, "Forcalquier") {
		t.Fatalf("page de l'invitation : %+v %v", info, err)
	}
	if _, err := svc.OpenLink(ctx, res.Link.Token, auth.LinkReset); err == nil {
		t.Error("un lien d'invitation sert de lien de réinitialisation")
	}
	in := app.LinkUseInput{Token: res.Link.Token, Name: "", Password: "123456789012", Confirm: "autre"}
	_, _, err = svc.UseLink(ctx, auth.LinkInvitation, in)
	var ve *model.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 2 || ve.Errors[0].Path != "name" || ve.Errors[1].Path != "password" {
		t.Errorf("nom vide et mot de passe trivial : %v", err)
	}
	in = app.LinkUseInput{Token: res.Link.Token, Name: "Directrice", Password: goodSecret, Confirm: goodSecret}
	token, _, err := svc.UseLink(ctx, auth.LinkInvitation, in)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := svc.ActorForSession(ctx, token)
	if err != nil || a.Name != "Directrice" || a.Memberships[slug].Organization != "cordeliere" {
		t.Fatalf("session après l'invitation : %+v %v", a, err)
	}
	if _, _, err := svc.SignIn(ctx, "directrice@exemple.fr", goodSecret, "127.0.0.1"); err != nil {
		t.Errorf("le mot de passe choisi n'ouvre pas de session : %v", err)
	}
	_, _, err = svc.UseLink(ctx, auth.LinkInvitation, app.LinkUseInput{Token: res.Link.Token, Name: "Intrus", Password: "une autre phrase bien longue", Confirm: "une autre phrase bien longue"})
	linkError(t, err, true, "a déjà servi")
	if a, _ := svc.ActorByEmail(ctx, "directrice@exemple.fr"); a.Name != "Directrice" {
		t.Errorf("un lien réutilisé a changé le compte : %s", a.Name)
	}

	// An active account receives the role directly, without link.
	res, err = svc.Invite(ctx, coord, "directrice@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader})
	if err != nil || res.Link != nil || res.NewAccount {
		t.Errorf("invitation d'un compte actif : %+v %v", res, err)
	}

	// An expired invitation says so; a renewed one replaces it.
	late, err := svc.Invite(ctx, coord, "retard@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(7*24*time.Hour + time.Second)
	_, err = svc.OpenLink(ctx, late.Link.Token, auth.LinkInvitation)
	linkError(t, err, true, "a expiré")
	renewed, err := svc.Invite(ctx, coord, "retard@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader})
	if err != nil || renewed.Link == nil || renewed.NewAccount {
		t.Fatalf("nouvelle invitation : %+v %v", renewed, err)
	}
	_, err = svc.OpenLink(ctx, late.Link.Token, auth.LinkInvitation)
	linkError(t, err, false, "n'est pas valable")
	_, err = svc.OpenLink(ctx, "n-importe-quoi", auth.LinkInvitation)
	linkError(t, err, false, "copié en entier")

	// Nothing secret in the history.
	entries, _ := st.History(ctx, "", nil, 1000)
	conv, _ := st.History(ctx, slug, nil, 1000)
	all, _ := json.Marshal(append(entries, conv...))
	for _, secret := range []string{late.Link.Token, renewed.Link.Token, goodSecret} {
		if strings.Contains(string(all), secret) {
			t.Errorf("secret %q dans l'historique", secret)
		}
	}
	for _, want := range []string{`"invite"`, `"invitation_accept"`, `"organization_name":"Centre socioculturel La Cordelière"`} {
		if !strings.Contains(string(all), want) {
			t.Errorf("%s absent de l'historique", want)
		}
	}
}

func TestResetLinkSetsAPasswordOnceAndEndsSessions(t *testing.T) {
	svc, _ := apptest.NewWithStore(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	svc.SetClock(func() time.Time { return now })
	coord := conventionAdmin(t, svc, "coord@exemple.fr")
	if _, err := svc.AddUser(ctx, app.NewUser{Email: "membre@exemple.fr", Name: "Membre", Password: goodSecret}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "membre@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	old, _, err := svc.SignIn(ctx, "membre@exemple.fr", goodSecret, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	// The account is active: only the platform chooses its password again.
	var refused *model.ValidationError
	if _, err := svc.NewLink(ctx, coord, "membre@exemple.fr", slug); !errors.As(err, &refused) {
		t.Errorf("lien de réinitialisation par l'administrateur·rice de la convention : %v", err)
	}
	l, err := svc.NewLink(ctx, auth.System, "membre@exemple.fr", "")
	if err != nil || l.Purpose != auth.LinkReset || !l.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("lien de réinitialisation : %+v %v", l, err)
	}
	const fresh = "une toute nouvelle phrase de passe"
	token, _, err := svc.UseLink(ctx, auth.LinkReset, app.LinkUseInput{Token: l.Token, Password: fresh, Confirm: fresh})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.ActorForSession(ctx, old); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("l'ancienne session reste ouverte : %v", err)
	}
	if _, _, err := svc.ActorForSession(ctx, token); err != nil {
		t.Errorf("pas de session après la réinitialisation : %v", err)
	}
	if _, _, err := svc.SignIn(ctx, "membre@exemple.fr", fresh, "127.0.0.2"); err != nil {
		t.Errorf("nouveau mot de passe refusé : %v", err)
	}
	_, _, err = svc.UseLink(ctx, auth.LinkReset, app.LinkUseInput{Token: l.Token, Password: fresh + " bis", Confirm: fresh + " bis"})
	linkError(t, err, true, "a déjà servi")

	l, _ = svc.NewLink(ctx, auth.System, "membre@exemple.fr", "")
	now = now.Add(time.Hour)
	_, _, err = svc.UseLink(ctx, auth.LinkReset, app.LinkUseInput{Token: l.Token, Password: fresh + " ter", Confirm: fresh + " ter"})
	linkError(t, err, true, "a expiré")

	// A convention's administrator cannot open an account that reaches
	// further than their convention, nor act without a convention.
	if err := svc.Grant(ctx, auth.System, "membre@exemple.fr", auth.Membership{Convention: "ailleurs", Role: auth.RoleReader}); err == nil {
		t.Fatal("accès à une convention inexistante")
	}
	if _, err := svc.AddUser(ctx, app.NewUser{Email: "chef@exemple.fr", Name: "Chef", Password: goodSecret, PlatformAdmin: true}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "chef@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader}); err != nil {
		t.Fatal(err)
	}
	var ve *model.ValidationError
	if _, err := svc.NewLink(ctx, coord, "chef@exemple.fr", slug); !errors.As(err, &ve) || !strings.Contains(ve.Errors[0].Message, "seul·e un·e administrateur·rice de la plateforme") {
		t.Errorf("lien pour un·e administrateur·rice de la plateforme : %v", err)
	}
	if _, err := svc.NewLink(ctx, coord, "membre@exemple.fr", ""); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("lien hors convention par un·e administrateur·rice de convention : %v", err)
	}
	editor, _ := svc.ActorByEmail(ctx, "membre@exemple.fr")
	if _, err := svc.NewLink(ctx, editor, "coord@exemple.fr", slug); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("lien créé par un·e éditeur·rice : %v", err)
	}
}

func TestAccountPageNamesConventionsAndOrganizations(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	if _, err := svc.AddUser(ctx, app.NewUser{Email: "c@exemple.fr", Name: "Contributrice", Password: goodSecret}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, "c@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleContributor, Organization: "caf04"}); err != nil {
		t.Fatal(err)
	}
	a, _ := svc.ActorByEmail(ctx, "c@exemple.fr")
	list, err := svc.MyAccess(ctx, a)
	if err != nil || len(list) != 1 || list[0].Organization == "caf04" || !strings.Contains(list[0].Organization, "Caisse") || list[0].Title == slug {
		t.Errorf("accès : %+v %v", list, err)
	}
}
