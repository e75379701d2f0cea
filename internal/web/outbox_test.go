package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var mailLinkRE = regexp.MustCompile(`href="/admin/courriels/([0-9a-f]+)"`)

// Without an SMTP server, an invitation made on the members page is kept
// in the outbox, where platform administrators read what would have left.
func TestOutboxShowsWhatWouldHaveBeenSent(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "admin", "POST", "/c/"+slug+"/membres", url.Values{"email": {"directrice@exemple.fr"}, "role": {"contributor"}, "organization": {"cordeliere"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Elle n'est pas envoyée par courriel : transmettez ce lien à la personne.") {
		t.Fatalf("invitation : statut %d", resp.StatusCode)
	}
	shown := html.UnescapeString(linkRE.FindStringSubmatch(body)[1])

	resp, body = e.do(t, "plateforme", "GET", "/admin/courriels", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("boîte d'envoi : statut %d", resp.StatusCode)
	}
	for _, want := range []string{"Aucun serveur SMTP n'est configuré", "directrice@exemple.fr", "Invitation à rejoindre la convention « Convention territoriale globale",
		"<td>non envoyé</td>", "non envoyé : aucun serveur SMTP configuré"} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("boîte d'envoi sans « %s »", want)
		}
	}
	m := mailLinkRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("aucun lien vers le message")
	}
	resp, body = e.do(t, "plateforme", "GET", "/admin/courriels/"+m[1], nil)
	body = html.UnescapeString(body)
	token := shown[strings.Index(shown, "jeton=")+len("jeton="):]
	if resp.StatusCode != 200 || !strings.Contains(body, "vous invite à rejoindre la convention") ||
		!strings.Contains(body, strings.TrimSuffix(shown, token)+"[jeton personnel masqué]") || strings.Contains(body, token) {
		t.Errorf("message : statut %d, lien %s attendu dans le texte, jeton masqué", resp.StatusCode, shown)
	}
	resp, body = e.do(t, "plateforme", "GET", "/admin/courriels.csv", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "directrice@exemple.fr") ||
		!strings.Contains(body, "non envoyé") {
		t.Errorf("export CSV : statut %d\n%s", resp.StatusCode, body)
	}
	if resp, _ := e.do(t, "admin", "GET", "/admin/courriels", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("un·e administrateur·rice de convention voit la boîte d'envoi : statut %d", resp.StatusCode)
	}
}
