package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// TestCalendarFeedTokens checks the life of a feed's secret address: only
// its hash is stored; renewing it stops the old token at once; revoking it
// or disabling the account stops it; each account has one feed per
// convention and one personal feed; each change is in the history.
func TestCalendarFeedTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		u := &auth.User{Email: "coord@exemple.fr", Name: "Coordinatrice"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		entry := func(action string) model.AuditEntry {
			return model.AuditEntry{UserID: u.ID, Actor: u.Email, Action: action, ObjectType: "calendar_feed", ObjectLabel: "Flux"}
		}
		f, token, err := s.SetCalendarFeed(ctx, u.ID, "ctg-forcalquier-2022", entry("calendar_feed_create"))
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		if err := s.read.QueryRowContext(ctx, `SELECT token_hash FROM calendar_feeds`).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored == token || strings.Contains(stored, token) || stored != HashToken(token) {
			t.Errorf("jeton stocké %q : seule son empreinte doit l'être", stored)
		}
		got, owner, err := s.CalendarFeedByToken(ctx, token)
		if err != nil || got.ID != f.ID || got.Convention != "ctg-forcalquier-2022" || owner.ID != u.ID {
			t.Fatalf("flux du jeton = %+v, %+v, %v", got, owner, err)
		}
		if _, _, err := s.SetCalendarFeed(ctx, u.ID, "", entry("calendar_feed_create")); err != nil {
			t.Fatal(err)
		}
		renewed, token2, err := s.SetCalendarFeed(ctx, u.ID, "ctg-forcalquier-2022", entry("calendar_feed_renew"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CalendarFeedByToken(ctx, token); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("ancien jeton encore valable après renouvellement : %v", err)
		}
		if _, _, err := s.CalendarFeedByToken(ctx, token2); err != nil {
			t.Errorf("nouveau jeton refusé : %v", err)
		}
		list, err := s.CalendarFeeds(ctx, u.ID)
		if err != nil || len(list) != 2 || list[0].Convention != "" || list[1].Convention != "ctg-forcalquier-2022" || list[1].LastUsedAt == nil {
			t.Fatalf("flux du compte = %+v, %v", list, err)
		}
		if err := s.DeleteCalendarFeed(ctx, u.ID, renewed.ID, entry("calendar_feed_revoke")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CalendarFeedByToken(ctx, token2); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("jeton révoqué encore valable : %v", err)
		}
		if err := s.DeleteCalendarFeed(ctx, "autre", list[0].ID, entry("calendar_feed_revoke")); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("révocation du flux d'un autre compte : %v", err)
		}
		_, token3, err := s.SetCalendarFeed(ctx, u.ID, "ctg-forcalquier-2022", entry("calendar_feed_create"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CalendarFeedByToken(ctx, token3); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("flux d'un compte désactivé encore servi : %v", err)
		}
		counts, err := s.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts["calendar_feeds"] != 0 {
			t.Errorf("%d flux restent après la désactivation du compte", counts["calendar_feeds"])
		}
		var audited int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'calendar_feed'`).Scan(&audited); err != nil {
			t.Fatal(err)
		}
		if audited != 5 {
			t.Errorf("%d entrées d'historique pour les flux, 5 attendues", audited)
		}
	})
}
