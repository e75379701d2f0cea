package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// findingKey returns the key of the open finding of a rule whose message
// contains text, as of checksDay.
func (e *testEnv) findingKey(t *testing.T, rule, text string) string {
	t.Helper()
	_, checks, err := e.svc.Checks(context.Background(), auth.System, slug, model.MustDate(checksDay))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range checks.Open {
		if l.Rule == rule && strings.Contains(l.Message, text) {
			return l.Key
		}
	}
	t.Fatalf("%s « %s » absent des constats ouverts", rule, text)
	return ""
}

// acknowledgedPart returns the part of the checks page that lists the
// acknowledged findings, and the part before it.
func acknowledgedPart(t *testing.T, body string) (open, acked string) {
	t.Helper()
	open, acked, ok := strings.Cut(body, `<details id="pris-en-compte">`)
	if !ok {
		t.Fatal("pas de section « Points pris en compte »")
	}
	return open, acked
}

func TestEditorAcknowledgesAFindingThatFoldsAwayAndStaysInTheExports(t *testing.T) {
	e := newEnv(t)
	page := "/c/" + slug + "/controles?au=" + checksDay
	_, before := e.do(t, "editeur", "GET", page, nil)
	if !strings.Contains(before, "Avertissements (15)") || strings.Contains(before, "Points pris en compte") {
		t.Fatal("page avant la prise en compte : 15 avertissements ouverts attendus (dont 2 étapes en retard et les délibérations à joindre), aucun point pris en compte")
	}
	reason := "Effet rétroactif voulu : les financements 2022 sont couverts."
	key := e.findingKey(t, "PERIOD-BEFORE-SIGNATURE", "rétroactif")
	resp, _ := e.do(t, "editeur", "POST", "/c/"+slug+"/controles/prendre-en-compte",
		url.Values{"key": {key}, "reason": {reason}, "au": {checksDay}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), page) {
		t.Fatalf("statut %d vers %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	_, body := e.do(t, "lecteur", "GET", page, nil)
	open, acked := acknowledgedPart(t, body)
	if strings.Contains(open, "effet rétroactif") || !strings.Contains(acked, "(effet rétroactif)") {
		t.Error("le constat pris en compte n'est pas replié dans « Points pris en compte »")
	}
	for _, want := range []string{"Points pris en compte (1)", "par editeur,", "Effet rétroactif voulu"} {
		if !strings.Contains(acked, want) {
			t.Errorf("%q absent des points pris en compte", want)
		}
	}
	if !strings.Contains(open, "Avertissements (14)") || !strings.Contains(open, "14 avertissement(s)") {
		t.Error("le constat pris en compte compte encore parmi les avertissements ouverts")
	}
	if strings.Contains(body, "annuler-prise-en-compte") || strings.Contains(body, "prendre-en-compte") {
		t.Error("un·e lecteur·rice voit les formulaires de prise en compte")
	}

	_, csv := e.do(t, "lecteur", "GET", "/c/"+slug+"/controles.csv?au="+checksDay, nil)
	lines := strings.Split(strings.TrimSpace(csv), "\r\n")
	last := lines[len(lines)-1]
	if !strings.Contains(lines[0], "Pris en compte par;Pris en compte le;Raison") || !strings.Contains(last, "PERIOD-BEFORE-SIGNATURE") ||
		!strings.Contains(last, ";editeur;") || strings.Contains(last, "@") || !strings.Contains(last, reason) {
		t.Errorf("CSV : en-tête %q, dernière ligne %q", lines[0], last)
	}

	_, js := e.do(t, "lecteur", "GET", "/api/v1/conventions/"+slug+"/checks?at="+checksDay, nil)
	var got struct {
		Counts       map[string]int `json:"counts"`
		Acknowledged int            `json:"acknowledged"`
		Findings     []app.Check    `json:"findings"`
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range got.Findings {
		if f.Key == key {
			found = f.Acknowledgement != nil && f.Acknowledgement.Reason == reason && f.Acknowledgement.By == "editeur"
		}
	}
	if !found || got.Acknowledged != 1 || got.Counts["warning"] != 14 {
		t.Errorf("API : constat pris en compte %v, %d pris en compte, %d avertissements", found, got.Acknowledged, got.Counts["warning"])
	}

	if _, hist := e.do(t, "lecteur", "GET", "/c/"+slug+"/historique", nil); !strings.Contains(hist, "Constat PERIOD-BEFORE-SIGNATURE (article 10) : pris en compte") {
		t.Error("prise en compte absente de l'historique")
	}
	if _, overview := e.do(t, "lecteur", "GET", "/c/"+slug+"?au="+checksDay, nil); !strings.Contains(overview, "1 point(s) pris en compte") {
		t.Error("la vue d'ensemble ne compte pas le point pris en compte")
	}

	// Withdrawn, the finding is open again.
	resp, _ = e.do(t, "admin", "POST", "/c/"+slug+"/controles/annuler-prise-en-compte", url.Values{"key": {key}, "au": {checksDay}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("annulation : statut %d", resp.StatusCode)
	}
	if _, body := e.do(t, "lecteur", "GET", page, nil); strings.Contains(body, "Points pris en compte") || !strings.Contains(body, "Avertissements (15)") {
		t.Error("après annulation, le constat n'est pas revenu parmi les constats ouverts")
	}
	if _, hist := e.do(t, "lecteur", "GET", "/c/"+slug+"/historique", nil); !strings.Contains(hist, "Constat PERIOD-BEFORE-SIGNATURE : prise en compte annulée") {
		t.Error("annulation absente de l'historique")
	}
}

func TestReadersAndContributorsCannotAcknowledge(t *testing.T) {
	e := newEnv(t)
	key := e.findingKey(t, "PERIOD-BEFORE-SIGNATURE", "rétroactif")
	for _, role := range []string{"lecteur", "contributeur"} {
		resp, _ := e.do(t, role, "POST", "/c/"+slug+"/controles/prendre-en-compte", url.Values{"key": {key}, "reason": {"je n'en ai pas le droit"}, "au": {checksDay}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s : statut %d, 403 attendu", role, resp.StatusCode)
		}
		if status := e.apiCall(t, role, "POST", "/api/v1/conventions/"+slug+"/checks/acknowledgements",
			`{"key": "`+key+`", "reason": "non", "at": "`+checksDay+`"}`); status != http.StatusForbidden {
			t.Errorf("%s par l'API : statut %d, 403 attendu", role, status)
		}
	}
	if _, body := e.do(t, "editeur", "GET", "/c/"+slug+"/controles?au="+checksDay, nil); strings.Contains(body, "Points pris en compte") {
		t.Error("un refus a tout de même pris le constat en compte")
	}
}

func TestAcknowledgingWithoutAReasonIsRefusedWithTheFormShownAgain(t *testing.T) {
	e := newEnv(t)
	key := e.findingKey(t, "PERIOD-BEFORE-SIGNATURE", "rétroactif")
	resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/controles/prendre-en-compte", url.Values{"key": {key}, "reason": {"   "}, "au": {checksDay}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("statut %d, 422 attendu", resp.StatusCode)
	}
	if !strings.Contains(body, "indiquez pourquoi ce constat est pris en compte") || !strings.Contains(body, `aria-describedby="raison-`+key+`-erreur"`) {
		t.Error("le refus ne dit pas quoi faire à côté du champ Raison")
	}
}

func TestIdenticalFindingsAreOneLineWithTheirPlaces(t *testing.T) {
	e := newEnv(t)
	f := e.record(t, "fiche", fiche22)
	e.amend(t, "fiche", f.Target.Meta.ID, map[string]string{"context": "XXXX", "description": "XXXX"})
	_, body := e.do(t, "editeur", "GET", "/c/"+slug+"/controles?au="+checksDay, nil)
	msg := "Valeur non remplie « XXXX » dans : « XXXX »."
	if n := strings.Count(body, msg+" <span class=\"meta\">(2 occurrences)</span>"); n != 1 {
		t.Errorf("%d ligne(s) « 2 occurrences » pour les deux « XXXX » de la fiche 2.2, 1 attendue", n)
	}
	_, csv := e.do(t, "editeur", "GET", "/c/"+slug+"/controles.csv?au="+checksDay, nil)
	if !strings.Contains(csv, "axes[1].fiches[1].context, axes[1].fiches[1].description;2;") {
		t.Error("le CSV ne donne pas les deux emplacements de la ligne fusionnée")
	}
}

func TestQuotedExcerptsAreCutBetweenWords(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"/controles?au="+checksDay, nil)
	if strings.Contains(body, "« … eurs d’évaluation") || strings.Contains(body, "l’effi … »") {
		t.Error("citation coupée au milieu d'un mot")
	}
	if !strings.Contains(body, "« … d’évaluation sont déclinés dans le plan, constituant l’annexe 4 de la présente convention. Ils permettent de mesurer … »") {
		t.Error("citation de l'article 9 absente")
	}
}

func TestOverviewIsADashboard(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "lecteur", "GET", "/c/"+slug+"?au=2025-06-01", nil)
	top, rest, ok := strings.Cut(body, "<h2>Parties signataires</h2>")
	if !ok {
		t.Fatal("parties absentes de la vue d'ensemble")
	}
	for _, want := range []string{
		"Avancement du plan", `href="/c/` + slug + `/plan?statut=planned"`,
		"2 étape(s) en retard", "Fiche 3.1, étape 2", "organiser un comité technique", "échéance du 31 décembre 2024",
		"Collecte 2024", "Valeurs attendues", "Validées", `href="/c/` + slug + `/collecte?annee=2024"`,
		"Prochaines échéances",
		"Contrôles", "9 erreur(s)", "15 avertissement(s)", `href="/c/` + slug + `/controles?au=2025-06-01"`,
	} {
		if !strings.Contains(top, want) {
			t.Errorf("%q absent du haut de la vue d'ensemble", want)
		}
	}
	// The findings are counted, not listed: they are on the checks page.
	for _, finding := range []string{"FICHE-TITLE-MISMATCH", "AUTH-DATE-MISSING", "Harmonisez le titre"} {
		if strings.Contains(body, finding) {
			t.Errorf("%q listé sur la vue d'ensemble", finding)
		}
	}
	for _, want := range []string{"Organisations citées", "Communes du territoire"} {
		if !strings.Contains(rest, want) {
			t.Errorf("%q absent sous les parties", want)
		}
	}
}

func TestAcknowledgingAFindingThatIsGoneSaysSo(t *testing.T) {
	e := newEnv(t)
	resp, body := e.do(t, "editeur", "POST", "/c/"+slug+"/controles/prendre-en-compte", url.Values{"key": {"disparu"}, "reason": {"une raison"}, "au": {checksDay}})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Ce constat n&#39;existe plus") {
		t.Errorf("statut %d, message absent", resp.StatusCode)
	}
	// Outside the convention, nothing tells that it exists.
	resp, body = e.do(t, "autre-convention", "POST", "/c/"+slug+"/controles/prendre-en-compte", url.Values{"key": {"disparu"}, "reason": {"une raison"}})
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "constat") {
		t.Errorf("hors convention : statut %d", resp.StatusCode)
	}
}
