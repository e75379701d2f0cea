package cli

import (
	"os"
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

func TestHelpExitsZeroWithTheCommandsOwnFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "aide.db")
	cases := []struct {
		args      []string
		want, not []string
	}{
		{[]string{"serve", "--help"}, []string{"usage : ctg serve", "--addr", "--no-example", "--secrecy"}, []string{"--email", "--replace"}},
		{[]string{"import", "-h"}, []string{"usage : ctg import", "--replace", "--db"}, []string{"--addr"}},
		{[]string{"user", "--help"}, []string{"ctg user add", "ctg user grant", "ctg user tokens"}, nil},
		{[]string{"user", "-h"}, []string{"ctg user revoke"}, nil},
		{[]string{"user", "add", "--db", db, "--help"}, []string{"usage : ctg user add", "--email", "--name", "--password-stdin", "--admin", "--db"},
			[]string{"--convention", "--role", "--revoke", "ctg user grant"}},
		{[]string{"user", "grant", "-h"}, []string{"usage : ctg user grant", "--convention", "--role", "--organization"}, []string{"--admin", "--password-stdin", "--revoke", "--name"}},
		{[]string{"user", "token", "-h"}, []string{"--revoke IDENTIFIANT", "--name NOM_DU_JETON", "--revoke"}, []string{"--role"}},
		{[]string{"convention-pdf", "-h"}, []string{"usage : ctg convention-pdf", "--convention", "texte consolidé", "-o"}, []string{"--year", "--final"}},
	}
	for _, c := range cases {
		code, out, errs := run(t, "", c.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v : code %d, erreurs %q", c.args, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v : %q absent de l'aide", c.args, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(out, n) {
				t.Errorf("%v : l'aide cite %q, qui n'est pas une option de la commande", c.args, n)
			}
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("l'aide a ouvert la base : %v", err)
	}
	for _, args := range [][]string{{"serve", "--inconnue"}, {"user", "inconnue"}, {"user", "add", "--convention", "x"}} {
		if code, out, _ := run(t, "", args...); code != 2 || out != "" {
			t.Errorf("%v : code %d (2 attendu), sortie %q", args, code, out)
		}
	}
}

func TestUserGrantTakesTheOrganizationName(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "une phrase de passe assez longue\n", "user", "add", "--db", db, "--email", "caf@exemple.fr", "--name", "Conseillère", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "user", "grant", "--db", db, "--email", "caf@exemple.fr", "--convention", examples.ForcalquierSlug, "--role", "contributor", "--organization", "La Caf")
	if code != 0 || !strings.Contains(out, "contributeur·rice") {
		t.Errorf("grant par le sigle : %d %q %q", code, out, errs)
	}
}

func TestFlagErrorsAreInFrench(t *testing.T) {
	for msg, want := range map[string]string{
		"flag provided but not defined: -bogus\n":             "option inconnue : -bogus\n",
		"flag needs an argument: -o\n":                        "valeur manquante pour l'option -o\n",
		"invalid value \"abc\" for flag -year: parse error\n": "valeur \"abc\" invalide pour l'option -year\n",
	} {
		if got := flagErrorInFrench(msg); got != want {
			t.Errorf("%q → %q, %q attendu", msg, got, want)
		}
	}
}
