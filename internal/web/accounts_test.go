package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// cordeliereOrg returns the organization record of La Cordelière, for which
// the "contributeur" account acts.
func cordeliereOrg(c *model.Convention) string {
	for _, o := range c.Organizations {
		if o.Key == "cordeliere" {
			return o.ID
		}
	}
	return ""
}

func TestContributorCannotEditItsOrganizationRecord(t *testing.T) {
	e := newEnv(t)
	org := e.record(t, "organization", cordeliereOrg)
	path := "/api/v1/conventions/" + slug + "/records/organization/" + org.Target.Meta.ID
	body := `{"version": ` + strconv.Itoa(org.Version) + `, "fields": {"short_name": "Nom changé"}}`
	if status := e.apiCall(t, "contributeur", "PATCH", path, body); status != 403 {
		t.Errorf("contributeur·rice de l'organisation : statut %d, 403 attendu", status)
	}
	if got := e.record(t, "organization", cordeliereOrg); got.Values["short_name"] != org.Values["short_name"] {
		t.Errorf("nom court changé par un·e contributeur·rice : %q", got.Values["short_name"])
	}
	if status := e.apiCall(t, "editeur", "PATCH", path, body); status != 200 {
		t.Errorf("éditeur·rice : statut %d, 200 attendu", status)
	}
}

// browser is a client from one loopback address (127.0.0.2…), with its
// own cookies, that does not follow redirects.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
	csrf   string
}

func (e *testEnv) browserFrom(t *testing.T, ip string) *browser {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: e.srv.URL, client: &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) send(method, path string, form url.Values) (int, string, http.Header) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		if b.csrf != "" && form.Get("csrf") == "" {
			form.Set("csrf", b.csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindStringSubmatch(string(out)); m != nil {
		b.csrf = m[1]
	}
	return resp.StatusCode, string(out), resp.Header
}

// signIn posts the sign-in form and returns the status.
func (b *browser) signIn(email, password string) int {
	b.t.Helper()
	status, _, _ := b.send("POST", "/connexion", url.Values{"email": {email}, "password": {password}})
	if status == http.StatusSeeOther {
		b.send("GET", "/compte", nil) // picks up the session's CSRF token
	}
	return status
}

func TestConcurrentWrongPasswordsStopAtTheLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const password = "une phrase de passe assez longue"
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "coord@exemple.fr", Name: "Coordinatrice", Password: password}); err != nil {
		t.Fatal(err)
	}
	attacker := e.browserFrom(t, "127.0.0.1")
	const n = 12
	statuses := make(chan int, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			form := url.Values{"email": {"coord@exemple.fr"}, "password": {fmt.Sprintf("essai numéro %d", i)}}
			resp, err := attacker.client.PostForm(e.srv.URL+"/connexion", form)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	// Beyond the limit, an attempt is refused for too many tries, or told
	// to come back when more are being checked than the server takes at once.
	refused := count[http.StatusTooManyRequests] + count[http.StatusServiceUnavailable]
	if count[http.StatusUnauthorized] > 5 || count[http.StatusUnauthorized]+refused != n {
		t.Errorf("%d mots de passe faux envoyés ensemble : %d réponses « incorrect », %d refus (5 « incorrect » au plus)",
			n, count[http.StatusUnauthorized], refused)
	}
	if status := attacker.signIn("coord@exemple.fr", password); status != http.StatusTooManyRequests {
		t.Errorf("bon mot de passe depuis l'adresse bloquée : statut %d, 429 attendu", status)
	}
	// The person herself, from her own address, is not locked out.
	owner := e.browserFrom(t, "127.0.0.2")
	if status := owner.signIn("coord@exemple.fr", password); status != http.StatusSeeOther {
		t.Errorf("connexion depuis une autre adresse : statut %d, le compte est bloqué pour tous", status)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const oldPassword, newPassword = "une phrase de passe assez longue", "une autre phrase, neuve celle-ci"
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "coord@exemple.fr", Name: "Coordinatrice", Password: oldPassword}); err != nil {
		t.Fatal(err)
	}
	here, elsewhere := e.browserFrom(t, "127.0.0.1"), e.browserFrom(t, "127.0.0.3")
	if here.signIn("coord@exemple.fr", oldPassword) != http.StatusSeeOther || elsewhere.signIn("coord@exemple.fr", oldPassword) != http.StatusSeeOther {
		t.Fatal("connexion impossible")
	}
	status, body, _ := here.send("POST", "/compte/mot-de-passe", url.Values{"current_password": {oldPassword}, "new_password": {newPassword}, "confirm": {"autre chose"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "les deux saisies du nouveau mot de passe diffèrent") {
		t.Errorf("confirmation différente : statut %d", status)
	}
	status, body, _ = here.send("POST", "/compte/mot-de-passe", url.Values{"current_password": {oldPassword}, "new_password": {"123456789012"}, "confirm": {"123456789012"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "mot de passe trop faible") {
		t.Errorf("mot de passe trivial : statut %d", status)
	}
	status, body, _ = here.send("POST", "/compte/mot-de-passe", url.Values{"current_password": {"pas le bon du tout"}, "new_password": {newPassword}, "confirm": {newPassword}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "mot de passe actuel incorrect") {
		t.Errorf("mot de passe actuel faux : statut %d", status)
	}
	status, _, h := here.send("POST", "/compte/mot-de-passe", url.Values{"current_password": {oldPassword}, "new_password": {newPassword}, "confirm": {newPassword}})
	if status != http.StatusSeeOther {
		t.Fatalf("changement de mot de passe : statut %d", status)
	}
	if status, body, _ := here.send("GET", h.Get("Location"), nil); status != 200 || !strings.Contains(body, "Mot de passe changé") {
		t.Errorf("la session du changement est fermée : statut %d", status)
	}
	if status, _, _ := elsewhere.send("GET", "/compte", nil); status != http.StatusSeeOther {
		t.Errorf("l'autre session reste ouverte après le changement : statut %d", status)
	}
	if e.browserFrom(t, "127.0.0.4").signIn("coord@exemple.fr", oldPassword) != http.StatusUnauthorized {
		t.Error("l'ancien mot de passe ouvre encore une session")
	}
	if e.browserFrom(t, "127.0.0.4").signIn("coord@exemple.fr", newPassword) != http.StatusSeeOther {
		t.Error("le nouveau mot de passe n'ouvre pas de session")
	}
	entries := platformAudit(t, e)
	for _, want := range []string{"create", "sign_in", "sign_in_failure", "password"} {
		if !slices.ContainsFunc(entries, func(a model.AuditEntry) bool { return a.Action == want }) {
			t.Errorf("aucune entrée %q dans le journal", want)
		}
	}
	all, _ := json.Marshal(entries)
	for _, secret := range []string{oldPassword, newPassword, "pas le bon du tout"} {
		if strings.Contains(string(all), secret) {
			t.Errorf("mot de passe %q dans le journal", secret)
		}
	}
}

// platformAudit returns the audit entries that belong to no convention.
func platformAudit(t *testing.T, e *testEnv) []model.AuditEntry {
	t.Helper()
	entries, err := e.st.History(context.Background(), "", nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestTokensExpireAndCanBeRevoked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const password = "une phrase de passe assez longue"
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "coord@exemple.fr", Name: "Coordinatrice", Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(ctx, auth.System, "coord@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	b := e.browserFrom(t, "127.0.0.1")
	if b.signIn("coord@exemple.fr", password) != http.StatusSeeOther {
		t.Fatal("connexion impossible")
	}
	status, body, _ := b.send("POST", "/compte/jetons", url.Values{"name": {"tableur"}})
	token := regexp.MustCompile(`<code>(ctg_[^<]+)</code>`).FindStringSubmatch(body)
	if status != 200 || token == nil {
		t.Fatalf("création du jeton : statut %d", status)
	}
	expires := time.Now().Add(app.TokenTTL).In(paris).Format("02/01/2006")
	if !strings.Contains(body, "valable jusqu'au "+expires) {
		t.Errorf("date d'expiration (%s) absente de la création du jeton", expires)
	}
	api := func() int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/conventions/"+slug, nil)
		req.Header.Set("Authorization", "Bearer "+token[1])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := api(); code != 200 {
		t.Fatalf("jeton neuf : statut %d", code)
	}
	_, body, _ = b.send("GET", "/compte", nil)
	action := regexp.MustCompile(`action="(/compte/jetons/[^"]+/revoquer)"`).FindStringSubmatch(body)
	if action == nil || !strings.Contains(body, "tableur") {
		t.Fatal("jeton absent de Mon compte, ou sans bouton Révoquer")
	}
	if status, _, _ := b.send("POST", action[1], url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("révocation : statut %d", status)
	}
	if code := api(); code != http.StatusUnauthorized {
		t.Errorf("jeton révoqué : statut %d, 401 attendu", code)
	}
	entries := platformAudit(t, e)
	for _, want := range []string{"token_create", "token_revoke"} {
		if !slices.ContainsFunc(entries, func(a model.AuditEntry) bool { return a.Action == want }) {
			t.Errorf("aucune entrée %q dans le journal", want)
		}
	}
}

func TestDisabledAccountLosesAccessAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a, err := e.svc.ActorByEmail(ctx, "editeur@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := e.svc.CreateToken(ctx, a, "script")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetDisabled(ctx, a, "admin@exemple.fr", true); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("désactivation par qui n'administre pas la plateforme : %v", err)
	}
	if err := e.svc.SetDisabled(ctx, auth.System, "editeur@exemple.fr", true); err != nil {
		t.Fatal(err)
	}
	if resp, _ := e.do(t, "editeur", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("session d'un compte désactivé : statut %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/conventions", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("jeton d'un compte désactivé : statut %d", resp.StatusCode)
	}
	if !slices.ContainsFunc(platformAudit(t, e), func(a model.AuditEntry) bool { return a.Action == "disable" }) {
		t.Error("désactivation absente du journal")
	}
	// Reactivated, the account does not get its old tokens back.
	if err := e.svc.SetDisabled(context.Background(), auth.System, "editeur@exemple.fr", false); err != nil {
		t.Fatal(err)
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("ancien jeton d'un compte réactivé : statut %d", resp.StatusCode)
	}
}

func TestAdminRemovesAMembersAccess(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/membres", nil)
	if resp.StatusCode != 200 || strings.Contains(body, "editeur@exemple.fr") || strings.Contains(body, "Retirer") || !strings.Contains(body, "contributeur·rice") {
		t.Errorf("un·e lecteur·rice voit les adresses des membres ou le bouton Retirer (statut %d)", resp.StatusCode)
	}
	resp, body = e.do(t, "admin", "GET", "/c/"+slug+"/membres", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, "lecteur@exemple.fr") || !strings.Contains(body, "Retirer l'accès") {
		t.Fatalf("l'administrateur·rice ne voit pas les adresses ou le bouton Retirer (statut %d)", resp.StatusCode)
	}
	if resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/membres/retirer", url.Values{"email": {"lecteur@exemple.fr"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("retrait par un·e éditeur·rice : statut %d", resp.StatusCode)
	}
	// Asked first, then done.
	resp, body = e.do(t, "admin", "POST", "/c/"+slug+"/membres/retirer", url.Values{"email": {"lecteur@exemple.fr"}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Confirmer le retrait") {
		t.Errorf("retrait sans confirmation : statut %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "lecteur", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusOK {
		t.Errorf("accès retiré sans confirmation : %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "admin", "POST", "/c/"+slug+"/membres/retirer", url.Values{"email": {"lecteur@exemple.fr"}, "confirm": {"oui"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("retrait : statut %d", resp.StatusCode)
	}
	if resp, _ := e.do(t, "lecteur", "GET", "/c/"+slug, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("la convention reste visible après le retrait : statut %d", resp.StatusCode)
	}
	if _, body := e.do(t, "admin", "GET", "/c/"+slug+"/historique", nil); !strings.Contains(body, "accès retiré") {
		t.Error("retrait absent de l'historique de la convention")
	}
}

func TestSafeNextKeepsOnlyLocalPaths(t *testing.T) {
	hostile := []string{"", "//evil.example", "/\\evil.example", "/%09/evil.example", "/\t/evil.example", "https://evil.example",
		"/%2F%2Fevil.example", "%2F%2Fevil.example", "javascript:alert(1)", "/%5Cevil.example", "\\\\evil.example", "/ /evil.example",
		"/%0d%0aLocation:%20https://evil.example", "http:/evil.example", "//user@evil.example/", "/%E2%80%A8/evil.example", "evil.example"}
	for _, next := range hostile {
		if got := safeNext(next); got != "/conventions" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	local := map[string]string{"/compte": "/compte", "/c/x/fiches/2.2": "/c/x/fiches/2.2", "/c/x/recherche?q=deux+mots": "/c/x/recherche?q=deux+mots",
		"/c/x/plan?axe=3#haut": "/c/x/plan?axe=3"}
	for next, want := range local {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, %q attendu", next, got, want)
		}
	}
}

func TestSignInNeverRedirectsElsewhere(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const password = "une phrase de passe assez longue"
	if _, err := e.svc.AddUser(ctx, app.NewUser{Email: "coord@exemple.fr", Name: "Coordinatrice", Password: password}); err != nil {
		t.Fatal(err)
	}
	b := e.browserFrom(t, "127.0.0.1")
	status, _, h := b.send("POST", "/connexion", url.Values{"email": {"coord@exemple.fr"}, "password": {password}, "suite": {"/%09/evil.example"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/conventions" {
		t.Errorf("après connexion : statut %d vers %q", status, h.Get("Location"))
	}
}
