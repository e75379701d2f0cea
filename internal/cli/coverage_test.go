package cli

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCoverageCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ctg.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	svg := filepath.Join(t.TempDir(), "couverture.svg")
	code, out, errs := run(t, "", "coverage", "--db", db, "--departement", "04", "--at", "2023-06-30", "--svg", svg)
	if code != 0 {
		t.Fatalf("coverage: %d %s", code, errs)
	}
	for _, want := range []string{"au 30 juin 2023", "Population couverte par une convention en vigueur : 6,0\u202f%",
		"ctg-forcalquier-2022", "(en vigueur)", "en vigueur     CC Pays Forcalquier et Montagne de Lure (240400440)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(svg)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, new(struct{})); err != nil || !strings.Contains(string(data), "6,0\u202f%") {
		t.Errorf("SVG: %v\n%s", err, data)
	}

	// After the period, the same communes are covered by an ended convention.
	_, out, _ = run(t, "", "coverage", "--db", db, "--departement", "04", "--at", "2025-01-01", "--csv")
	lines := strings.Split(strings.TrimSpace(out), "\r\n")
	ended := 0
	for _, l := range lines[1:] {
		if strings.Contains(l, ";240400440;") && strings.HasSuffix(l, ";échue;ctg-forcalquier-2022") {
			ended++
		}
	}
	if len(lines) != 199 || ended != 13 {
		t.Errorf("CSV: %d lines, %d communes of the EPCI ended; want 198 communes and a header, 13 ended:\n%s", len(lines), ended, out)
	}

	if code, _, errs := run(t, "", "coverage", "--db", db, "--departement", "99"); code != 1 || !strings.Contains(errs, "département « 99 »") {
		t.Errorf("unknown département: %d %s", code, errs)
	}
	if code, _, _ := run(t, "", "coverage", "--db", db); code != 2 {
		t.Errorf("without --departement: %d, want the usage", code)
	}
}
