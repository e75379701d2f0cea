// Package pdftext reads a PDF back as text for tests, with pdftotext.
package pdftext

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// Text reads a PDF back as text with pdftotext and its options; the test
// is skipped where pdftotext is not installed, unless
// CTG_REQUIRE_PDFTOTEXT=1 (the full test script) requires it.
func Text(t testing.TB, pdf []byte, options ...string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CTG_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatal("pdftotext introuvable (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext absent")
	}
	cmd := exec.Command("pdftotext", append(options, "-", "-")...)
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
