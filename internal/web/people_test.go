package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var linkRE = regexp.MustCompile(`value="(http://[^"]+/(invitation|reinitialisation)\?jeton=[^"]+)"`)

// shownLinkPath returns the path and query of the link a page shows to
// pass on.
func shownLinkPath(t *testing.T, body string) string {
	t.Helper()
	m := linkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("aucun lien à transmettre sur la page")
	}
	u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	return u.RequestURI()
}

func TestInvitationFromTheMembersPage(t *testing.T) {
	e := newEnv(t)
	members := "/c/" + slug + "/membres"
	resp, body := e.do(t, "admin", "POST", members, url.Values{"email": {"pas une adresse"}, "role": {"contributor"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "adresse électronique « pas une adresse » invalide") ||
		!strings.Contains(body, "un·e contributeur·rice agit pour une organisation") {
		t.Errorf("invitation invalide : statut %d", resp.StatusCode)
	}
	resp, body = e.do(t, "admin", "POST", members, url.Values{"email": {"directrice@exemple.fr"}, "role": {"contributor"}, "organization": {"cordeliere"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "transmettez ce lien à la personne") {
		t.Fatalf("invitation : statut %d", resp.StatusCode)
	}
	link := shownLinkPath(t, body)
	if _, body := e.do(t, "admin", "GET", members, nil); !strings.Contains(body, "invitation en attente") || !strings.Contains(body, "Nouveau lien d'invitation") {
		t.Error("l'invitation en attente n'apparaît pas parmi les membres")
	}
	_, body = e.do(t, "lecteur", "GET", members, nil)
	if strings.Contains(body, "cordeliere") || !strings.Contains(body, "Centre socioculturel La Cordelière") {
		t.Error("la page des membres montre une clé d'organisation plutôt que son nom")
	}

	b := e.browserFrom(t, "127.0.0.1")
	status, body, h := b.send("GET", link, nil)
	if status != 200 || !strings.Contains(body, "directrice@exemple.fr") || !strings.Contains(body, "Forcalquier") || h.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("page de l'invitation : statut %d", status)
	}
	token := strings.TrimPrefix(link, "/invitation?jeton=")
	status, body, _ = b.send("POST", "/invitation", url.Values{"jeton": {token}, "name": {" "}, "password": {"123456789012"}, "confirm": {"123456789012"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "indiquez votre nom") || !strings.Contains(body, "mot de passe trop faible") {
		t.Errorf("nom vide, mot de passe faible : statut %d", status)
	}
	status, _, h = b.send("POST", "/invitation", url.Values{"jeton": {token}, "name": {"Directrice du centre"}, "password": {strongPassword}, "confirm": {strongPassword}})
	if status != http.StatusSeeOther || h.Get("Location") != "/taches" {
		t.Fatalf("activation : statut %d vers %q", status, h.Get("Location"))
	}
	if status, body, _ := b.send("GET", "/taches", nil); status != 200 || !strings.Contains(body, "Pour Centre socioculturel La Cordelière") {
		t.Errorf("après l'activation, ses tâches : statut %d", status)
	}
	if status, body, _ := b.send("GET", "/conventions", nil); status != 200 || !strings.Contains(body, "CC Pays Forcalquier") {
		t.Errorf("après l'activation, ses conventions : statut %d", status)
	}
	status, body, _ = b.send("GET", "/compte", nil)
	if status != 200 || !strings.Contains(body, "contributeur·rice pour Centre socioculturel La Cordelière") || strings.Contains(body, "cordeliere<") {
		t.Errorf("Mon compte ne nomme pas l'organisation (statut %d)", status)
	}

	other := e.browserFrom(t, "127.0.0.2")
	status, body, _ = other.send("POST", "/invitation", url.Values{"jeton": {token}, "name": {"Intrus"}, "password": {strongPassword + "!"}, "confirm": {strongPassword + "!"}})
	if status != http.StatusGone || !strings.Contains(body, "a déjà servi") {
		t.Errorf("lien réutilisé : statut %d", status)
	}
	if status, body, _ := other.send("GET", "/invitation?jeton=inconnu", nil); status != http.StatusNotFound || !strings.Contains(body, "copié en entier") {
		t.Errorf("lien inconnu : statut %d", status)
	}

	// An invitation left too long expires.
	_, body = e.do(t, "admin", "POST", members, url.Values{"email": {"tardif@exemple.fr"}, "role": {"reader"}})
	late := shownLinkPath(t, body)
	e.svc.SetClock(func() time.Time { return time.Now().Add(7*24*time.Hour + time.Minute) })
	if status, body, _ := other.send("GET", late, nil); status != http.StatusGone || !strings.Contains(body, "a expiré") {
		t.Errorf("invitation expirée : statut %d", status)
	}
	e.svc.SetClock(time.Now)

	// An existing account receives the role at once.
	resp, _ = e.do(t, "admin", "POST", members, url.Values{"email": {"autre-convention@exemple.fr"}, "role": {"reader"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("invitation d'un compte existant : statut %d", resp.StatusCode)
	}
	_, body = e.do(t, "admin", "GET", "/c/"+slug+"/historique", nil)
	for _, want := range []string{"invitation : contributeur·rice (Centre socioculturel La Cordelière), lien valable jusqu&#39;au", "accès accordé : lecteur·rice"} {
		if !strings.Contains(body, want) {
			t.Errorf("%q absent de l'historique", want)
		}
	}
}

func TestAccountsPageAndPasswordReset(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "plateforme", "GET", "/admin/comptes", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "editeur@exemple.fr") || !strings.Contains(body, `href="/admin/comptes"`) {
		t.Fatalf("page des comptes : statut %d", resp.StatusCode)
	}
	if _, body := e.do(t, "admin", "GET", "/c/"+slug, nil); strings.Contains(body, `href="/admin/comptes"`) {
		t.Error("lien vers les comptes montré à qui n'administre pas la plateforme")
	}

	resp, body = e.do(t, "plateforme", "POST", "/admin/comptes", url.Values{"email": {"editeur@exemple.fr"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "un compte existe déjà pour editeur@exemple.fr") {
		t.Errorf("compte en double : statut %d", resp.StatusCode)
	}
	resp, body = e.do(t, "plateforme", "POST", "/admin/comptes", url.Values{"email": {"nouvelle@exemple.fr"}, "organization": {"Mairie de Limans"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "transmettez ce lien à la personne") || !strings.Contains(body, "invitation en attente") {
		t.Fatalf("création de compte : statut %d", resp.StatusCode)
	}
	shownLinkPath(t, body)

	resp, body = e.do(t, "plateforme", "POST", "/admin/comptes/etat", url.Values{"email": {"plateforme@exemple.fr"}, "etat": {"desactiver"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "votre propre compte") {
		t.Errorf("désactivation de son propre compte : statut %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "plateforme", "POST", "/admin/comptes/etat", url.Values{"email": {"lecteur@exemple.fr"}, "etat": {"desactiver"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("désactivation : statut %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "lecteur", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("la session d'un compte désactivé reste ouverte : statut %d", resp.StatusCode)
	}
	if _, body := e.do(t, "plateforme", "GET", "/admin/comptes?fait=desactive", nil); !strings.Contains(body, "Réactiver le compte de lecteur") {
		t.Error("pas de bouton Réactiver pour le compte désactivé")
	}
	if resp, _ := e.do(t, "plateforme", "POST", "/admin/comptes/etat", url.Values{"email": {"lecteur@exemple.fr"}, "etat": {"reactiver"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("réactivation : statut %d", resp.StatusCode)
	}

	// A convention's administrator cannot choose an active member's
	// password; the platform hands out the reset link.
	if resp, body := e.do(t, "admin", "POST", "/c/"+slug+"/membres/lien", url.Values{"email": {"editeur@exemple.fr"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "seul·e un·e administrateur·rice de la plateforme") {
		t.Errorf("lien de réinitialisation par l'administrateur·rice de la convention : statut %d", resp.StatusCode)
	}
	resp, body = e.do(t, "plateforme", "POST", "/c/"+slug+"/membres/lien", url.Values{"email": {"editeur@exemple.fr"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Lien de réinitialisation du mot de passe de editeur@exemple.fr") {
		t.Fatalf("lien de réinitialisation : statut %d", resp.StatusCode)
	}
	link := shownLinkPath(t, body)
	b := e.browserFrom(t, "127.0.0.1")
	if status, _, _ := b.send("GET", link, nil); status != 200 {
		t.Fatalf("page de réinitialisation : statut %d", status)
	}
	token := strings.TrimPrefix(link, "/reinitialisation?jeton=")
	status, _, h := b.send("POST", "/reinitialisation", url.Values{"jeton": {token}, "password": {strongPassword}, "confirm": {strongPassword}})
	if status != http.StatusSeeOther || h.Get("Location") != "/compte?mot-de-passe=1" {
		t.Fatalf("réinitialisation : statut %d", status)
	}
	if status, body, _ := b.send("GET", "/compte?mot-de-passe=1", nil); status != 200 || !strings.Contains(body, "Mot de passe changé") {
		t.Errorf("pas connecté·e après la réinitialisation : statut %d", status)
	}
	if resp, _ := e.do(t, "editeur", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("l'ancienne session reste ouverte après la réinitialisation : statut %d", resp.StatusCode)
	}
	if status, body, _ := e.browserFrom(t, "127.0.0.2").send("GET", link, nil); status != http.StatusGone || !strings.Contains(body, "a déjà servi") {
		t.Errorf("lien de réinitialisation réutilisé : statut %d", status)
	}
	if e.browserFrom(t, "127.0.0.3").signIn("editeur@exemple.fr", strongPassword) != http.StatusSeeOther {
		t.Error("le nouveau mot de passe n'ouvre pas de session")
	}
	_, body = e.do(t, "plateforme", "GET", "/c/"+slug+"/historique", nil)
	if !strings.Contains(body, "lien de réinitialisation du mot de passe créé, lien valable jusqu&#39;au") {
		t.Error("création du lien absente de l'historique de la convention")
	}
}
