package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if !strings.Contains(stderr, "accepté tel quel par « ctg import »") {
		t.Errorf("résumé : %s", stderr)
	}
	var rep struct {
		Fields []struct {
			Path string `json:"path"`
			Line int    `json:"line"`
		} `json:"fields"`
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Fields) == 0 {
		t.Fatalf("rapport illisible ou vide : %v", err)
	}
	db := filepath.Join(dir, "ctg.db")
	code, stdout, stderr := run(t, "", "import", "--db", db, out)
	if code != 0 || !strings.HasPrefix(stdout, "ctg-") {
		t.Fatalf("import du brouillon : code %d, %s %s", code, stdout, stderr)
	}
}

func TestDraftExplainsPDFAndEmptyText(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "convention.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n…"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "draft", pdf)
	if code != 1 || !strings.Contains(stderr, "pdftotext") {
		t.Errorf("PDF : code %d, %s", code, stderr)
	}
	empty := filepath.Join(dir, "vide.txt")
	if err := os.WriteFile(empty, []byte("\n\f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = run(t, "", "draft", empty)
	if code != 1 || !strings.Contains(stderr, "texte est vide") || !strings.Contains(stderr, "OCR") {
		t.Errorf("texte vide : code %d, %s", code, stderr)
	}
}
