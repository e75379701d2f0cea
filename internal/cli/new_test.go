package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNewConventionFileThenDatabase(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "nouvelle.yaml")
	code, stdout, stderr := run(t, "", "new", "--epci", "Limans", "--caf", "Caisse d'allocations familiales des Alpes-de-Haute-Provence",
		"--msa", "MSA Alpes-Vaucluse", "--start", "2027-01-01", "-o", out)
	if code != 0 || strings.TrimSpace(stdout) != "ctg-pays-forcalquier-montagne-lure-2027" {
		t.Fatalf("code %d, sortie %q : %s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "date de signature absente") || !strings.Contains(stderr, "délibération sans date connue (16)") ||
		!strings.Contains(stderr, "du 1er janvier 2027 au 31 décembre 2030") {
		t.Errorf("ce qui reste à compléter : %s", stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), "status: draft") || !strings.Contains(string(data), "name: Commune de Limans") {
		t.Fatalf("fichier : %v\n%.400s", err, data)
	}
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			if code, _, stderr := run(t, "", "import", "--db", db, out); code != 0 {
				t.Fatalf("import du fichier : %s", stderr)
			}
			code, stdout, stderr := run(t, "", "new", "--db", db, "--epci", "240400440", "--caf", "Caf 04", "--without-communes", "--slug", "ctg-pflm-2031", "--start", "2031-01-01")
			if code != 0 || strings.TrimSpace(stdout) != "ctg-pflm-2031" || !strings.Contains(stderr, "2 partie(s)") {
				t.Fatalf("base : code %d %q %s", code, stdout, stderr)
			}
			// The slug is now taken.
			code, _, stderr = run(t, "", "new", "--db", db, "--epci", "240400440", "--caf", "Caf 04", "--slug", "ctg-pflm-2031")
			if code != 1 || !strings.Contains(stderr, "slug : Identifiant : « ctg-pflm-2031 » est déjà celui d'une convention") {
				t.Errorf("identifiant pris : %d %s", code, stderr)
			}
		})
	}
}
