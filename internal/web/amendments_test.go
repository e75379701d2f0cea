package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

func TestAvenantThroughThePagesAndVersionsAtADate(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	resp, _ := e.do(t, "editeur", "POST", c+"/avenants", url.Values{"objet": {"Durée de la convention"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c+"/avenants/1" {
		t.Fatalf("préparer un avenant : %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	wc := c + "--avenant-1"
	if resp, _ := e.do(t, "lecteur", "GET", wc+"/texte", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("copie de travail lue par un lecteur : %d", resp.StatusCode)
	}
	_, body := e.do(t, "editeur", "GET", wc+"/texte", nil)
	if !strings.Contains(body, "Copie de travail de l'avenant n° 1") || !strings.Contains(body, `href="`+c+`/avenants/1"`) || !strings.Contains(body, "Modifier l'article 10") {
		t.Fatal("la copie de travail ne se présente pas comme telle, ou ne se modifie pas")
	}
	copyText, err := e.svc.Convention(context.Background(), auth.System, slug+"--avenant-1")
	if err != nil {
		t.Fatal(err)
	}
	art := copyText.Articles[9]
	const amended = "La présente convention est conclue du 1er janvier 2022 au 31 décembre 2025."
	resp, _ = e.do(t, "editeur", "POST", wc+"/modifier/article/"+art.ID, url.Values{"version": {strconv.Itoa(art.Version)}, "text": {amended}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("article 10 de la copie modifié : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "editeur", "GET", c+"/avenants/1", nil); !strings.Contains(body, "article 10 « DUREE DE LA CONVENTION » est remplacé") {
		t.Errorf("la page de l'avenant ne dit pas ce qu'il modifie :\n%s", body)
	}
	// Its wording in preparation is its authors' only.
	if _, body := e.do(t, "lecteur", "GET", c+"/avenants/1", nil); strings.Contains(body, "DUREE DE LA CONVENTION") || !strings.Contains(body, "se lisent ici une fois signé") {
		t.Error("un lecteur lit la rédaction d'un avenant en préparation")
	}
	resp, body = e.do(t, "editeur", "POST", c+"/avenants/1/signature", url.Values{"date": {"2023-03-01"}, "effet": {"2023-02-01"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "précède la signature") {
		t.Errorf("date d'effet avant la signature : %d", resp.StatusCode)
	}
	resp, _ = e.do(t, "editeur", "POST", c+"/avenants/1/signature", url.Values{"date": {"2023-03-01"}, "lieu": {"Forcalquier"}, "effet": {"2023-04-01"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signature : %d", resp.StatusCode)
	}

	if _, body := e.do(t, "lecteur", "GET", c+"/texte", nil); !strings.Contains(body, amended) {
		t.Error("le texte d'aujourd'hui n'est pas celui de l'avenant")
	}
	_, body = e.do(t, "editeur", "GET", c+"/texte?a=2023-03-15", nil)
	if strings.Contains(body, amended) || !strings.Contains(body, "Version en vigueur le 15 mars 2023") || !strings.Contains(body, "texte initial") {
		t.Error("le texte au 15 mars 2023 n'est pas le texte initial")
	}
	if strings.Contains(body, "Modifier l'article") {
		t.Error("une version à une date se propose à la modification")
	}
	if !strings.Contains(body, `href="`+c+`/plan?a=2023-03-15"`) || !strings.Contains(body, `data-today href="`+c+`"`) {
		t.Error("les liens d'une version à une date ne gardent pas la date")
	}
	if _, body := e.do(t, "lecteur", "GET", c+"/plan?a=2023-03-15", nil); strings.Count(body, `<input type="hidden" name="a" value="2023-03-15">`) != 1 ||
		!strings.Contains(body, `Avancement</label>`+"\n"+`<select id="f-statut" name="statut">`) {
		t.Error("le filtre du plan d'une version à une date perd la date, ou le formulaire est abîmé")
	}
	// A fiche read at a date shows its assessment, without the form to write it.
	if _, body := e.do(t, "editeur", "GET", c+"/fiches/2.2?a=2023-03-15", nil); strings.Contains(body, "/appreciation\"") ||
		!strings.Contains(body, `action="`+c+`/fiches/2.2#appreciation"><input type="hidden" name="a" value="2023-03-15">`) {
		t.Error("une fiche lue à une date offre d'écrire son appréciation, ou en perd la date")
	}
	if resp, body := e.do(t, "lecteur", "GET", c+"/fiches/9.9?a=2023-03-15", nil); resp.StatusCode != http.StatusNotFound ||
		!strings.Contains(body, "La fiche 9.9 ne figure pas dans la version de la convention en vigueur le 15 mars 2023.") || strings.Contains(body, "Lire la fiche") {
		t.Errorf("fiche absente à une date : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "lecteur", "GET", c+"/texte?a=2023-04-01", nil); !strings.Contains(body, amended) || !strings.Contains(body, "après l&#39;avenant n° 1") {
		t.Error("le texte au 1er avril 2023 n'est pas celui de l'avenant")
	}
	if resp, body := e.do(t, "lecteur", "GET", c+"/texte?a=2023-13-45", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "AAAA-MM-JJ") {
		t.Errorf("date invalide : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "editeur", "GET", c+"/avenants?a=2023-03-15", nil); strings.Contains(body, "Préparer un avenant</button>") {
		t.Error("la liste des avenants lue à une date propose d'en préparer un")
	}
	if resp, _ := e.do(t, "editeur", "POST", c+"/avenants?a=2023-03-15", url.Values{"objet": {"Autre"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("modification d'une version à une date : %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/conventions/"+slug+"?a=2023-03-15", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions["lecteur"].token})
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var got model.Convention
	if err := jsonDecode(r, &got); err != nil || got.Articles[9].Text == amended {
		t.Errorf("API au 15 mars 2023 : %v", err)
	}
	_, body = e.do(t, "lecteur", "GET", c+"/versions?de=0&vers=1", nil)
	if !strings.Contains(body, "Article 10") || !strings.Contains(body, "<ins>2025.</ins>") || !strings.Contains(body, "<del>2024.") {
		t.Error("la comparaison des versions 0 et 1 ne montre pas ce qui change dans l'article 10")
	}
}

func jsonDecode(r *http.Response, v any) error { return json.NewDecoder(r.Body).Decode(v) }

// Abandoning an avenant deletes its working copy: the form asks to confirm.
func TestAbandonIsConfirmed(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	x, err := e.svc.PrepareAmendment(t.Context(), auth.System, slug, "Essai")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"version": {strconv.Itoa(x.Version)}}
	resp, body := e.do(t, "editeur", "POST", c+"/avenants/1/abandon", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "cochez la case qui confirme") {
		t.Errorf("abandon sans confirmation : %d", resp.StatusCode)
	}
	if _, err := e.svc.Convention(t.Context(), auth.System, x.WorkingCopy); err != nil {
		t.Errorf("copie de travail supprimée sans confirmation : %v", err)
	}
	form.Set("confirmer", "oui")
	if resp, _ := e.do(t, "editeur", "POST", c+"/avenants/1/abandon", form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("abandon confirmé : %d", resp.StatusCode)
	}
}
