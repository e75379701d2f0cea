package cli

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
)

func TestUserAccessCanBeRevoked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "une phrase de passe assez longue\n", "user", "add", "--db", db, "--email", "coord@exemple.fr", "--name", "Coordinatrice", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "123456789012\n", "user", "password", "--db", db, "--email", "coord@exemple.fr"); code != 1 || !strings.Contains(errs, "trop faible") {
		t.Errorf("mot de passe trivial : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "user", "grant", "--db", db, "--email", "coord@exemple.fr", "--convention", examples.ForcalquierSlug, "--role", "editor"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "user", "token", "--db", db, "--email", "coord@exemple.fr", "--name", "tableur")
	if code != 0 || !strings.HasPrefix(out, "ctg_") || !strings.Contains(errs, "jeton valable jusqu'au") {
		t.Fatalf("token : %d %q %q", code, out, errs)
	}
	code, out, _ = run(t, "", "user", "tokens", "--db", db, "--email", "coord@exemple.fr")
	id := regexp.MustCompile(`^([0-9a-f]{32})\ttableur\texpire le `).FindStringSubmatch(out)
	if code != 0 || id == nil {
		t.Fatalf("tokens : %d %q", code, out)
	}
	if code, out, errs := run(t, "", "user", "token", "--db", db, "--email", "coord@exemple.fr", "--revoke", id[1]); code != 0 || !strings.Contains(out, "révoqué") {
		t.Errorf("token --revoke : %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "", "user", "tokens", "--db", db, "--email", "coord@exemple.fr"); code != 0 || out != "" {
		t.Errorf("jeton révoqué encore listé : %q", out)
	}
	if code, _, errs := run(t, "", "user", "token", "--db", db, "--email", "coord@exemple.fr", "--revoke", id[1]); code != 1 || !strings.Contains(errs, "--revoke") {
		t.Errorf("jeton déjà révoqué : %d %q", code, errs)
	}
	if code, out, errs := run(t, "", "user", "revoke", "--db", db, "--email", "coord@exemple.fr", "--convention", examples.ForcalquierSlug); code != 0 || !strings.Contains(out, "accès à "+examples.ForcalquierSlug+" retiré") {
		t.Errorf("revoke : %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "", "user", "revoke", "--db", db, "--email", "coord@exemple.fr", "--convention", examples.ForcalquierSlug); code != 1 || !strings.Contains(errs, "n'a pas d'accès") {
		t.Errorf("revoke sans accès : %d %q", code, errs)
	}
	if code, out, errs := run(t, "", "user", "disable", "--db", db, "--email", "coord@exemple.fr"); code != 0 || !strings.Contains(out, "désactivé") {
		t.Errorf("disable : %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "", "user", "list", "--db", db); !strings.Contains(out, "coord@exemple.fr\tCoordinatrice (désactivé)") {
		t.Errorf("list après disable : %d %q", code, out)
	}
	if code, out, errs := run(t, "", "user", "enable", "--db", db, "--email", "coord@exemple.fr"); code != 0 || !strings.Contains(out, "réactivé") {
		t.Errorf("enable : %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "", "user", "list", "--db", db); strings.Contains(out, "désactivé") {
		t.Errorf("list après enable : %d %q", code, out)
	}
}
