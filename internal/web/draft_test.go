package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/pdftext"
)

const draftSlug = "ctg-communaute-de-communes-pays-de-forcalquier-montagne-de-lure-2022"

func signedText(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../draft/testdata/ctg-forcalquier-2022.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// draftPost sends a multipart form to the draft pages as role: the text
// as the file « fichier » when name is set, else as the field « texte ».
func (e *testEnv) draftPost(t *testing.T, role, path, name string, content []byte) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", e.sessions[role].csrf)
	if name != "" {
		fw, _ := mw.CreateFormFile("fichier", name)
		_, _ = fw.Write(content)
	} else {
		_ = mw.WriteField("texte", string(content))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return e.send(t, role, req)
}

// The signed text of the seed gives its report: the fields read with
// their line and confidence, the authorization dates left as « XXXX »
// listed as missing, and the text kept for the next forms.
func TestDraftUploadShowsReport(t *testing.T) {
	e := newEnv(t)
	resp, page := e.draftPost(t, "plateforme", "/brouillon", "convention.txt", signedText(t))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statut %d : %s", resp.StatusCode, page)
	}
	for _, want := range []string{"414 champ(s) lu(s)", "5 manque(s) signalé(s)", "XXXX", `<code class="meta">period.start</code>`,
		"95 %", "à vérifier", "Avant signature : ce qui manque", "AUTH-DATE-MISSING", "pas de date (le texte porte « XXXX »)", "Télécharger le brouillon (YAML)", "accepté tel quel",
		// Fields named in French, with the line of the text sent.
		"Période : début", "Partie 2 — Mutualité Sociale Agricole Alpes Vaucluse : date de la délibération", "Fiche 7.1 — étape 1 : action",
		"Signature : date", "ligne 567", "« Ligne » renvoie au texte envoyé",
		// Codes given by their French labels.
		"<td data-label=\"Valeur\">Caf</td>", "<td data-label=\"Valeur\">prévue</td>", "<td data-label=\"Valeur\">comité de pilotage</td>", "<td data-label=\"Valeur\">9 novembre 2022</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page sans « %s »", want)
		}
	}
	for _, unwanted := range []string{"<td data-label=\"Valeur\">planned</td>", "<td data-label=\"Valeur\">copil</td>", "page 1, ligne"} {
		if strings.Contains(page, unwanted) {
			t.Errorf("page avec « %s »", unwanted)
		}
	}
	if !strings.Contains(page, "Fiche action") {
		t.Error("le texte envoyé n'est pas gardé pour les formulaires suivants")
	}
}

// The fields to check first come in the first group, open; the others
// follow by family, closed, each field in one group only.
func TestDraftReportGroupsFields(t *testing.T) {
	e := newEnv(t)
	_, page := e.draftPost(t, "plateforme", "/brouillon", "convention.txt", signedText(t))
	order := []string{`<details class="draft-group" id="g-priorite" open>`, `<details class="draft-group" id="g-parties">`,
		`<details class="draft-group" id="g-dates">`, `<details class="draft-group" id="g-articles">`, `<details class="draft-group" id="g-plan">`,
		`<details class="draft-group" id="g-indicateurs">`, `<details class="draft-group" id="g-equipements">`,
		`<details class="draft-group" id="g-comites">`, `<details class="draft-group" id="g-autres">`, `id="avant-signature"`}
	last := -1
	for _, o := range order {
		i := strings.Index(page, o)
		if i < 0 || i < last {
			t.Fatalf("« %s » absent ou hors de l'ordre", o)
		}
		last = i
	}
	priority := page[strings.Index(page, order[0]):strings.Index(page, order[1])]
	// The status of the fiches is a default value (50 %): to check first.
	if !strings.Contains(priority, "Fiche 1.1 : avancement") || strings.Contains(priority, "Période : début") {
		t.Error("le groupe « À vérifier en priorité » ne tient pas les champs de confiance faible seuls")
	}
	if n, low := strings.Count(priority, "<tr><td"), strings.Count(page, `<span class="badge warn">à vérifier</span>`); n == 0 || n != low {
		t.Errorf("%d champ(s) dans le groupe prioritaire, %d à vérifier dans la page", n, low)
	}
	equipments := page[strings.Index(page, order[6]):strings.Index(page, order[7])]
	if !strings.Contains(equipments, "Équipement 1 — Accueil Ados - La Cordelière : code postal") || strings.Contains(equipments, "Fiche 1.1") {
		t.Error("les équipements ne sont pas groupés")
	}
	if n := strings.Count(page, "<tr><td data-label=\"Champ\">"); n != 414+5 {
		t.Errorf("%d lignes de champs (lus et manquants), attendu 419", n)
	}
}

// A PDF, an empty file, a text that is not UTF-8 and no file at all get a
// message naming the field; nothing is read.
func TestDraftUploadRefusals(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name    string
		content []byte
		want    string
	}{
		{"vide.txt", []byte("  \n\n"), "le fichier est vide"},
		{"latin1.txt", []byte("Convention territoriale globale sign\xe9e"), "ni un PDF ni un texte encodé en UTF-8"},
		{"autre.txt", []byte("Liste des courses\nPain\nLait\n"), "aucun repère du modèle national"},
	}
	for _, tc := range cases {
		resp, page := e.draftPost(t, "plateforme", "/brouillon", tc.name, tc.content)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, tc.want) ||
			!strings.Contains(page, app.DraftTextField) {
			t.Errorf("%s : statut %d, message attendu « %s »", tc.name, resp.StatusCode, tc.want)
		}
	}
	resp, page := e.draftPost(t, "plateforme", "/brouillon", "", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "choisissez le fichier de la convention") {
		t.Errorf("sans fichier : statut %d", resp.StatusCode)
	}
}

// A text over the limit is refused with 413, whether its body is past the
// bound of the request or not, and leaves no temporary file; the create
// form refuses it alike and creates nothing.
func TestDraftOversize(t *testing.T) {
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	big := append(signedText(t), bytes.Repeat([]byte("texte en trop\n"), app.MaxDraftText/14+1)...)
	huge := bytes.Repeat([]byte("x"), app.MaxDraftText+2<<20)
	for _, content := range [][]byte{big, huge} {
		resp, page := e.draftPost(t, "plateforme", "/brouillon", "convention.txt", content)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "Kio au plus") {
			t.Errorf("%d octets : statut %d", len(content), resp.StatusCode)
		}
	}
	if resp, _ := e.draftPost(t, "plateforme", "/brouillon/creer", "", big); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("création d'un texte trop long : statut %d", resp.StatusCode)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*")); len(left) > 0 {
		t.Errorf("fichier(s) temporaire(s) laissé(s) : %v", left)
	}
	if _, page := e.do(t, "plateforme", "GET", "/conventions", nil); strings.Contains(page, "/c/"+draftSlug) {
		t.Error("une convention a été créée")
	}
}

// Only platform administrators, who alone may import a convention, read
// and create drafts; the conventions list links the page for them only.
func TestDraftPageForPlatformAdminsOnly(t *testing.T) {
	e := newEnv(t)
	for _, role := range []string{"admin", "editeur", "lecteur"} {
		if resp, _ := e.do(t, role, "GET", "/brouillon", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : GET statut %d", role, resp.StatusCode)
		}
		if resp, _ := e.draftPost(t, role, "/brouillon", "convention.txt", signedText(t)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : envoi statut %d", role, resp.StatusCode)
		}
		if resp, _ := e.draftPost(t, role, "/brouillon/creer", "", signedText(t)); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : création statut %d", role, resp.StatusCode)
		}
		if _, page := e.do(t, role, "GET", "/conventions", nil); strings.Contains(page, `href="/brouillon"`) {
			t.Errorf("%s : lien vers la page du brouillon", role)
		}
	}
	if _, page := e.do(t, "plateforme", "GET", "/conventions", nil); !strings.Contains(page, `href="/brouillon"`) {
		t.Error("pas de lien vers la page du brouillon pour l'administrateur·rice de la plateforme")
	}
	if _, page := e.do(t, "plateforme", "GET", "/conventions", nil); strings.Contains(page, "/c/"+draftSlug) {
		t.Error("une convention a été créée")
	}
}

// The YAML download is a file the interchange format reads.
func TestDraftYAMLDownload(t *testing.T) {
	e := newEnv(t)
	resp, body := e.draftPost(t, "plateforme", "/brouillon/yaml", "", signedText(t))
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), draftSlug+".yaml") {
		t.Fatalf("statut %d, %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	f, err := interchange.DecodeFile([]byte(body), e.svc.Territory)
	if err != nil {
		t.Fatal(err)
	}
	if f.Convention.Slug != draftSlug || len(f.Convention.Axes) == 0 {
		t.Errorf("brouillon %q avec %d axes", f.Convention.Slug, len(f.Convention.Axes))
	}
}

// The create button imports the draft as a new convention in the making,
// recorded in its history under the administrator's name, and opens it; a
// second time the slug is taken and the page says so.
func TestDraftCreate(t *testing.T) {
	e := newEnv(t)
	e.svc.SetClock(func() time.Time { return time.Date(2023, 6, 1, 10, 0, 0, 0, time.UTC) })
	if _, page := e.draftPost(t, "plateforme", "/brouillon", "convention.txt", signedText(t)); !strings.Contains(page, ">Créer la convention (signée le 9 novembre 2022)</button>") ||
		!strings.Contains(page, "Créée aujourd'hui, la convention sera « en vigueur »") || strings.Contains(page, "en projet") {
		t.Error("le bouton ne dit pas l'état de la convention signée")
	}
	text := strings.ReplaceAll(string(signedText(t)), "\n", "\r\n")
	resp, page := e.draftPost(t, "plateforme", "/brouillon/creer", "", []byte(text))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/c/"+draftSlug {
		t.Fatalf("statut %d vers %q : %s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	if flash, _ := url.QueryUnescape(resp.Header.Get("Set-Cookie")); !strings.Contains(flash, "créée depuis le texte signé : elle est en vigueur (signée le 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024)") ||
		strings.Contains(flash, "projet") {
		t.Errorf("confirmation : %q", flash)
	}
	if _, page := e.do(t, "plateforme", "GET", "/conventions", nil); !strings.Contains(page, `href="/c/`+draftSlug+`"`) {
		t.Error("la convention créée n'est pas dans la liste")
	}
	if _, page := e.do(t, "plateforme", "GET", "/c/"+draftSlug+"/historique", nil); !strings.Contains(page, "plateforme") {
		t.Error("l'import n'est pas au nom de l'administrateur·rice")
	}
	resp, page = e.draftPost(t, "plateforme", "/brouillon/creer", "", []byte(text))
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "existe déjà") || !strings.Contains(page, `<a href="/c/`+draftSlug+`">Ouvrir la convention existante</a>`) {
		t.Errorf("deuxième création : statut %d", resp.StatusCode)
	}
	if _, page := e.draftPost(t, "plateforme", "/brouillon", "convention.txt", signedText(t)); strings.Contains(page, "Créer la convention (") ||
		!strings.Contains(page, "existe déjà") || !strings.Contains(page, `<a href="/c/`+draftSlug+`">`) {
		t.Error("le bouton de création reste offert pour un identifiant pris")
	}
}

// A PDF, whatever its name, is read through its text: the report is the
// one of the text, the extracted text is kept for the next forms, and the
// checker says what is missing before signature.
func TestDraftUploadPDF(t *testing.T) {
	pdf := pdftext.FromText(t, string(signedText(t)))
	extracted := pdftext.Text(t, pdf) // skips without pdftotext
	if len(extracted) == 0 {
		t.Fatal("PDF sans texte")
	}
	// Where the signature is in the PDF: its page, and its line counted
	// from the top of that page.
	signedAt := ""
	for p, text := range strings.Split(extracted, "\f") {
		for l, line := range strings.Split(text, "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "Fait à Digne") {
				signedAt = fmt.Sprintf("page %d, ligne %d", p+1, l+1)
			}
		}
	}
	if signedAt == "" || strings.HasPrefix(signedAt, "page 1,") {
		t.Fatalf("signature à « %s » dans le PDF", signedAt)
	}
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	resp, page := e.draftPost(t, "plateforme", "/brouillon", "convention-signee.bin", pdf)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("statut %d : %s", resp.StatusCode, page)
	}
	for _, want := range []string{"Convention territoriale globale (Ctg) 2022-2024", `<code class="meta">period.start</code>`, "Fiche action 7.1",
		"Avant signature : ce qui manque", "AUTH-DATE-MISSING", "Télécharger le brouillon (YAML)"} {
		if !strings.Contains(page, want) {
			t.Errorf("page sans « %s »", want)
		}
	}
	if strings.Contains(page, "%PDF") {
		t.Error("le PDF est renvoyé au lieu de son texte")
	}
	row := `<td data-label="Champ">Signature : date<br><code class="meta">signature.date</code></td><td data-label="Valeur">9 novembre 2022</td><td data-label="Où dans le texte">` + signedAt + `</td>`
	if !strings.Contains(page, row) || !strings.Contains(page, "« Page, ligne » renvoie au PDF envoyé") {
		t.Errorf("la date de signature n'est pas donnée à sa place dans le PDF (%s)", signedAt)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*")); len(left) > 0 {
		t.Errorf("fichier(s) temporaire(s) laissé(s) : %v", left)
	}
}

// A damaged PDF larger than the text's bound is read, and refused with
// what is wrong; a PDF past its own bound is refused before being read;
// nothing is created.
func TestDraftHostilePDF(t *testing.T) {
	pdftext.Text(t, pdftext.FromText(t, "x")) // skips without pdftotext
	e := newEnv(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	garbage := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("\x00\xff obj << /Length 99999999 >> stream\n"), app.MaxDraftText/20)...)
	resp, page := e.draftPost(t, "plateforme", "/brouillon", "convention.pdf", garbage)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "le PDF est illisible") || !strings.Contains(page, app.DraftTextField) {
		t.Errorf("PDF endommagé : statut %d", resp.StatusCode)
	}
	huge := append([]byte("%PDF-1.7\n"), make([]byte, app.MaxDraftPDF)...)
	resp, page = e.draftPost(t, "plateforme", "/brouillon", "convention.pdf", huge)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "20 Mio au plus") {
		t.Errorf("PDF trop lourd : statut %d", resp.StatusCode)
	}
	if _, page := e.do(t, "plateforme", "GET", "/conventions", nil); strings.Contains(page, "/c/"+draftSlug) {
		t.Error("une convention a été créée")
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*")); len(left) > 0 {
		t.Errorf("fichier(s) temporaire(s) laissé(s) : %v", left)
	}
}
