package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/pdftext"
)

// TestDraftThenImport reads the signed text, writes the draft and its
// report, and imports the draft.
func TestDraftThenImport(t *testing.T) {
	dir := t.TempDir()
	out, report := filepath.Join(dir, "brouillon.yaml"), filepath.Join(dir, "rapport.json")
	code, _, stderr := run(t, "", "draft", "../draft/testdata/ctg-forcalquier-2022.txt", "-o", out, "--report", report)
	if code != 0 {
		t.Fatalf("code %d : %s", code, stderr)
	}
	if !strings.Contains(stderr, "accepté tel quel par « ctg import »") ||
		!strings.Contains(stderr, "avant signature, le contrôle (ctg lint) trouve") || !strings.Contains(stderr, "erreur AUTH-DATE-MISSING") {
		t.Errorf("résumé : %s", stderr)
	}
	var rep struct {
		Fields []struct {
			Path string `json:"path"`
			Line int    `json:"line"`
		} `json:"fields"`
		Lint []struct {
			Code, Severity, Message, Path string
		} `json:"lint"`
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Fields) == 0 {
		t.Fatalf("rapport illisible ou vide : %v", err)
	}
	missing := 0
	for _, f := range rep.Lint {
		if f.Code == "AUTH-DATE-MISSING" && f.Severity == "error" && strings.HasSuffix(f.Path, "authorization.date") && f.Message != "" {
			missing++
		}
	}
	if missing != 5 {
		t.Errorf("%d constats AUTH-DATE-MISSING dans le rapport, 5 attendus : %+v", missing, rep.Lint)
	}
	db := filepath.Join(dir, "ctg.db")
	code, stdout, stderr := run(t, "", "import", "--db", db, out)
	if code != 0 || !strings.HasPrefix(stdout, "ctg-") {
		t.Fatalf("import du brouillon : code %d, %s %s", code, stdout, stderr)
	}
}

// A PDF, whatever its name, is read through its text.
func TestDraftFromPDF(t *testing.T) {
	text, err := os.ReadFile("../draft/testdata/ctg-forcalquier-2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	pdf := pdftext.FromText(t, string(text))
	pdftext.Text(t, pdf) // skips without pdftotext
	dir := t.TempDir()
	in, out := filepath.Join(dir, "convention-signee"), filepath.Join(dir, "brouillon.yaml")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "draft", in, "-o", out)
	if code != 0 {
		t.Fatalf("code %d : %s", code, stderr)
	}
	yaml, _ := os.ReadFile(out)
	for _, want := range []string{"start: 2022-01-01", "code: \"7.1\"", "Caisse d’Allocations Familiales des Alpes de Haute-Provence"} {
		if !strings.Contains(string(yaml), want) {
			t.Errorf("brouillon sans %s", want)
		}
	}
}

func TestDraftExplainsPDFAndEmptyText(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "convention.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n…"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		code, _, stderr := run(t, "", "draft", pdf)
		if code != 1 || !strings.Contains(stderr, "le PDF est illisible") {
			t.Errorf("PDF endommagé : code %d, %s", code, stderr)
		}
	}
	t.Run("sans pdftotext", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, _, stderr := run(t, "", "draft", pdf)
		if code != 1 || !strings.Contains(stderr, "installez le paquet poppler-utils") || !strings.Contains(stderr, "fichier .txt") {
			t.Errorf("PDF sans pdftotext : code %d, %s", code, stderr)
		}
	})
	empty := filepath.Join(dir, "vide.txt")
	if err := os.WriteFile(empty, []byte("\n\f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "draft", empty)
	if code != 1 || !strings.Contains(stderr, "texte est vide") || !strings.Contains(stderr, "OCR") {
		t.Errorf("texte vide : code %d, %s", code, stderr)
	}
}
