package web

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
)

// A contributor may change its own equipment but not hand it over to
// another organization: the owners are checked after the change too.
func TestContributorCannotHandItsRecordToAnotherOrganization(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	eq := e.record(t, "equipment", cordeliere)
	path := fmt.Sprintf("/c/%s/modifier/equipment/%s", slug, eq.Target.Meta.ID)
	form := url.Values{"version": {fmt.Sprint(eq.Version)}, "operator": {"limans"}}
	if resp, _ := e.do(t, "contributeur", "POST", path, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("équipement confié à Limans : %d, 403 attendu", resp.StatusCode)
	}
	if got := e.record(t, "equipment", cordeliere); got.Convention.Equipments[0].Operator != "cordeliere" || got.Version != eq.Version {
		t.Errorf("équipement modifié : gestionnaire %q, version %d", got.Convention.Equipments[0].Operator, got.Version)
	}
	form = url.Values{"version": {fmt.Sprint(eq.Version)}, "name": {"Crèche de la Cordelière"}}
	if resp, _ := e.do(t, "contributeur", "POST", path, form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("modification de son propre équipement : %d", resp.StatusCode)
	}
}

// Concurrent creations of an indicator with the same code, in two fiches,
// leave one indicator: the others are told the code is taken, none fails.
func TestConcurrentIndicatorCreationsKeepCodesUnique(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	c := e.record(t, "convention", func(c *model.Convention) string { return c.ID }).Convention
	parents := []string{c.Axes[0].Fiches[0].ID, c.Axes[1].Fiches[0].ID}
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for i := range 6 {
		wg.Go(func() {
			form := url.Values{"parent": {parents[i%2]}, "code": {"9.9-1"}, "label": {"Nombre de familles reçues"}}
			resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/ajouter/indicator", form)
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		switch s {
		case http.StatusSeeOther:
			created++
		case http.StatusUnprocessableEntity:
		default:
			t.Errorf("statut %d", s)
		}
	}
	if created != 1 {
		t.Errorf("%d indicateurs créés avec le même code, 1 attendu", created)
	}
	export, err := e.svc.Export(t.Context(), auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(export), "code: 9.9-1") != 1 {
		t.Errorf("code présent %d fois dans l'export", strings.Count(string(export), "code: 9.9-1"))
	}
}

func TestPagesOfKindsNameEditableKinds(t *testing.T) {
	for name := range pageOfKind {
		if _, ok := edit.Lookup(name); !ok {
			t.Errorf("type d'élément inconnu : %s", name)
		}
	}
}

// The number of places of an equipment is entered in its form, shown in
// the register and exported; a negative number is refused by name.
func TestEquipmentPlacesAreEditedShownAndExported(t *testing.T) {
	e := newEnv(t)
	eq := e.record(t, "equipment", cordeliere)
	path := fmt.Sprintf("/c/%s/modifier/equipment/%s", slug, eq.Target.Meta.ID)
	resp, body := e.do(t, "contributeur", "POST", path, url.Values{"version": {fmt.Sprint(eq.Version)}, "places": {"-4"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nombre de places négatif") {
		t.Fatalf("places négatives : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "contributeur", "POST", path, url.Values{"version": {fmt.Sprint(eq.Version)}, "places": {"24"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("places : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/equipements", nil); !strings.Contains(body, "<td>24</td>") {
		t.Error("places absentes du registre")
	}
	if _, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/equipements.csv", nil); !strings.Contains(body, ";Places\r\n") || !strings.Contains(body, ";24\r\n") {
		t.Error("places absentes de l'export")
	}
	export, err := e.svc.Export(t.Context(), auth.System, slug)
	if err != nil || !strings.Contains(string(export), "places: 24") {
		t.Errorf("places absentes du format d'échange : %v", err)
	}
}

// Nor may it share a fiche it pilots with another organization, which
// would give that one the fiche's rights.
func TestContributorCannotShareItsFicheWithAnotherOrganization(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	fiche := e.record(t, "fiche", fiche22)
	id := fiche.Target.Meta.ID
	if _, _, err := e.svc.Edit(t.Context(), auth.System, slug, "fiche", id, fiche.Version, map[string]string{"pilots": "cordeliere"}); err != nil {
		t.Fatal(err)
	}
	fiche = e.record(t, "fiche", fiche22)
	path := fmt.Sprintf("/c/%s/modifier/fiche/%s", slug, id)
	form := url.Values{"version": {fmt.Sprint(fiche.Version)}, "pilots": {"cordeliere\nlimans"}}
	if resp, _ := e.do(t, "contributeur", "POST", path, form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("fiche partagée avec Limans : %d, 403 attendu", resp.StatusCode)
	}
	if got := e.record(t, "fiche", fiche22); got.Version != fiche.Version {
		t.Error("fiche modifiée")
	}
	form = url.Values{"version": {fmt.Sprint(fiche.Version)}, "context": {"Contexte précisé par le centre social."}}
	if resp, _ := e.do(t, "contributeur", "POST", path, form); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("modification de sa fiche : %d", resp.StatusCode)
	}
}

// A reader sees who changed what, by name, never the members' e-mail
// addresses: neither in the history page nor in the API.
func TestReaderSeesNoEmailAddressInTheHistory(t *testing.T) {
	e := newEnv(t)
	e.draft(t)
	if err := e.svc.Grant(t.Context(), auth.System, "contributeur-autre@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader}); err != nil {
		t.Fatal(err)
	}
	eq := e.record(t, "equipment", cordeliere)
	path := fmt.Sprintf("/c/%s/modifier/equipment/%s", slug, eq.Target.Meta.ID)
	if resp, _ := e.do(t, "editeur", "POST", path, url.Values{"version": {fmt.Sprint(eq.Version)}, "city": {"Forcalquier"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("modification : %d", resp.StatusCode)
	}
	for _, p := range []string{"/c/" + slug + "/historique", "/api/v1/conventions/" + slug + "/history"} {
		_, body := e.do(t, "lecteur", "GET", p, nil)
		if strings.Contains(body, "@exemple.fr") || !strings.Contains(body, "editeur") {
			t.Errorf("%s : adresses visibles par un·e lecteur·rice, ou auteur absent", p)
		}
		if _, body := e.do(t, "admin", "GET", p, nil); !strings.Contains(body, "editeur@exemple.fr") {
			t.Errorf("%s : l'administrateur·rice ne voit plus les adresses", p)
		}
	}
}

// A form cannot store a text of megabytes: the field says how long it may
// be, and a body over the bound is refused before it is read whole.
func TestLongTextsAreRefusedByField(t *testing.T) {
	e := newEnv(t)
	eq := e.record(t, "equipment", cordeliere)
	path := fmt.Sprintf("/c/%s/modifier/equipment/%s", slug, eq.Target.Meta.ID)
	resp, body := e.do(t, "contributeur", "POST", path, url.Values{"version": {fmt.Sprint(eq.Version)}, "city": {strings.Repeat("x", 5000)}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "texte trop long") {
		t.Errorf("ville de 5 000 caractères : %d", resp.StatusCode)
	}
	resp, _ = e.do(t, "contributeur", "POST", path, url.Values{"version": {fmt.Sprint(eq.Version)}, "city": {strings.Repeat("x", 2<<20)}})
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("formulaire de 2 Mo : %d", resp.StatusCode)
	}
	if got := e.record(t, "equipment", cordeliere); got.Version != eq.Version {
		t.Error("équipement modifié")
	}
}

// Beside each field of the entry form stand the unit, the target and the
// value of the same period a year before.
func TestEntryFormShowsUnitTargetAndLastYear(t *testing.T) {
	e := newEnv(t)
	ind := e.record(t, "indicator", func(c *model.Convention) string { return c.Axes[1].Fiches[1].Steps[0].Indicators[0].ID })
	if _, _, err := e.svc.Edit(t.Context(), auth.System, slug, "indicator", ind.Target.Meta.ID, ind.Version, map[string]string{"targets": "2024 = 300"}); err != nil {
		t.Fatal(err)
	}
	_, body := e.do(t, "editeur", "GET", "/c/"+slug+"/collecte/saisie?annee=2024", nil)
	for _, want := range []string{"Unité : nombre · cible : 300 · 2023 : ", " (fictive)"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent du formulaire de saisie", want)
		}
	}
}

// Everyone changes the name they are shown and sign with, on their account
// page; the history keeps the change.
func TestPersonRenamesHerself(t *testing.T) {
	e := newEnv(t)
	if resp, body := e.do(t, "editeur", "POST", "/compte/nom", url.Values{"name": {"   "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "nom obligatoire") {
		t.Errorf("nom vide : %d", resp.StatusCode)
	}
	resp, _ := e.do(t, "editeur", "POST", "/compte/nom", url.Values{"name": {"Claire  Coordinatrice"}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Set-Cookie"), "ctg_flash") {
		t.Fatalf("changement de nom : %d, confirmation %q", resp.StatusCode, resp.Header.Get("Set-Cookie"))
	}
	if _, body := e.do(t, "editeur", "GET", "/compte", nil); !strings.Contains(body, "<dd>Claire Coordinatrice</dd>") {
		t.Error("nouveau nom absent du compte")
	}
	if !slices.ContainsFunc(platformAudit(t, e), func(a model.AuditEntry) bool { return a.Action == "rename" }) {
		t.Error("changement de nom absent de l'historique")
	}
}

// After saving, the page returns only to a page of the site.
func TestReturnAfterSavingStaysOnTheSite(t *testing.T) {
	e := newEnv(t)
	step := e.record(t, "step", step22)
	for _, back := range []string{"/c/../\\evil.test", "/c/x/../..//evil.test", "/c/\t/evil.test"} {
		step = e.record(t, "step", step22)
		form := url.Values{"version": {fmt.Sprint(step.Version)}, "text": {step.Values["text"] + " "}, "retour": {back}}
		resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/modifier/step/"+step.Target.Meta.ID, form)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/c/"+slug+"/fiches/2.2" {
			t.Errorf("retour %q : %d vers %q", back, resp.StatusCode, loc)
		}
	}
}

// A multipart form is bounded like any other: its fields, files aside,
// send 1 Mo at most, whatever the form.
func TestMultipartFieldsAreBoundedLikeAForm(t *testing.T) {
	e := newEnv(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", e.sessions["editeur"].csrf)
	_ = mw.WriteField("objet", strings.Repeat("x", 2<<20))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/c/"+slug+"/avenants", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.sessions["editeur"].token})
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("objet d'avenant de 2 Mo en multipart : %d", resp.StatusCode)
	}
	if list, err := e.svc.Amendments(t.Context(), auth.System, slug); err != nil || len(list) != 0 {
		t.Errorf("avenant enregistré : %v %d", err, len(list))
	}
}
