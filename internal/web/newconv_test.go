package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

var (
	inputRE    = regexp.MustCompile(`<input ([^>]*)>`)
	attrRE     = regexp.MustCompile(`([a-z-]+)(?:="([^"]*)")?`)
	textareaRE = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>\n?(.*?)</textarea>`)
)

// formOf reads the values a browser would send with the page's form of
// the given action: its inputs (checked boxes only) and textareas.
func formOf(t *testing.T, page, action string) url.Values {
	t.Helper()
	i := strings.Index(page, `action="`+action+`"`)
	if i < 0 {
		t.Fatalf("formulaire %s absent", action)
	}
	page = page[i:]
	page = page[:strings.Index(page, "</form>")]
	out := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(page, -1) {
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		if _, checked := attrs["checked"]; attrs["type"] == "checkbox" && !checked {
			continue
		}
		if attrs["name"] != "" {
			out.Add(attrs["name"], attrs["value"])
		}
	}
	for _, m := range textareaRE.FindAllStringSubmatch(page, -1) {
		out.Add(m[1], html.UnescapeString(m[2]))
	}
	return out
}

func TestNewConventionWizard(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "plateforme", "GET", "/conventions", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `href="/conventions/nouvelle"`) {
		t.Fatalf("« Mes conventions » devrait proposer une nouvelle convention : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "admin", "GET", "/conventions", nil); strings.Contains(body, `href="/conventions/nouvelle"`) {
		t.Error("l'administrateur d'une convention ne crée pas de convention : pas de lien")
	}
	// Step 1: a commune's name finds its intercommunality.
	resp, body = e.do(t, "plateforme", "GET", "/conventions/nouvelle?q=Limans", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "CC Pays Forcalquier et Montagne de Lure") || !strings.Contains(body, "240400440") ||
		!strings.Contains(body, `href="/conventions/nouvelle?epci=240400440"`) {
		t.Fatalf("recherche : %d\n%s", resp.StatusCode, body)
	}
	// Step 2: the proposal, with the Caf, the EPCI and its 13 communes.
	resp, body = e.do(t, "plateforme", "GET", "/conventions/nouvelle?epci=240400440", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("étape 2 : %d", resp.StatusCode)
	}
	form := formOf(t, body, "/conventions/nouvelle")
	if len(form["commune"]) != 13 || form.Get("partie_caf") == "" || len(form["article_texte"]) != 14 || form.Get("identifiant") == "" {
		t.Fatalf("proposition : %d communes, %d articles, identifiant %q", len(form["commune"]), len(form["article_texte"]), form.Get("identifiant"))
	}
	if !strings.Contains(form["article_texte"][9], "à compter du 1er janvier") {
		t.Errorf("article 10 sans la période : %q", form["article_texte"][9])
	}
	// Bad input: the French message names the field, what was typed stays,
	// nothing is written.
	form.Set("caf_nom", "")
	form.Set("msa_nom", "MSA Alpes-Vaucluse")
	form.Set("fin", "2020-01-01")
	form["article_texte"][0] = "Texte retouché de l'article 1."
	form.Del("commune")
	form.Add("commune", "04104")
	form.Del("csrf")
	resp, body = e.do(t, "plateforme", "POST", "/conventions/nouvelle", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Nom de la Caf : champ obligatoire") ||
		!strings.Contains(body, "Fin de la période") || !strings.Contains(body, `value="MSA Alpes-Vaucluse"`) ||
		!strings.Contains(body, "Texte retouché de l&#39;article 1.") || !strings.Contains(body, `value="2020-01-01"`) {
		t.Fatalf("erreur : %d\n%s", resp.StatusCode, body)
	}
	kept := formOf(t, body, "/conventions/nouvelle")
	if strings.Join(kept["commune"], ",") != "04104" {
		t.Errorf("communes gardées : %v", kept["commune"])
	}
	list, _ := e.svc.Conventions(context.Background(), auth.System)
	if len(list) != 2 {
		t.Fatalf("%d conventions après un refus, 2 attendues", len(list))
	}
	// Corrected, it is created and opens with a message.
	kept.Set("caf_nom", "Caisse d'allocations familiales des Alpes-de-Haute-Provence")
	kept.Set("fin", "2030-12-31")
	kept.Del("csrf")
	slugWanted := kept.Get("identifiant")
	resp, _ = e.do(t, "plateforme", "POST", "/conventions/nouvelle", kept)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/c/"+slugWanted {
		t.Fatalf("création : %d vers %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	c, err := e.svc.Convention(context.Background(), &auth.Actor{PlatformAdmin: true}, slugWanted)
	if err != nil {
		t.Fatal(err)
	}
	if lifecycle.Of(c).On(model.Date{Year: 2026, Month: 1, Day: 1}) != lifecycle.Draft || len(c.Parties) != 4 ||
		c.Articles[0].Text != "Texte retouché de l'article 1." || c.Period.End.String() != "2030-12-31" {
		t.Errorf("créée : %d parties, article 1 %q, fin %s", len(c.Parties), c.Articles[0].Text, c.Period.End)
	}
}

func TestNewConventionWizardForbidden(t *testing.T) {
	e := newEnv(t)
	for _, role := range []string{"admin", "editeur", "lecteur"} {
		if resp, _ := e.do(t, role, "GET", "/conventions/nouvelle", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : %d, attendu 403", role, resp.StatusCode)
		}
	}
}

func TestNewConventionAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, _ := e.st.UserByEmail(ctx, "plateforme@exemple.fr")
	a, _ := e.st.Actor(ctx, u)
	token, _, err := e.svc.CreateToken(ctx, a, "script")
	if err != nil {
		t.Fatal(err)
	}
	call := func(body string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/conventions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	resp, out := call(`{"epci": "Sainte-Colombe", "caf": {"name": "Caf"}}`)
	if resp.StatusCode != 422 || !strings.Contains(toJSON(out), `"path":"epci"`) || !strings.Contains(toJSON(out), "ambigu") {
		t.Errorf("commune ambiguë : %d %v", resp.StatusCode, out)
	}
	resp, out = call(`{"epci": "04104", "caf": {"name": "Caf des Alpes-de-Haute-Provence", "short_name": "la Caf"}, "msa": {"name": "MSA Alpes-Vaucluse"},
		"start": "2027-01-01", "end": "2031-12-31", "slug": "ctg-pflm-2027", "without_communes": true}`)
	if resp.StatusCode != 201 || out["slug"] != "ctg-pflm-2027" || resp.Header.Get("Location") != "/api/v1/conventions/ctg-pflm-2027" {
		t.Fatalf("création : %d %v", resp.StatusCode, out)
	}
	c, err := e.svc.Convention(ctx, a, "ctg-pflm-2027")
	if err != nil || len(c.Parties) != 3 || c.Period.End.String() != "2031-12-31" {
		t.Fatalf("créée : %v %+v", err, c)
	}
	if resp, _ := call(`{"epci": "04104", "caf": {"name": "Caf"}, "slug": "ctg-pflm-2027"}`); resp.StatusCode != 422 {
		t.Errorf("identifiant pris : %d", resp.StatusCode)
	}
}
