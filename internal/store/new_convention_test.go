package store

import (
	"context"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// TestImportGivesItsCreatorTheAdminRole: a new convention's creator
// becomes its administrator in the same transaction.
func TestImportGivesItsCreatorTheAdminRole(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		u := &auth.User{Email: "conseillere@caf04.fr", Name: "Conseillère", PasswordHash: "x"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		c := forcalquier(t)
		if _, err := s.ImportConvention(ctx, c, &Life{Admins: []string{u.ID}}, false, model.AuditEntry{Convention: c.Slug, Action: "new-convention"}); err != nil {
			t.Fatal(err)
		}
		a, err := s.Actor(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if m := a.Memberships[c.Slug]; m.Role != auth.RoleAdmin {
			t.Errorf("rôle du créateur : %+v, attendu admin", m)
		}
	})
}
