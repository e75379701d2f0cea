package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
)

// upload sends a multipart form with a file of size bytes as the given
// role, with the given CSRF token, and returns the status and page.
func (e *testEnv) upload(t *testing.T, role, path, csrf string, size int) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", csrf)
	fw, _ := mw.CreateFormFile("fichier", "formulaire.xlsx")
	_, _ = fw.Write(bytes.Repeat([]byte("x;"), size/2))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions[role].token})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page)
}

// No upload leaves its temporary file behind: neither an accepted one
// larger than what is kept in memory, nor one refused for its CSRF token,
// nor a multipart post to a form that expects no file.
func TestUploadsLeaveNoTemporaryFiles(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	c := "/c/" + slug
	cases := []struct {
		name, role, path, csrf string
		size, status           int
	}{
		{"formulaire de plus de 1 Mio", "editeur", c + "/collecte/import", e.sessions["editeur"].csrf, 2 << 20, http.StatusUnprocessableEntity},
		{"fichier CSV de plus de 1 Mio", "contributeur", c + "/indicateurs/import", e.sessions["contributeur"].csrf, 2 << 20, http.StatusUnprocessableEntity},
		{"lecteur, mauvais jeton CSRF", "lecteur", c + "/collecte/import", "faux", 2 << 20, http.StatusForbidden},
		{"éditeur, mauvais jeton CSRF", "editeur", c + "/indicateurs/import", "faux", 2 << 20, http.StatusForbidden},
		{"formulaire sans fichier attendu", "lecteur", c + "/collecte/saisie?annee=2022", e.sessions["lecteur"].csrf, 33 << 20, http.StatusForbidden},
	}
	for _, tc := range cases {
		status, _ := e.upload(t, tc.role, tc.path, tc.csrf, tc.size)
		if status != tc.status {
			t.Errorf("%s : statut %d, %d attendu", tc.name, status, tc.status)
		}
		left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
		if len(left) > 0 {
			t.Errorf("%s : fichier(s) temporaire(s) laissé(s) : %v", tc.name, left)
			for _, f := range left {
				_ = os.Remove(f)
			}
		}
	}
}

// A file over the limit is refused with a message that says so.
func TestUploadOverLimitRefused(t *testing.T) {
	e := newEnv(t)
	status, page := e.upload(t, "editeur", "/c/"+slug+"/collecte/import", e.sessions["editeur"].csrf, app.MaxImportSize+2<<20)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "trop volumineux : 4 Mo au plus") {
		t.Errorf("fichier trop gros : %d\n%s", status, page)
	}
}
