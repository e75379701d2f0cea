package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

func TestAccountLinksAreSingleUse(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		u := &auth.User{Email: "invite@exemple.fr", Disabled: true, InvitationPending: true}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		first, err := s.CreateAccountLink(ctx, u.ID, auth.LinkInvitation, "ctg", now.Add(7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.CreateAccountLink(ctx, u.ID, auth.LinkInvitation, "ctg", now.Add(7*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AccountLink(ctx, first); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("l'ancien lien reste valable après un nouveau : %v", err)
		}
		l, got, err := s.AccountLink(ctx, second)
		if err != nil || l.Purpose != auth.LinkInvitation || l.Convention != "ctg" || !got.InvitationPending || !got.Disabled || l.UsedAt != nil {
			t.Fatalf("lien %+v, compte %+v, %v", l, got, err)
		}
		var stored int
		if err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM account_links WHERE token_hash = ?`), second).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("le jeton est stocké en clair (%d, %v)", stored, err)
		}
		if err := s.UseAccountLink(ctx, l.ID, u.ID, LinkUse{PasswordHash: "h", Name: "Invitée", Activate: true}); err != nil {
			t.Fatal(err)
		}
		if err := s.UseAccountLink(ctx, l.ID, u.ID, LinkUse{PasswordHash: "autre"}); !errors.Is(err, model.ErrConflict) {
			t.Errorf("lien réutilisé : %v", err)
		}
		got, _ = s.UserByEmail(ctx, u.Email)
		if got.Name != "Invitée" || got.PasswordHash != "h" || got.Disabled || got.InvitationPending || got.LastSignInAt != nil {
			t.Errorf("compte après activation : %+v", got)
		}
		if l, _, _ := s.AccountLink(ctx, second); l.UsedAt == nil {
			t.Error("lien non marqué utilisé")
		}
		if _, _, err := s.CreateSession(ctx, u.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.UserByEmail(ctx, u.Email); got.LastSignInAt == nil || !got.LastSignInAt.Equal(now) {
			t.Errorf("dernière connexion %v", got.LastSignInAt)
		}
		reset, _ := s.CreateAccountLink(ctx, u.ID, auth.LinkReset, "", now.Add(time.Hour))
		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AccountLink(ctx, reset); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("lien de réinitialisation d'un compte désactivé : %v", err)
		}
	})
}
