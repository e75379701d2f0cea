package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// smallPDF is a whole one-page PDF file.
var smallPDF = []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" +
	"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" +
	"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n" +
	"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n" +
	"trailer\n<< /Root 1 0 R >>\n%%EOF\n")

// attach sends a file to a documents route as a role, with the role's
// CSRF token (as a field and as the header the API wants), under the
// file field and with the other fields given.
func (e *testEnv) attach(t *testing.T, role, path, field, name string, content []byte, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", e.sessions[role].csrf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if s, ok := e.sessions[role]; ok {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp, string(page)
}

func (e *testEnv) documents(t *testing.T) []model.Document {
	t.Helper()
	list, err := e.st.Documents(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestAttachedPDFDownloadsIdenticalForMembersOnly(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	resp, page := e.attach(t, "editeur", c+"/documents", "fichier", "C:\\fakepath\\Convention signée\u202e.pdf", smallPDF, map[string]string{"title": "Original signé le 9 novembre 2022"})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c+"/documents" {
		t.Fatalf("dépôt : %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	list := e.documents(t)
	if len(list) != 1 || list[0].Name != "Convention signée.pdf" || list[0].OwnerKind != model.OwnerConvention || list[0].ContentType != "application/pdf" ||
		list[0].Size != int64(len(smallPDF)) || list[0].Title != "Original signé le 9 novembre 2022" || list[0].UploadedBy != "editeur" {
		t.Fatalf("document enregistré : %+v", list)
	}
	id := list[0].ID
	for _, role := range []string{"lecteur", "contributeur", "admin"} {
		resp, body := e.do(t, role, "GET", c+"/documents/"+id, nil)
		if resp.StatusCode != 200 || body != string(smallPDF) {
			t.Errorf("%s : %d, %d octet(s) reçus, %d envoyés", role, resp.StatusCode, len(body), len(smallPDF))
			continue
		}
		_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
		if resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || params["filename"] == "" || strings.ContainsAny(params["filename"], "/\\\u202e") {
			t.Errorf("%s : en-têtes %v", role, resp.Header)
		}
	}
	if resp, _ := e.do(t, "autre-convention", "GET", c+"/documents/"+id, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("membre d'une autre convention : %d, 404 attendu", resp.StatusCode)
	}
	if resp, _ := e.do(t, "autre-convention", "GET", "/api/v1/conventions/"+slug+"/documents/"+id, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("API, membre d'une autre convention : %d, 404 attendu", resp.StatusCode)
	}
	if resp, _ := e.do(t, "anonyme", "GET", c+"/documents/"+id, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("visiteur : %d, renvoi vers la connexion attendu", resp.StatusCode)
	}
	// The same document, read from another convention's address, is not found.
	if resp, _ := e.do(t, "plateforme", "GET", "/c/autre-ctg/documents/"+id, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("document lu sous une autre convention : %d", resp.StatusCode)
	}
	_, body := e.do(t, "lecteur", "GET", c+"/documents", nil)
	for _, want := range []string{"Convention signée.pdf", "Original signé le 9 novembre 2022", "(PDF)", "manquante", "Commune de Limans", list[0].SHA256[:12]} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de la page des documents", want)
		}
	}
	if strings.Contains(body, "Joindre le document") || strings.Contains(body, "Retirer") {
		t.Error("un lecteur se voit proposer de joindre ou de retirer un document")
	}
}

func TestDocumentsOfAnotherTypeAreRefusedAndNothingIsWritten(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := "/c/" + slug
	var plainZip bytes.Buffer
	zw := zip.NewWriter(&plainZip)
	w, _ := zw.Create("photos/ecole.txt")
	_, _ = w.Write([]byte("pas un document de bureautique"))
	_ = zw.Close()
	cases := []struct {
		name    string
		content []byte
	}{
		{"page.pdf", []byte("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>")},
		{"archive.docx", plainZip.Bytes()},
	}
	for _, tc := range cases {
		resp, page := e.attach(t, "editeur", c+"/documents", "fichier", tc.name, tc.content, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "« "+tc.name+" » n&#39;est pas d&#39;un type accepté : PDF, ODT, DOCX, XLSX, PNG ou JPEG") ||
			!strings.Contains(page, "Rien n&#39;a été enregistré") {
			t.Errorf("%s : %d\n%s", tc.name, resp.StatusCode, page)
		}
		resp, body := e.attach(t, "editeur", "/api/v1/conventions/"+slug+"/documents", "file", tc.name, tc.content, nil)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "n'est pas d'un type accepté") {
			t.Errorf("API, %s : %d %s", tc.name, resp.StatusCode, body)
		}
	}
	if n := len(e.documents(t)); n != 0 {
		t.Errorf("%d document(s) enregistré(s) malgré le refus", n)
	}
	// A body over the limit is cut before it is read whole: refused, with
	// nothing written and no temporary file left.
	big := append(append([]byte{}, smallPDF...), bytes.Repeat([]byte(" "), app.MaxDocumentSize+2<<20)...)
	resp, page := e.attach(t, "editeur", c+"/documents", "fichier", "trop-gros.pdf", big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "trop volumineux : 10 Mo au plus") {
		t.Errorf("fichier trop gros : %d\n%s", resp.StatusCode, page)
	}
	resp, _ = e.attach(t, "editeur", "/api/v1/conventions/"+slug+"/documents", "file", "trop-gros.pdf", big, nil)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("API, fichier trop gros : %d", resp.StatusCode)
	}
	if n := len(e.documents(t)); n != 0 {
		t.Errorf("%d document(s) enregistré(s) malgré la taille", n)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*")); len(left) > 0 {
		t.Errorf("fichier(s) temporaire(s) laissé(s) : %v", left)
		for _, f := range left {
			_ = os.Remove(f)
		}
	}
	// A file of 9 Mo, over the limit of the values files, is accepted.
	nine := append(append([]byte{}, smallPDF...), bytes.Repeat([]byte(" "), 9<<20)...)
	if resp, page := e.attach(t, "editeur", c+"/documents", "fichier", "scan.pdf", nine, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("fichier de 9 Mo : %d\n%s", resp.StatusCode, page)
	}
}

func TestContributorsAttachTheDeliberationOfTheirOwnOrganizationOnly(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	deliberation := func(party string) map[string]string {
		return map[string]string{"owner_kind": "authorization", "owner_key": party}
	}
	// contributeur-autre works for the commune of Limans, a party.
	if resp, _ := e.attach(t, "contributeur-autre", c+"/documents", "fichier", "delib-forcalquier.pdf", smallPDF, deliberation("forcalquier")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("délibération d'une autre partie : %d, 403 attendu", resp.StatusCode)
	}
	if resp, _ := e.attach(t, "contributeur-autre", c+"/documents", "fichier", "original.pdf", smallPDF, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("original de la convention par un contributeur : %d, 403 attendu", resp.StatusCode)
	}
	if resp, _ := e.attach(t, "contributeur", c+"/documents", "fichier", "delib.pdf", smallPDF, deliberation("cordeliere")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("délibération d'une organisation qui n'est pas partie : %d, 422 attendu", resp.StatusCode)
	}
	if resp, _ := e.attach(t, "lecteur", c+"/documents", "fichier", "delib.pdf", smallPDF, deliberation("limans")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("lecteur : %d, 403 attendu", resp.StatusCode)
	}
	if resp, _ := e.attach(t, "autre-convention", c+"/documents", "fichier", "delib.pdf", smallPDF, deliberation("limans")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("membre d'une autre convention : %d, 404 attendu", resp.StatusCode)
	}
	if n := len(e.documents(t)); n != 0 {
		t.Fatalf("%d document(s) enregistré(s) malgré les refus", n)
	}
	resp, page := e.attach(t, "contributeur-autre", c+"/documents", "fichier", "délibération Limans.pdf", smallPDF, deliberation("limans"))
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("délibération de sa propre commune : %d\n%s", resp.StatusCode, page)
	}
	list := e.documents(t)
	if len(list) != 1 || list[0].OwnerKind != model.OwnerAuthorization || list[0].OwnerKey != "limans" {
		t.Fatalf("document : %+v", list)
	}
	// Its form offers the party it may attach to, and no other.
	_, body := e.do(t, "contributeur-autre", "GET", c+"/documents", nil)
	if !strings.Contains(body, `<option value="limans">Commune de Limans</option>`) || strings.Contains(body, `<option value="forcalquier">`) {
		t.Error("le choix de la partie ne se limite pas à la commune du contributeur")
	}
	// Another contributor may not remove it; its own organization may.
	if resp, _ := e.do(t, "contributeur", "POST", c+"/documents/"+list[0].ID+"/supprimer", url.Values{"confirm": {"oui"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("retrait par un autre contributeur : %d, 403 attendu", resp.StatusCode)
	}
	if resp, body := e.do(t, "contributeur-autre", "POST", c+"/documents/"+list[0].ID+"/supprimer", url.Values{}); resp.StatusCode != 200 ||
		!strings.Contains(body, "Confirmer le retrait") {
		t.Errorf("demande de retrait : %d, confirmation attendue", resp.StatusCode)
	}
	if n := len(e.documents(t)); n != 1 {
		t.Fatal("document retiré sans confirmation")
	}
	if resp, _ := e.do(t, "contributeur-autre", "POST", c+"/documents/"+list[0].ID+"/supprimer", url.Values{"confirm": {"oui"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("retrait confirmé : %d", resp.StatusCode)
	}
	if n := len(e.documents(t)); n != 0 {
		t.Errorf("document encore présent après son retrait")
	}
}

func TestEveryUploadAndRemovalIsInTheHistory(t *testing.T) {
	e := newEnv(t)
	resp, body := e.attach(t, "admin", "/api/v1/conventions/"+slug+"/documents", "file", "original.pdf", smallPDF, map[string]string{"title": "=HYPERLINK(\"http://exemple.invalid\")"})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"content_type": "application/pdf"`) {
		t.Fatalf("dépôt par l'API : %d %s", resp.StatusCode, body)
	}
	d := e.documents(t)[0]
	if resp, body := e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"/documents", nil); resp.StatusCode != 200 || !strings.Contains(body, d.SHA256) {
		t.Errorf("liste par l'API : %d %s", resp.StatusCode, body)
	}
	if rows := e.csvCells(t, "lecteur", "/c/"+slug+"/documents.csv"); len(rows) != 2 || len(formulas(rows)) > 0 || rows[1][7] != d.SHA256 {
		t.Errorf("export CSV : %q", rows)
	}
	if status := e.apiCall(t, "lecteur", "DELETE", "/api/v1/conventions/"+slug+"/documents/"+d.ID, ""); status != http.StatusForbidden {
		t.Errorf("retrait par un lecteur : %d", status)
	}
	if status := e.apiCall(t, "editeur", "DELETE", "/api/v1/conventions/"+slug+"/documents/"+d.ID, ""); status != http.StatusNoContent {
		t.Errorf("retrait par l'API : %d", status)
	}
	hist, err := e.svc.History(context.Background(), auth.System, slug, []string{d.ID}, 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("historique du document : %+v %v", hist, err)
	}
	if hist[1].Action != "attach" || hist[1].Actor != "admin <admin@exemple.fr>" || hist[1].After["sha256"] != d.SHA256 || hist[1].After["size"] != strconv.Itoa(len(smallPDF)) ||
		hist[0].Action != "detach" || hist[0].Actor != "editeur <editeur@exemple.fr>" || hist[0].Before["file_name"] != "original.pdf" {
		t.Errorf("entrées : %+v", hist)
	}
	_, page := e.do(t, "lecteur", "GET", "/c/"+slug+"/historique", nil)
	for _, want := range []string{"document joint : original.pdf (" + strconv.Itoa(len(smallPDF)) + " octets, SHA-256 " + d.SHA256[:12], "document retiré : original.pdf"} {
		if !strings.Contains(page, want) {
			t.Errorf("%q absent de l'historique", want)
		}
	}
}

// documentFor attaches a document to the convention, with title, and
// returns its id: the one read by every role when the title is the same.
func (e *testEnv) documentFor(t *testing.T, title string) string {
	t.Helper()
	for _, d := range e.documents(t) {
		if d.Title == title {
			return d.ID
		}
	}
	d, err := e.svc.AttachDocument(context.Background(), auth.System, slug, app.DocumentInput{Name: "piece.pdf", Title: title, Content: bytes.NewReader(smallPDF)})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}
