package web

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

const signedNote = "Texte signé : modifiable par avenant (article 11)"

func article12(c *model.Convention) string { return c.Articles[11].ID }

func (e *testEnv) counts(t *testing.T) map[string]int {
	t.Helper()
	n, err := e.st.Count(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The bundled convention is signed: its article 12 is shown read-only,
// and a form or an API call that changes it anyway is refused with 409,
// a message naming article 11 and a way to prepare an avenant; nothing is
// written, not even in the history.
func TestSignedArticleIsRefusedThroughTheFormAndTheAPI(t *testing.T) {
	e := newEnv(t)
	art := e.record(t, "article", article12)
	form := "/c/" + slug + "/modifier/article/" + art.Target.Meta.ID
	resp, body := e.do(t, "editeur", "GET", form, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, signedNote) || !strings.Contains(body, `href="/c/`+slug+`/avenants"`) {
		t.Fatalf("formulaire de l'article 12 : %d, note du texte signé absente", resp.StatusCode)
	}
	if strings.Contains(body, `id="champ-text"`+" name=") || strings.Contains(body, `name="text"`) || strings.Contains(body, ">Enregistrer</button>") {
		t.Error("l'article signé reste modifiable dans le formulaire")
	}
	token := e.token(t, "editeur")
	before := e.counts(t)

	resp, body = e.do(t, "editeur", "POST", form, url.Values{"version": {strconv.Itoa(art.Version)}, "text": {"Résiliable à tout moment."}})
	want := "La convention est signée : « Article 12 – La fin de la convention » fait partie du texte signé et ne change que par avenant (article 11). Préparez un avenant pour le modifier."
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, want) || !strings.Contains(body, `<a class="button" href="/c/`+slug+`/avenants">Préparer un avenant</a>`) {
		t.Errorf("formulaire envoyé quand même : %d, message ou lien absent", resp.StatusCode)
	}

	api := "/api/v1/conventions/" + slug + "/records/article/" + art.Target.Meta.ID
	status, answer := e.raw(t, "PATCH", api, map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"},
		`{"version": `+strconv.Itoa(art.Version)+`, "fields": {"text": "Résiliable à tout moment."}}`)
	var out struct{ Error, Code string }
	if err := json.Unmarshal([]byte(answer), &out); err != nil || status != http.StatusConflict || out.Code != "signed_content" || out.Error != want {
		t.Errorf("PATCH de l'article 12 : %d %s", status, answer)
	}

	if after := e.counts(t); !maps.Equal(before, after) {
		t.Errorf("un refus a écrit : %v → %v", before, after)
	}
	if got := e.record(t, "article", article12); got.Version != art.Version || got.Values["text"] != art.Values["text"] {
		t.Error("l'article 12 a changé")
	}
}

// A step's progress is follow-up: on the signed convention the step's
// form offers it alone, the step's text shown as signed, and saves it.
func TestStepProgressStaysEditableOnTheSignedConvention(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	form := "/c/" + slug + "/modifier/step/" + step.Target.Meta.ID
	_, body := e.do(t, "editeur", "GET", form, nil)
	if !strings.Contains(body, `<select id="champ-status" name="status"`) || strings.Contains(body, `name="text"`) || !strings.Contains(body, signedNote) {
		t.Error("formulaire d'étape : avancement non modifiable, ou texte signé modifiable")
	}
	resp, _ := e.do(t, "editeur", "POST", form, url.Values{"version": {strconv.Itoa(step.Version)}, "status": {"done"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("avancement de l'étape : %d", resp.StatusCode)
	}
	if got := e.record(t, "step", step22); got.Values["status"] != "done" {
		t.Errorf("avancement enregistré : %q", got.Values["status"])
	}
}

// After signature, the pages offer no way to add a fiche or a step but by
// avenant, and a fiche sent anyway is refused; a draft (its signature
// date cleared) is editable whole again.
func TestNoFicheIsAddedAfterSignatureButADraftIsEditable(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	_, body := e.do(t, "editeur", "GET", c+"/plan", nil)
	if strings.Contains(body, "/ajouter/fiche") || !strings.Contains(body, "Ajouter une fiche à l'axe 5 par avenant") {
		t.Error("le plan propose d'ajouter une fiche hors avenant")
	}
	if _, body := e.do(t, "editeur", "GET", c+"/fiches/2.2", nil); strings.Contains(body, "/ajouter/step") {
		t.Error("la fiche propose d'ajouter une étape hors avenant")
	}
	axis5 := e.record(t, "axis", func(c *model.Convention) string { return c.Axes[4].ID })
	fiche := url.Values{"parent": {axis5.Target.Meta.ID}, "code": {"5.1"}, "title": {"Soutenir les parents"}, "status": {"planned"}}
	resp, body := e.do(t, "editeur", "POST", c+"/ajouter/fiche", fiche)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "ajouter un élément « fiche action » modifierait le texte signé") {
		t.Errorf("fiche ajoutée après signature : %d", resp.StatusCode)
	}
	if got := e.record(t, "axis", func(c *model.Convention) string { return c.Axes[4].ID }); len(got.Convention.Axes[4].Fiches) != 0 {
		t.Error("la fiche a été ajoutée")
	}

	e.draft(t)
	_, body = e.do(t, "editeur", "GET", c+"/modifier/article/"+e.record(t, "article", article12).Target.Meta.ID, nil)
	if strings.Contains(body, signedNote) || !strings.Contains(body, `name="text"`) {
		t.Error("l'article d'un projet n'est pas modifiable")
	}
	if _, body := e.do(t, "editeur", "GET", c+"/plan", nil); !strings.Contains(body, "/ajouter/fiche") {
		t.Error("le plan d'un projet ne propose pas d'ajouter une fiche")
	}
	if resp, _ := e.do(t, "editeur", "POST", c+"/ajouter/fiche", fiche); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("fiche ajoutée à un projet : %d", resp.StatusCode)
	}
}

// The API says which fields of a record the caller may change: after
// signature, none of an article, the progress of a step.
func TestAPISaysWhichFieldsAreEditable(t *testing.T) {
	e := newEnv(t)
	for kind, want := range map[string]string{"article": "", "step": "status"} {
		rec := e.record(t, kind, func(c *model.Convention) string {
			if kind == "article" {
				return c.Articles[11].ID
			}
			return c.Axes[1].Fiches[1].Steps[0].ID
		})
		_, body := e.do(t, "editeur", "GET", "/api/v1/conventions/"+slug+"/records/"+kind+"/"+rec.Target.Meta.ID, nil)
		var got struct {
			CanEdit  bool     `json:"can_edit"`
			Editable []string `json:"editable_fields"`
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatal(err)
		}
		if got.CanEdit != (want != "") || strings.Join(got.Editable, ",") != want {
			t.Errorf("%s : modifiable %v, champs %v", kind, got.CanEdit, got.Editable)
		}
	}
}

// A convention in draft gets its plan and governance in the browser: an
// axis, then a fiche under it, and a committee; a signed one offers
// neither (they change the signed text).
func TestADraftGetsAxesAndCommitteesInTheBrowser(t *testing.T) {
	e := newEnv(t)
	c := "/c/" + slug
	cid := e.record(t, "convention", func(c *model.Convention) string { return c.ID }).Target.Meta.ID
	if _, body := e.do(t, "editeur", "GET", c+"/plan", nil); strings.Contains(body, "/ajouter/axis") {
		t.Error("le plan d'une convention signée propose d'ajouter un axe")
	}
	if resp, _ := e.do(t, "editeur", "POST", c+"/ajouter/axis", url.Values{"parent": {cid}, "number": {"8"}, "title": {"Mobilité"}}); resp.StatusCode != http.StatusConflict {
		t.Errorf("axe ajouté à une convention signée : %d", resp.StatusCode)
	}
	e.draft(t)
	for page, link := range map[string]string{"/plan": "/ajouter/axis?parent=" + cid, "/gouvernance": "/ajouter/committee?parent=" + cid} {
		if _, body := e.do(t, "editeur", "GET", c+page, nil); !strings.Contains(body, link) {
			t.Errorf("%s ne propose pas %s", page, link)
		}
	}
	if resp, body := e.do(t, "editeur", "POST", c+"/ajouter/axis", url.Values{"parent": {cid}, "number": {"8"}, "title": {"Mobilité"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("axe : %d %s", resp.StatusCode, body)
	}
	axis := e.record(t, "axis", func(c *model.Convention) string { return c.Axes[len(c.Axes)-1].ID })
	if a := axis.Convention.Axes[len(axis.Convention.Axes)-1]; a.Number != 8 || a.Title != "Mobilité" {
		t.Fatalf("axe enregistré : %+v", a)
	}
	fiche := url.Values{"parent": {axis.Target.Meta.ID}, "code": {"8.1"}, "title": {"Transport à la demande"}, "status": {"planned"}}
	if resp, _ := e.do(t, "editeur", "POST", c+"/ajouter/fiche", fiche); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("fiche sous le nouvel axe : %d", resp.StatusCode)
	}
	resp, body := e.do(t, "editeur", "POST", c+"/ajouter/committee", url.Values{"parent": {cid}, "key": {"comite-familles"}, "kind": {"cotech"}, "name": {"Comité des familles"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("comité : %d %s", resp.StatusCode, body)
	}
	if _, body := e.do(t, "editeur", "GET", c+"/gouvernance", nil); !strings.Contains(body, "Comité des familles") {
		t.Error("le comité ajouté manque à la gouvernance")
	}
	if _, body := e.do(t, "editeur", "GET", c+"/plan", nil); !strings.Contains(body, "Fiche 8.1 – Transport à la demande") {
		t.Error("la fiche du nouvel axe manque au plan")
	}
	// A reader adds nothing.
	if resp, _ := e.do(t, "lecteur", "POST", c+"/ajouter/committee", url.Values{"parent": {cid}, "key": {"x"}, "kind": {"copil"}, "name": {"X"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("comité ajouté par un lecteur : %d", resp.StatusCode)
	}
}
