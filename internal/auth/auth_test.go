package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("un mot de passe solide")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("empreinte = %s", h)
	}
	if err := VerifyPassword(h, "un mot de passe solide"); err != nil {
		t.Errorf("bon mot de passe refusé : %v", err)
	}
	if err := VerifyPassword(h, "un mot de passe faux"); err != ErrBadPassword {
		t.Errorf("mauvais mot de passe : %v", err)
	}
	other, _ := HashPassword("un mot de passe solide")
	if other == h {
		t.Error("même empreinte deux fois : le sel ne varie pas")
	}
	if err := CheckPasswordStrength("court"); err == nil {
		t.Error("mot de passe court accepté")
	}
}

func TestRoles(t *testing.T) {
	member := func(r Role, org string) *Actor {
		return &Actor{Memberships: map[string]Membership{"ctg": {Convention: "ctg", Role: r, Organization: org}}}
	}
	cases := []struct {
		name                   string
		a                      *Actor
		read, editOwn, editAny bool
		admin                  bool
	}{
		{"anonyme", nil, false, false, false, false},
		{"plateforme", &Actor{PlatformAdmin: true}, true, true, true, true},
		{"admin", member(RoleAdmin, ""), true, true, true, true},
		{"éditeur", member(RoleEditor, ""), true, true, true, false},
		{"contributeur", member(RoleContributor, "caf"), true, true, false, false},
		{"contributeur sans organisation", member(RoleContributor, ""), true, false, false, false},
		{"lecteur", member(RoleReader, ""), true, false, false, false},
		{"autre convention", &Actor{Memberships: map[string]Membership{"autre": {Role: RoleAdmin}}}, false, false, false, false},
	}
	for _, c := range cases {
		if got := c.a.CanRead("ctg"); got != c.read {
			t.Errorf("%s : lecture %v", c.name, got)
		}
		if got := c.a.CanEdit("ctg", []string{"caf"}); got != c.editOwn {
			t.Errorf("%s : modifier ce qui est à la Caf %v", c.name, got)
		}
		if got := c.a.CanEdit("ctg", nil); got != c.editAny {
			t.Errorf("%s : modifier ce qui n'a pas de propriétaire %v", c.name, got)
		}
		if got := c.a.CanAdmin("ctg"); got != c.admin {
			t.Errorf("%s : gérer les membres %v", c.name, got)
		}
	}
}

func TestWorkingCopyBelongsToTheConventionsEditors(t *testing.T) {
	const copy = "ctg-a--avenant-1"
	for role, want := range map[Role]bool{RoleAdmin: true, RoleEditor: true, RoleContributor: false, RoleReader: false} {
		a := &Actor{Memberships: map[string]Membership{"ctg-a": {Convention: "ctg-a", Role: role, Organization: "caf"}}}
		if a.CanRead(copy) != want || a.CanEdit(copy, nil) != want {
			t.Errorf("%s de la convention : lecture %v, modification %v de la copie de travail, %v attendu", role, a.CanRead(copy), a.CanEdit(copy, nil), want)
		}
		if a.CanRead("ctg-b--avenant-1") {
			t.Errorf("%s de ctg-a lit la copie de travail d'une autre convention", role)
		}
	}
	if a := (&Actor{Memberships: map[string]Membership{"ctg-a": {Role: RoleAdmin}}}); !a.CanAdmin(copy) {
		t.Error("l'administrateur de la convention n'administre pas sa copie de travail")
	}
}
