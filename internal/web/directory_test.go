package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
)

// A platform administrator finds the example's Caf in the directory and
// attaches an adviser to it as a reader: the adviser then opens the
// convention without a grant in it, and its members page says why; an
// account of another organization opens nothing. Bad input keeps what was
// typed.
func TestDirectoryAttachesAnAdviserToHerCafsConventions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, body := e.do(t, "plateforme", "GET", "/admin/organisations?q=allocations", nil)
	i := strings.Index(body, `<a href="/admin/organisations/`)
	if i < 0 || !strings.Contains(body, "Caisse d’Allocations Familiales des Alpes de Haute-Provence") || strings.Contains(body, "Mutualité") {
		t.Fatalf("annuaire filtré : %s", body)
	}
	id := strings.TrimPrefix(body[i:], `<a href="/admin/organisations/`)
	id = id[:strings.Index(id, `"`)]
	resp, body := e.do(t, "plateforme", "POST", "/admin/organisations/"+id+"/comptes", url.Values{"email": {"personne@exemple.fr"}, "role": {"reader"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "aucun compte pour « personne@exemple.fr »") || !strings.Contains(body, `value="personne@exemple.fr"`) {
		t.Errorf("compte inconnu : %d %s", resp.StatusCode, body)
	}
	adviser := e.account(t, "conseillere")
	resp, _ = e.do(t, "plateforme", "POST", "/admin/organisations/"+id+"/comptes", url.Values{"email": {adviser}, "role": {"reader"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("rattachement : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "plateforme", "GET", resp.Header.Get("Location"), nil); !strings.Contains(body, "Compte rattaché") || !strings.Contains(body, adviser) {
		t.Errorf("page de l'organisation après rattachement : %s", body)
	}
	// Her session, as she would sign in.
	u, err := e.st.UserByEmail(ctx, adviser)
	if err != nil {
		t.Fatal(err)
	}
	token, csrf, err := e.st.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	e.sessions["conseillere"] = session{token, csrf}
	if resp, _ := e.do(t, "conseillere", "GET", "/", nil); resp.Header.Get("Location") != "/portefeuille" {
		t.Errorf("la conseillère arrive sur %q, pas sur son portefeuille", resp.Header.Get("Location"))
	}
	if _, body := e.do(t, "conseillere", "GET", "/portefeuille", nil); !strings.Contains(body, "/c/"+slug) {
		t.Error("la convention de sa Caf manque à son portefeuille")
	}
	if resp, body := e.do(t, "conseillere", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Forcalquier") {
		t.Errorf("la conseillère n'ouvre pas la convention de sa Caf : %d", resp.StatusCode)
	}
	// A reader of her Caf's conventions neither starts one nor reads a
	// draft from a signed text.
	for _, path := range []string{"/brouillon", "/conventions/nouvelle"} {
		if resp, _ := e.do(t, "conseillere", "GET", path, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s pour une lectrice : %d", path, resp.StatusCode)
		}
	}
	if _, body := e.do(t, "conseillere", "GET", "/conventions", nil); !strings.Contains(body, "/c/"+slug) {
		t.Error("la convention de sa Caf manque à sa liste")
	}
	if _, body := e.do(t, "admin", "GET", "/c/"+slug+"/membres", nil); !strings.Contains(body, "par son organisation") {
		t.Error("la page Membres ne dit pas d'où vient son accès")
	}
	if resp, body := e.do(t, "admin", "POST", "/c/"+slug+"/membres/retirer", url.Values{"email": {adviser}, "confirm": {"oui"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "tient son accès de son organisation") {
		t.Errorf("retrait d'un accès tenu de l'organisation : %d", resp.StatusCode)
	}
	// An adviser of another Caf sees nothing of it.
	resp, _ = e.do(t, "plateforme", "POST", "/admin/organisations", url.Values{"kind": {"caf"}, "name": {"Caisse d'Allocations Familiales des Hautes-Alpes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ajout d'une Caf : %d", resp.StatusCode)
	}
	if _, body := e.do(t, "plateforme", "GET", resp.Header.Get("Location"), nil); !strings.Contains(body, "Organisation ajoutée") {
		t.Errorf("page de la Caf ajoutée : %s", body)
	}
	other := e.account(t, "conseiller-05")
	if err := e.svc.SetAccountOrganization(ctx, auth.System, other, "Caisse d'Allocations Familiales des Hautes-Alpes", auth.RoleEditor); err != nil {
		t.Fatal(err)
	}
	u, _ = e.st.UserByEmail(ctx, other)
	token, csrf, _ = e.st.CreateSession(ctx, u.ID, time.Hour)
	e.sessions["conseiller-05"] = session{token, csrf}
	if resp, _ := e.do(t, "conseiller-05", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("conseiller d'une autre Caf : %d", resp.StatusCode)
	}
	// An editor of a Caf starts conventions: the wizard, the draft from a
	// signed text, and their links on her portfolio.
	for _, path := range []string{"/brouillon", "/conventions/nouvelle"} {
		if resp, _ := e.do(t, "conseiller-05", "GET", path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s pour un éditeur de Caf : %d", path, resp.StatusCode)
		}
	}
	if _, body := e.do(t, "conseiller-05", "GET", "/portefeuille", nil); !strings.Contains(body, `href="/brouillon"`) || !strings.Contains(body, `href="/conventions/nouvelle"`) {
		t.Error("le portefeuille ne mène pas à la création d'une convention")
	}
	// The same Caf twice is refused, naming the field, with the input kept.
	resp, body = e.do(t, "plateforme", "POST", "/admin/organisations", url.Values{"kind": {"caf"}, "name": {"Caisse d'Allocations Familiales des Hautes-Alpes"}, "short_name": {"Caf 05"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "déjà dans l&#39;annuaire") || !strings.Contains(body, `value="Caf 05"`) {
		t.Errorf("doublon : %d %s", resp.StatusCode, body)
	}
	if _, body := e.do(t, "plateforme", "GET", "/admin/organisations.csv?type=caf", nil); !strings.Contains(body, "Hautes-Alpes") || strings.Contains(body, "Commune de") {
		t.Errorf("export filtré : %s", body)
	}
}

// An account created by a platform administrator may belong at once to
// an organization of the directory with a role in its conventions; an
// organization the directory does not hold is refused, naming the field,
// and no account is created.
func TestNewAccountJoinsItsOrganization(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	resp, body := e.do(t, "plateforme", "POST", "/admin/comptes", url.Values{"email": {"elu@exemple.fr"}, "directory": {"Mairie inconnue"}, "organization_role": {"reader"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "« Mairie inconnue » n&#39;est pas dans l&#39;annuaire") || !strings.Contains(body, `value="Mairie inconnue"`) {
		t.Errorf("organisation inconnue : %d %s", resp.StatusCode, body)
	}
	if _, err := e.st.UserByEmail(ctx, "elu@exemple.fr"); err == nil {
		t.Error("compte créé malgré l'erreur")
	}
	resp, body = e.do(t, "plateforme", "POST", "/admin/comptes", url.Values{"email": {"elu@exemple.fr"}, "directory": {"04104"}, "organization_role": {"reader"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Commune de Limans") || !strings.Contains(body, "lecteur·rice dans ses conventions") {
		t.Fatalf("compte rattaché à la commune : %d %s", resp.StatusCode, body)
	}
	u, err := e.st.UserByEmail(ctx, "elu@exemple.fr")
	if err != nil || u.OrganizationRole != auth.RoleReader {
		t.Fatalf("%+v %v", u, err)
	}
	a, err := e.st.Actor(ctx, u)
	if err != nil || !a.CanRead(slug) || a.Memberships[slug].Organization != "limans" {
		t.Errorf("accès par la commune : %+v %v", a, err)
	}
}

// An account is detached only from the organization it belongs to; a
// name too long or reversing the direction of writing is refused; the
// page of an organization is reached by its id only.
func TestDirectoryRefusesWhatIsNotItsOwn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list, err := e.svc.DirectoryEntries(ctx, &auth.Actor{PlatformAdmin: true})
	if err != nil || len(list) < 2 {
		t.Fatal(err)
	}
	adviser := e.account(t, "attachee")
	if err := e.svc.SetAccountOrganization(ctx, auth.System, adviser, list[0].ID, auth.RoleReader); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do(t, "plateforme", "POST", "/admin/organisations/"+list[1].ID+"/comptes", url.Values{"email": {adviser}, "action": {"detacher"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "n&#39;est pas un compte de cette organisation") {
		t.Errorf("détaché d'une autre organisation : %d", resp.StatusCode)
	}
	if u, _ := e.st.UserByEmail(ctx, adviser); u.OrganizationID != list[0].ID {
		t.Error("le compte a perdu son organisation")
	}
	if resp, _ := e.do(t, "plateforme", "POST", "/admin/organisations/240400440/comptes", url.Values{"email": {adviser}, "role": {"editor"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("organisation désignée par son SIREN dans l'adresse : %d", resp.StatusCode)
	}
	for name, want := range map[string]string{strings.Repeat("a", 1001): "nom trop long", "RLO\u202etxt.exe": "inverse le sens de l&#39;écriture"} {
		resp, body := e.do(t, "plateforme", "POST", "/admin/organisations", url.Values{"kind": {"association"}, "name": {name}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("nom %.20q : %d, attendu « %s »", name, resp.StatusCode, want)
		}
	}
}
