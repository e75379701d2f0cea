package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// A platform operator lists the directory, adds a Caf to it and attaches
// an adviser to the example's Caf with a role; an invalid SIREN, a name
// two organizations share and an unknown role are refused.
func TestOrganizationDirectoryFromTheCommandLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "o.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "org", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "caf\tCaisse d’Allocations Familiales des Alpes de Haute-Provence\t\tpartie à 1 convention(s)\t0 compte(s)") ||
		!strings.Contains(out, "epci\tCommunauté de Communes Pays de Forcalquier Montagne de Lure\t240400440\t") {
		t.Fatalf("org list : %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "", "org", "add", "--db", db, "--kind", "caf", "--name", "Caisse d'Allocations Familiales des Hautes-Alpes", "--short-name", "la Caf"); code != 0 || !strings.Contains(out, "ajoutée") {
		t.Errorf("org add : %d %q %q", code, out, errs)
	}
	if code, _, errs := run(t, "", "org", "add", "--db", db, "--kind", "epci", "--name", "CC inconnue", "--siren", "123456789"); code != 1 || !strings.Contains(errs, "SIREN") {
		t.Errorf("SIREN invalide : %d %q", code, errs)
	}
	if code, _, errs := run(t, "une phrase de passe assez longue\n", "user", "add", "--db", db, "--email", "conseillere@caf04.fr", "--name", "Conseillère", "--password-stdin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "", "user", "org", "--db", db, "--email", "conseillere@caf04.fr", "--organization", "la Caf", "--role", "reader"); code != 1 || !strings.Contains(errs, "plusieurs organisations") {
		t.Errorf("nom court partagé par deux Caf : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "user", "org", "--db", db, "--email", "conseillere@caf04.fr", "--organization", "Caisse d'allocations familiales des Alpes de Haute-Provence", "--role", "chef"); code != 1 || !strings.Contains(errs, "rôle") {
		t.Errorf("rôle inconnu : %d %q", code, errs)
	}
	code, out, errs = run(t, "", "user", "org", "--db", db, "--email", "conseillere@caf04.fr", "--organization", "Caisse d'allocations familiales des Alpes de Haute-Provence", "--role", "reader")
	if code != 0 || !strings.Contains(out, "lecteur·rice dans toutes les conventions") {
		t.Fatalf("user org : %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "", "org", "list", "--db", db, "--csv"); code != 0 || !strings.Contains(out, ";1\r\n") || !strings.HasPrefix(out, "\uFEFFidentifiant;type;nom") {
		t.Errorf("org list --csv : %d %q %q", code, out, errs)
	}
}
