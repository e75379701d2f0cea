package web

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// exchangeForm is a complete request of the Commune de Limans to the Caf.
func exchangeForm(role string) url.Values {
	return url.Values{"requester": {"limans"}, "holder": {"caf04"}, "title": {"Familles de " + role},
		"data_categories": {"composition du foyer"}, "purpose": {"tarification"}, "legal_basis": {"public_task"},
		"persons": {"allocataires avec enfants"}, "retention": {"un an"}, "recipients": {"service enfance"},
		"transfers_outside_eu": {"non"}, "security_measures": {"dépôt chiffré"}}
}

func exchangeJSON(role string) string {
	in := app.DataRequestInput{}
	f := exchangeForm(role)
	in.Requester, in.Holder, in.Title, in.DataCategories, in.Purpose = f.Get("requester"), f.Get("holder"), f.Get("title"), f.Get("data_categories"), f.Get("purpose")
	in.LegalBasis, in.Persons, in.Retention, in.Recipients, in.Security = f.Get("legal_basis"), f.Get("persons"), f.Get("retention"), f.Get("recipients"), f.Get("security_measures")
	b, _ := json.Marshal(in)
	return string(b)
}

const exchangeOpinionJSON = `{"opportunity": "utile", "feasibility": "faisable", "compliance": "conforme", "opinion": "favorable", "opinion_text": "Avis favorable"}`

// exchange files a request of Limans to the Caf and takes it through
// the steps up to after (none: just filed) as a platform administrator;
// it returns its id.
func (e *testEnv) exchange(t *testing.T, after string) string {
	t.Helper()
	ctx := context.Background()
	f := exchangeForm("la matrice")
	r, err := e.svc.FileDataRequest(ctx, auth.System, slug, app.DataRequestInput{Requester: "limans", Holder: "caf04", Title: f.Get("title"),
		DataCategories: "composition du foyer", Purpose: "tarification", LegalBasis: "public_task", Persons: "allocataires",
		Retention: "un an", Recipients: "service enfance", Security: "dépôt chiffré"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		in   app.DataRequestStep
	}{{app.StepStudy, app.DataRequestStep{}},
		{app.StepOpinion, app.DataRequestStep{Opportunity: "utile", Feasibility: "faisable", Compliance: "conforme", Opinion: "favorable", OpinionText: "Avis"}},
		{app.StepDecision, app.DataRequestStep{Decision: "accepted"}}}
	for _, st := range steps {
		if after == "" {
			break
		}
		if r, err = e.svc.AdvanceDataRequest(ctx, auth.System, slug, r.ID, st.name, st.in); err != nil {
			t.Fatal(err)
		}
		if st.name == after {
			break
		}
	}
	return r.ID
}

// grantDPO gives a new account the DPO role of an organization and a
// session, under the role's name.
func (e *testEnv) grantDPO(t *testing.T, role, org string) {
	t.Helper()
	ctx := context.Background()
	u := &auth.User{Email: role + "@exemple.fr", Name: role, PasswordHash: "x"}
	if err := e.st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(ctx, auth.System, u.Email, auth.Membership{Convention: slug, Role: auth.RoleDPO, Organization: org}); err != nil {
		t.Fatal(err)
	}
	token, csrf, err := e.st.CreateSession(ctx, u.ID, 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	e.sessions[role] = session{token, csrf}
}

// TestDPOStudiesTheRequestsAddressedToTheirOrganization: the Caf's DPO
// finds the request addressed to the Caf on top of the list, opens the
// study and gives the opinion from the request's page; the MSA's DPO sees
// the request but no form, and is refused the opinion; a step out of
// order shows the field's message.
func TestDPOStudiesTheRequestsAddressedToTheirOrganization(t *testing.T) {
	e := newEnv(t)
	e.grantDPO(t, "dpo-caf", "caf04")
	e.grantDPO(t, "dpo-msa", "msa-alpes-vaucluse")
	c := "/c/" + slug

	resp, body := e.do(t, "contributeur-autre", "POST", c+"/echanges-donnees", exchangeForm("Limans"))
	if resp.StatusCode != 303 {
		t.Fatalf("dépôt : %d %s", resp.StatusCode, body)
	}
	page := resp.Header.Get("Location")
	_, body = e.do(t, "dpo-caf", "GET", c+"/echanges-donnees", nil)
	if !strings.Contains(body, "À votre étude") || !strings.Contains(body, "Familles de Limans") {
		t.Errorf("liste du DPO de la Caf sans la demande à étudier :\n%s", body)
	}
	_, body = e.do(t, "dpo-msa", "GET", c+"/echanges-donnees", nil)
	if !strings.Contains(body, "Aucune demande adressée à Mutualité Sociale Agricole Alpes Vaucluse n'attend") || !strings.Contains(body, "Familles de Limans") {
		t.Errorf("liste du DPO de la MSA :\n%s", body)
	}
	if _, body = e.do(t, "dpo-msa", "GET", page, nil); strings.Contains(body, "Ouvrir l'étude") {
		t.Errorf("le DPO de la MSA voit le formulaire d'étude")
	}
	// The opinion before the study names the field.
	opinion := url.Values{"opportunity": {"utile"}, "feasibility": {"faisable"}, "compliance": {"conforme"}, "opinion": {"favorable"}, "opinion_text": {"Avis"}}
	if resp, body = e.do(t, "dpo-caf", "POST", page+"/avis", opinion); resp.StatusCode != 422 || !strings.Contains(body, "ne se rend que sur une demande en étude") {
		t.Errorf("avis avant l'étude : %d", resp.StatusCode)
	}
	if _, body = e.do(t, "dpo-caf", "GET", page, nil); !strings.Contains(body, "Ouvrir l'étude") {
		t.Fatalf("pas de formulaire d'étude pour le DPO de la Caf :\n%s", body)
	}
	if resp, _ = e.do(t, "dpo-caf", "POST", page+"/etude", url.Values{}); resp.StatusCode != 303 {
		t.Fatalf("ouverture de l'étude : %d", resp.StatusCode)
	}
	if resp, _ = e.do(t, "dpo-msa", "POST", page+"/avis", opinion); resp.StatusCode != 403 {
		t.Errorf("avis du DPO de la MSA : %d", resp.StatusCode)
	}
	if resp, _ = e.do(t, "contributeur-autre", "POST", page+"/avis", opinion); resp.StatusCode != 403 {
		t.Errorf("avis écrit par le demandeur : %d", resp.StatusCode)
	}
	if resp, _ = e.do(t, "dpo-caf", "POST", page+"/avis", opinion); resp.StatusCode != 303 {
		t.Fatalf("avis : %d", resp.StatusCode)
	}
	if _, body = e.do(t, "lecteur", "GET", page, nil); !strings.Contains(body, "avis rendu") || !strings.Contains(body, "Conformité au RGPD") {
		t.Errorf("page après l'avis :\n%s", body)
	}
	// Elsewhere the DPO reads like a reader.
	fiche := e.record(t, "fiche", fiche22)
	if resp, _ = e.do(t, "dpo-caf", "POST", c+"/modifier/fiche/"+fiche.Target.Meta.ID, url.Values{"version": {"1"}, "title": {"x"}}); resp.StatusCode != 403 {
		t.Errorf("le DPO modifie une fiche : %d", resp.StatusCode)
	}
}

// TestRegisterListsImplementedExchangesAsCSVAndPDF: an implemented
// exchange gives one line per controller in the CSV, a formula typed in a
// field is neutralized, and the PDF is a PDF.
func TestRegisterListsImplementedExchangesAsCSVAndPDF(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := app.DataRequestInput{Requester: "limans", Holder: "caf04", Title: "=HYPERLINK(\"x\")", DataCategories: "composition du foyer",
		Purpose: "tarification", LegalBasis: string(model.BasisPublicTask), Persons: "allocataires", Retention: "un an",
		Recipients: "service enfance", Security: "dépôt chiffré"}
	r, err := e.svc.FileDataRequest(ctx, auth.System, slug, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		name string
		in   app.DataRequestStep
	}{{app.StepStudy, app.DataRequestStep{}},
		{app.StepOpinion, app.DataRequestStep{Opportunity: "u", Feasibility: "f", Compliance: "c", Opinion: "favorable", OpinionText: "Avis"}},
		{app.StepDecision, app.DataRequestStep{Decision: "accepted"}}, {app.StepImplementation, app.DataRequestStep{ImplementedOn: time.Now().In(paris).Format("2006-01-02")}}} {
		if _, err := e.svc.AdvanceDataRequest(ctx, auth.System, slug, r.ID, st.name, st.in); err != nil {
			t.Fatal(err)
		}
	}
	c := "/c/" + slug
	_, csv := e.do(t, "lecteur", "GET", c+"/registre-art30.csv", nil)
	if n := strings.Count(csv, "'=HYPERLINK"); n != 2 || !strings.Contains(csv, "responsable de traitement source") {
		t.Errorf("CSV du registre (%d lignes neutralisées) :\n%s", n, csv)
	}
	_, csv = e.do(t, "lecteur", "GET", c+"/registre-art30.csv?organisation=limans", nil)
	if strings.Contains(csv, "responsable de traitement source") || !strings.Contains(csv, "responsable de traitement destinataire") {
		t.Errorf("CSV filtré sur Limans :\n%s", csv)
	}
	resp, pdf := e.do(t, "lecteur", "GET", c+"/registre-art30.pdf", nil)
	if resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF") {
		t.Errorf("PDF du registre : %s", resp.Header.Get("Content-Type"))
	}
	if _, body := e.do(t, "lecteur", "GET", c+"/registre-art30", nil); !strings.Contains(body, "Commune de Limans") {
		t.Errorf("page du registre sans la commune")
	}
}

// A contributor of an organization that is not a party is told why they
// file no request.
func TestNonPartyIsToldWhyItFilesNoRequest(t *testing.T) {
	e := newEnv(t)
	_, body := e.do(t, "contributeur", "GET", "/c/"+slug+"/echanges-donnees", nil)
	if strings.Contains(body, "Demander un échange de données</a>") || !strings.Contains(body, "n'en est pas partie et ne dépose pas de demande") {
		t.Error("la contributrice d'une organisation non partie ne sait pas pourquoi elle ne dépose pas de demande")
	}
}
