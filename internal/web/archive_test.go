package web

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/interchange"
)

func TestDocumentsPageOffersTheArchiveWithTheFileAndTheDocuments(t *testing.T) {
	e := newEnv(t)
	if resp, page := e.attach(t, "editeur", "/c/"+slug+"/documents", "fichier", "original.pdf", smallPDF, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("dépôt : %d\n%s", resp.StatusCode, page)
	}
	_, page := e.do(t, "lecteur", "GET", "/c/"+slug+"/documents", nil)
	link := `href="/api/v1/conventions/` + slug + `/archive"`
	if !strings.Contains(page, link) || !strings.Contains(page, "Exporter l'archive (YAML + documents)") {
		t.Fatalf("lien vers l'archive absent de la page des documents")
	}
	resp, body := e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"/archive", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), slug+".zip") {
		t.Fatalf("archive : %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}
	file, contents, err := interchange.ReadArchive([]byte(body), 10<<20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(file), "file_name: original.pdf") || len(contents) != 1 {
		t.Errorf("archive : %d documents, fichier décrivant le document : %v", len(contents), strings.Contains(string(file), "original.pdf"))
	}
	for _, c := range contents {
		if !bytes.Equal(c, smallPDF) {
			t.Error("le document de l'archive diffère du fichier déposé")
		}
	}
}
