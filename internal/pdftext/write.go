package pdftext

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"codeberg.org/go-pdf/fpdf"
)

// FromText lays the lines of text out on A4 pages, one line of the text
// per line of the page, in the Unicode font the reports use, and returns
// the PDF: a signed convention as a test can make it from its text. A
// form feed starts a new page; a page full goes on to the next.
func FromText(t testing.TB, text string) []byte {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	font, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "report", "fonts", "DejaVuSansCondensed.ttf"))
	if err != nil {
		t.Fatal(err)
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes("dejavu", "", font)
	p.SetMargins(12, 12, 12)
	p.SetAutoPageBreak(true, 12)
	p.SetFont("dejavu", "", 7)
	for i, page := range strings.Split(text, "\f") {
		if i == 0 || strings.TrimSpace(page) != "" {
			p.AddPage()
		}
		for _, line := range strings.Split(page, "\n") {
			if strings.TrimSpace(line) == "" {
				// A blank line is a wider gap, which pdftotext gives back
				// as a blank line between blocks.
				p.Ln(7)
				continue
			}
			p.CellFormat(186, 3.4, line, "", 1, "L", false, 0, "")
		}
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
