package web

import (
	"net/http"
	"strings"
	"testing"
)

// A reader finds the consolidated text on the overview and downloads it
// as a PDF named after the convention; an account of another convention
// does not learn that it exists.
func TestConventionPDFDownload(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	if _, page := e.do(t, "lecteur", "GET", c, nil); !strings.Contains(page, `href="`+c+`/convention.pdf"`) ||
		!strings.Contains(page, "Télécharger le texte consolidé (PDF)") {
		t.Error("lien vers le texte consolidé absent de la page de la convention")
	}
	resp, body := e.do(t, "lecteur", "GET", c+"/convention.pdf", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF-") || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("statut %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if got := resp.Header.Get("Content-Disposition"); got != `attachment; filename="`+slug+`-convention.pdf"` {
		t.Errorf("Content-Disposition : %q", got)
	}
	// Read at a date, the text says which in its name.
	resp, _ = e.do(t, "lecteur", "GET", c+"/convention.pdf?a=2023-03-15", nil)
	if got := resp.Header.Get("Content-Disposition"); got != `attachment; filename="`+slug+`-convention-2023-03-15.pdf"` {
		t.Errorf("Content-Disposition à une date : %q", got)
	}
	if resp, _ := e.do(t, "autre-convention", "GET", c+"/convention.pdf", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("compte d'une autre convention : statut %d, 404 attendu", resp.StatusCode)
	}
}
