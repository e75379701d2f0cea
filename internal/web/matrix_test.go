package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/docs"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// expect gives the status each role must get.
type expect map[string]int

// readPage: members read, others of the platform get 404, visitors are
// sent to the sign-in page.
func readPage() expect {
	return expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 404}
}

func readAPI() expect {
	e := readPage()
	e["anonyme"] = 401
	return e
}

func public() expect { return everyone(200) }

// write: the allowed roles succeed with ok, members without the right get
// 403, non-members 404, visitors anon.
func write(ok, anon int, allowed ...string) expect {
	e := expect{"anonyme": anon, "autre-convention": 404}
	for _, r := range roles[1 : len(roles)-1] {
		e[r] = 403
		if slices.Contains(allowed, r) {
			e[r] = ok
		}
	}
	return e
}

func everyone(status int) expect {
	e := expect{}
	for _, r := range roles {
		e[r] = status
	}
	return e
}

// platformOnly: platform administrators succeed with ok, every other
// account gets 403, visitors are sent to the sign-in page.
func platformOnly(ok int) expect {
	e := expect{"anonyme": 303}
	for _, r := range roles[1:] {
		e[r] = 403
	}
	e["plateforme"] = ok
	return e
}

type matrixCase struct {
	method, path string
	// dynamic, when set, gives the path at request time (records created
	// for the occasion, such as the ones each role deletes).
	dynamic func(role string) string
	// form builds the form (HTML) or JSON body (API) at request time, when
	// the record's current version is known.
	form func(role string) url.Values
	json func(role string) string
	// upload, when set, sends a file as multipart/form-data.
	upload func(role string) string
	expect expect
}

func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	// Avenant n° 1 is in preparation (on the signed convention): each role
	// records an authorization; signature and abandon are refused to those
	// allowed for a future date or a stale version, so that it stays in
	// preparation. The convention is then a draft again, for the forms.
	if _, err := e.svc.PrepareAmendment(context.Background(), auth.System, slug, "Avenant de la matrice"); err != nil {
		t.Fatal(err)
	}
	e.draft(t)
	fiche := e.record(t, "fiche", fiche22).Target.Meta.ID
	step := e.record(t, "step", step22).Target.Meta.ID
	eqOwn := e.record(t, "equipment", cordeliere).Target.Meta.ID
	eqOther := e.record(t, "equipment", limans).Target.Meta.ID
	if err := e.svc.Enqueue(context.Background(), app.Outgoing{To: "membre@exemple.fr", Subject: "Message de la matrice", Text: "Bonjour"}); err != nil {
		t.Fatal(err)
	}
	outbox, err := e.svc.Outbox(context.Background(), &auth.Actor{PlatformAdmin: true}, 1)
	if err != nil || len(outbox) != 1 {
		t.Fatal(err)
	}
	directory, err := e.svc.DirectoryEntries(context.Background(), &auth.Actor{PlatformAdmin: true})
	if err != nil || len(directory) == 0 {
		t.Fatal(err)
	}
	c := "/c/" + slug
	editForm := func(kind, pickField string, pick func(*model.Convention) string) func(string) url.Values {
		return func(role string) url.Values {
			r := e.record(t, kind, pick)
			return url.Values{"version": {strconv.Itoa(r.Version)}, pickField: {"valeur de " + role}}
		}
	}
	editJSON := func(kind string, pick func(*model.Convention) string) func(string) string {
		return func(role string) string {
			r := e.record(t, kind, pick)
			return `{"version": ` + strconv.Itoa(r.Version) + `, "fields": {"text": "texte de ` + role + `"}}`
		}
	}
	convID := e.record(t, "convention", func(c *model.Convention) string { return c.ID }).Target.Meta.ID
	meeting, err := e.svc.SaveMeeting(context.Background(), auth.System, slug, "", 0, app.MeetingInput{Committee: "copil", Date: "2025-10-14"})
	if err != nil {
		t.Fatal(err)
	}
	decision, err := e.svc.SaveDecision(context.Background(), auth.System, slug, meeting.ID, app.DecisionInput{Text: "Décision de la matrice"})
	if err != nil {
		t.Fatal(err)
	}
	event := e.eventFor(t)
	meetingVersion := func() int {
		_, m, err := e.svc.Meeting(context.Background(), auth.System, slug, meeting.ID)
		if err != nil {
			t.Fatal(err)
		}
		return m.Version
	}
	// newIndicator adds an indicator to fiche 2.2 for a role to delete.
	newIndicator := func(role string) *app.Record {
		r, err := e.svc.Create(context.Background(), auth.System, slug, "indicator", fiche, map[string]string{"label": "à supprimer par " + role})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Each role enters a value of its own indicator, and validates a draft
	// made for it, so that the cases do not depend on one another.
	codes := map[string][2]string{}
	pool := []string{"1.1-1", "2.1-1", "2.1-2", "2.1-3", "2.1-5", "2.1-6", "2.2-1", "2.2-2", "3.1-1", "3.1-2", "3.1-3", "3.1-5", "3.1-6", "4.1-1", "4.2-1", "4.2-2"}
	for i, r := range roles {
		codes[r] = [2]string{pool[2*i], pool[2*i+1]}
	}
	if _, err := e.svc.RemoveDemo(context.Background(), slug); err != nil {
		t.Fatal(err)
	}
	draftFor := func(role, period string) string {
		v, err := e.svc.SaveValue(context.Background(), auth.System, slug, codes[role][1], app.ValueInput{Period: period, Number: "4"})
		if err != nil {
			t.Fatal(err)
		}
		return v.ID
	}
	// The bulk actions work on drafts of other indicators, one per role.
	extra := map[string]string{}
	for i, code := range []string{"2.2-3", "2.2-4", "3.1-7", "4.1-2", "4.2-3", "4.2-4", "7.1-1", "7.1-2"} {
		extra[roles[i]] = code
	}
	bulkDraft := func(role, period string) string {
		v, err := e.svc.SaveValue(context.Background(), auth.System, slug, extra[role], app.ValueInput{Period: period, Number: "4"})
		if err != nil {
			t.Fatal(err)
		}
		return v.ID + ":" + strconv.Itoa(v.Version)
	}
	api := "/api/v1/conventions/" + slug
	cases := []matrixCase{
		{method: "GET", path: c + "/avenants", expect: readPage()},
		{method: "POST", path: c + "/avenants", form: func(string) url.Values { return url.Values{"objet": {" "}} },
			expect: write(422, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/avenants/1", expect: readPage()},
		{method: "POST", path: c + "/avenants/1/autorisations", form: func(role string) url.Values {
			return url.Values{"organisation": {"caf04"}, "organe": {"Conseil d'administration"}, "date": {"2023-03-01"}, "reference": {role}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/avenants/1/signature", form: func(string) url.Values { return url.Values{"date": {"2999-01-01"}} },
			expect: write(422, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/avenants/1/abandon", form: func(string) url.Values { return url.Values{"version": {"999"}, "confirmer": {"oui"}} },
			expect: write(409, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/versions", expect: readPage()},
		{method: "GET", path: api + "/amendments", expect: readAPI()},
		{method: "POST", path: api + "/amendments", json: func(string) string { return `{"object": ""}` }, expect: write(422, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: api + "/amendments/1", expect: readAPI()},
		{method: "PUT", path: api + "/amendments/1/authorizations/caf04", json: func(role string) string {
			return `{"body": "Conseil d'administration", "decided_on": "2023-03-01", "reference": "` + role + `"}`
		}, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: api + "/amendments/1/signature", json: func(string) string { return `{"signed_on": "2999-01-01"}` },
			expect: write(422, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: api + "/amendments/1/abandon", json: func(string) string { return `{"version": 999}` },
			expect: write(409, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/indicateurs", expect: readPage()},
		{method: "GET", path: c + "/indicateurs.csv", expect: readPage()},
		{method: "GET", path: c + "/indicateurs/2.2-1", expect: readPage()},
		{method: "GET", path: c + "/collecte?annee=2024", expect: readPage()},
		{method: "GET", path: c + "/bilan.pdf?annee=2024", expect: readPage()},
		{method: "GET", path: c + "/bilan.xlsx?final=1", expect: readPage()},
		{method: "GET", path: c + "/convention.pdf", expect: readPage()},
		{method: "GET", path: c + "/collecte.csv", expect: readPage()},
		{method: "GET", path: c + "/collecte/saisie?annee=2022", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200,
			"contributeur": 200, "contributeur-autre": 200, "lecteur": 403, "autre-convention": 404}},
		{method: "POST", path: c + "/collecte/saisie?annee=2022", form: func(string) url.Values { return url.Values{"code": {"1.1-1"}, "period": {"2022"}, "value": {""}} },
			expect: expect{"anonyme": 303, "plateforme": 422, "admin": 422, "editeur": 422, "contributeur": 422, "contributeur-autre": 422,
				"lecteur": 403, "autre-convention": 404}},
		{method: "GET", path: c + "/collecte/formulaire.xlsx?annee=2024", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200,
			"contributeur": 200, "contributeur-autre": 200, "lecteur": 403, "autre-convention": 404}},
		{method: "POST", path: c + "/collecte/import", upload: func(string) string { return "pas un classeur" },
			expect: expect{"anonyme": 303, "plateforme": 422, "admin": 422, "editeur": 422, "contributeur": 422, "contributeur-autre": 422,
				"lecteur": 403, "autre-convention": 404}},
		{method: "POST", path: c + "/indicateurs/import", upload: func(role string) string {
			return "Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n" + codes[role][0] + ";2024;;2;;;\r\n"
		}, expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 422, "contributeur-autre": 422,
			"lecteur": 403, "autre-convention": 404}},
		{method: "POST", path: c + "/indicateurs/{code}", dynamic: func(role string) string { return c + "/indicateurs/" + codes[role][0] },
			form: func(string) url.Values { return url.Values{"period": {"2022"}, "value": {"3"}} }, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/valeurs/{id}/valider", dynamic: func(role string) string { return c + "/valeurs/" + draftFor(role, "2022") + "/valider" },
			form: func(string) url.Values { return url.Values{"version": {"1"}} }, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/couverture?departement=04", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/couverture.csv?departement=04", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/api/v1/coverage?departement=04", expect: expect{"anonyme": 401, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/portefeuille", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/portefeuille.csv", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/api/v1/portfolio", expect: expect{"anonyme": 401, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/taches", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "POST", path: c + "/collecte/soumettre", form: func(string) url.Values { return url.Values{"annee": {"2024"}, "organisation": {""}} },
			expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur", "contributeur-autre")},
		{method: "POST", path: c + "/collecte/responsables", form: func(string) url.Values { return url.Values{"organisation": {"dsden"}, "indicateur": {"7.1-3"}} },
			expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/valeurs/lot", form: func(role string) url.Values {
			return url.Values{"action": {"valider"}, "valeur": {bulkDraft(role, "2022")}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/values/bulk", json: func(role string) string {
			id, version, _ := strings.Cut(bulkDraft(role, "2023"), ":")
			return `{"action": "valider", "values": [{"id": "` + id + `", "version": ` + version + `}]}`
		}, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/values", expect: readAPI()},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/indicators/{code}/values", dynamic: func(role string) string {
			return "/api/v1/conventions/" + slug + "/indicators/" + codes[role][0] + "/values"
		}, json: func(string) string { return `{"period": "2023", "value": "5"}` }, expect: write(201, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/values/{id}/soumettre", dynamic: func(role string) string {
			return "/api/v1/conventions/" + slug + "/values/" + draftFor(role, "2023") + "/soumettre"
		}, json: func(string) string { return `{"version": 1}` }, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/", expect: expect{"anonyme": 200, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 303, "contributeur-autre": 303, "lecteur": 303, "autre-convention": 303}},
		{method: "GET", path: "/healthz", expect: public()},
		{method: "GET", path: "/static/style.css", expect: public()},
		{method: "GET", path: "/connexion", expect: expect{"anonyme": 200, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 303, "contributeur-autre": 303, "lecteur": 303, "autre-convention": 303}},
		{method: "GET", path: "/compte", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "POST", path: "/compte/jetons", form: func(string) url.Values { return url.Values{"name": {"outil"}} },
			expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "POST", path: "/compte/jetons/{id}/revoquer", dynamic: func(role string) string {
			return "/compte/jetons/" + e.tokenOf(t, role) + "/revoquer"
		}, form: func(string) url.Values { return url.Values{} },
			expect: expect{"anonyme": 303, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 303, "contributeur-autre": 303, "lecteur": 303, "autre-convention": 303}},
		{method: "POST", path: "/compte/mot-de-passe", form: func(string) url.Values {
			return url.Values{"current_password": {"pas le bon"}, "new_password": {"une phrase assez longue"}, "confirm": {"une phrase assez longue"}}
		}, expect: expect{"anonyme": 303, "plateforme": 422, "admin": 422, "editeur": 422, "contributeur": 422, "contributeur-autre": 422, "lecteur": 422, "autre-convention": 422}},
		{method: "POST", path: "/compte/nom", form: func(string) url.Values { return url.Values{"name": {"  "}} },
			expect: expect{"anonyme": 303, "plateforme": 422, "admin": 422, "editeur": 422, "contributeur": 422, "contributeur-autre": 422, "lecteur": 422, "autre-convention": 422}},
		{method: "GET", path: "/invitation", dynamic: func(role string) string {
			return "/invitation?jeton=" + e.linkFor(t, auth.LinkInvitation, "ouvre-"+role)
		},
			expect: public()},
		{method: "POST", path: "/invitation", form: func(role string) url.Values {
			return url.Values{"jeton": {e.linkFor(t, auth.LinkInvitation, "active-"+role)}, "name": {"Invité·e"}, "password": {strongPassword}, "confirm": {strongPassword}}
		}, expect: everyone(303)},
		{method: "GET", path: "/reinitialisation", dynamic: func(role string) string {
			return "/reinitialisation?jeton=" + e.linkFor(t, auth.LinkReset, "oublie-"+role)
		}, expect: public()},
		{method: "POST", path: "/reinitialisation", form: func(role string) url.Values {
			return url.Values{"jeton": {e.linkFor(t, auth.LinkReset, "change-"+role)}, "password": {strongPassword}, "confirm": {strongPassword}}
		}, expect: everyone(303)},
		{method: "GET", path: "/admin/comptes", expect: platformOnly(200)},
		{method: "POST", path: "/admin/comptes", form: func(role string) url.Values {
			return url.Values{"email": {"cree-par-" + role + "@exemple.fr"}, "organization": {"Mairie"}}
		}, expect: platformOnly(200)},
		{method: "POST", path: "/admin/comptes/etat", form: func(role string) url.Values {
			return url.Values{"email": {e.account(t, "a-desactiver-par-"+role)}, "etat": {"desactiver"}}
		}, expect: platformOnly(303)},
		{method: "POST", path: "/admin/comptes/lien", form: func(string) url.Values { return url.Values{"email": {"lecteur@exemple.fr"}} },
			expect: platformOnly(200)},
		{method: "GET", path: "/admin/organisations", expect: platformOnly(200)},
		{method: "POST", path: "/admin/organisations", form: func(role string) url.Values {
			return url.Values{"kind": {"association"}, "name": {"Association créée par " + role}}
		}, expect: platformOnly(303)},
		{method: "GET", path: "/admin/organisations.csv", expect: platformOnly(200)},
		{method: "GET", path: "/admin/organisations/" + directory[0].ID, expect: platformOnly(200)},
		{method: "POST", path: "/admin/organisations/" + directory[0].ID + "/comptes", form: func(role string) url.Values {
			return url.Values{"email": {e.account(t, "rattache-par-"+role)}, "role": {"reader"}}
		}, expect: platformOnly(303)},
		{method: "GET", path: "/admin/courriels", expect: platformOnly(200)},
		{method: "GET", path: "/admin/courriels.csv", expect: platformOnly(200)},
		{method: "GET", path: "/admin/courriels/" + outbox[0].ID, expect: platformOnly(200)},
		{method: "GET", path: "/brouillon", expect: platformOnly(200)},
		{method: "POST", path: "/brouillon", upload: func(string) string { return string(signedText(t)) }, expect: platformOnly(200)},
		{method: "POST", path: "/brouillon/yaml", form: func(string) url.Values { return url.Values{"texte": {string(signedText(t))}} },
			expect: platformOnly(200)},
		{method: "POST", path: "/brouillon/creer", form: func(string) url.Values { return url.Values{"texte": {""}} },
			expect: platformOnly(422)},
		{method: "GET", path: "/conventions/nouvelle?q=forcalquier", expect: platformOnly(200)},
		{method: "GET", path: "/conventions/nouvelle?epci=240400440", expect: platformOnly(200)},
		{method: "POST", path: "/conventions/nouvelle", form: func(string) url.Values {
			return url.Values{"epci": {"240400440"}, "caf_nom": {""}, "partie_caf": {"1"}}
		}, expect: platformOnly(422)},
		{method: "POST", path: "/api/v1/conventions", json: func(string) string { return `{"epci": "zzqxw", "caf": {"name": "Caf"}}` },
			expect: func() expect { e := platformOnly(422); e["anonyme"] = 401; return e }()},
		{method: "POST", path: c + "/membres/lien", form: func(string) url.Values { return url.Values{"email": {"lecteur@exemple.fr"}} },
			expect: expect{"anonyme": 303, "plateforme": 200, "admin": 422, "editeur": 403, "contributeur": 403, "contributeur-autre": 403, "lecteur": 403, "autre-convention": 404}},
		{method: "GET", path: "/conventions", expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: c, expect: readPage()},
		{method: "GET", path: c + "/diagnostic", expect: readPage()},
		{method: "GET", path: c + "/plan", expect: readPage()},
		{method: "GET", path: c + "/fiches/2.2", expect: readPage()},
		{method: "POST", path: c + "/fiches/2.2/appreciation", form: func(role string) url.Values {
			version := 0
			list, err := e.svc.Assessments(context.Background(), auth.System, slug, "2.2")
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range list {
				if x.Year == 2024 {
					version = x.Version
				}
			}
			return url.Values{"annee": {"2024"}, "version": {strconv.Itoa(version)}, "texte": {"appréciation de " + role}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/equipements", expect: readPage()},
		{method: "GET", path: c + "/equipements.csv", expect: readPage()},
		{method: "GET", path: c + "/gouvernance", expect: readPage()},
		{method: "GET", path: c + "/texte", expect: readPage()},
		{method: "GET", path: c + "/recherche?q=caf", expect: readPage()},
		{method: "GET", path: c + "/historique", expect: readPage()},
		{method: "GET", path: c + "/controles", expect: readPage()},
		{method: "GET", path: c + "/controles.csv", expect: readPage()},
		{method: "POST", path: c + "/controles/prendre-en-compte", form: func(role string) url.Values {
			return url.Values{"key": {e.openKey(t)}, "reason": {"pris en compte par " + role}, "au": {checksDay}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/controles/annuler-prise-en-compte", form: func(string) url.Values {
			return url.Values{"key": {e.acknowledgedKey(t)}, "au": {checksDay}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/checks/acknowledgements", json: func(role string) string {
			return `{"key": "` + e.openKey(t) + `", "reason": "pris en compte par ` + role + `", "at": "` + checksDay + `"}`
		}, expect: write(201, 401, "plateforme", "admin", "editeur")},
		{method: "DELETE", path: "/api/v1/conventions/" + slug + "/checks/acknowledgements/{key}", dynamic: func(string) string {
			return "/api/v1/conventions/" + slug + "/checks/acknowledgements/" + e.acknowledgedKey(t)
		}, json: func(string) string { return "" }, expect: write(204, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/calendrier", expect: readPage()},
		{method: "GET", path: c + "/calendrier.csv", expect: readPage()},
		{method: "GET", path: "/ical/{file}", dynamic: func(role string) string { return "/ical/" + e.feedOf(t, role, "") + ".ics" }, expect: public()},
		{method: "POST", path: "/compte/calendriers", form: func(string) url.Values { return url.Values{"convention": {slug}} },
			expect: expect{"anonyme": 303, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 404}},
		{method: "POST", path: "/compte/calendriers/{id}/revoquer", dynamic: func(role string) string {
			e.feedOf(t, role, "")
			return "/compte/calendriers/" + e.feedIDOf(t, role) + "/revoquer"
		}, form: func(string) url.Values { return url.Values{} }, expect: everyone(303)},
		{method: "GET", path: c + "/vie", expect: readPage()},
		{method: "POST", path: c + "/vie/renouvellement", form: func(string) url.Values { return url.Values{"decided_on": {"hier"}} },
			expect: write(422, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/vie/resiliation", form: func(string) url.Values { return url.Values{"mode": {"breach_of_laws"}, "sender": {"limans"}} },
			expect: write(422, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/acts", expect: readAPI()},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/renewal", json: func(string) string { return `{"decided_on": "hier"}` },
			expect: write(422, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/termination", json: func(string) string { return `{"mode": "breach_of_laws", "sender": "limans"}` },
			expect: write(422, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/membres", expect: readPage()},
		{method: "POST", path: c + "/membres", form: func(string) url.Values {
			return url.Values{"email": {"lecteur@exemple.fr"}, "role": {"reader"}}
		}, expect: write(303, 303, "plateforme", "admin")},
		{method: "POST", path: c + "/membres/retirer", form: func(role string) url.Values {
			return url.Values{"email": {e.memberToRemove(t, role)}, "confirm": {"oui"}}
		}, expect: write(303, 303, "plateforme", "admin")},
		{method: "GET", path: c + "/modifier/fiche/" + fiche, expect: readPage()},
		{method: "POST", path: c + "/modifier/fiche/" + fiche, form: editForm("fiche", "title", fiche22), expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/modifier/step/" + step, form: editForm("step", "text", step22), expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/modifier/equipment/" + eqOwn, form: editForm("equipment", "name", cordeliere), expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/modifier/equipment/" + eqOther, form: editForm("equipment", "name", limans), expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur-autre")},
		{method: "GET", path: c + "/ajouter/step?parent=" + fiche, expect: write(200, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/ajouter/equipment?parent=" + convID, expect: write(200, 303, "plateforme", "admin", "editeur", "contributeur", "contributeur-autre")},
		{method: "POST", path: c + "/ajouter/equipment", form: func(role string) url.Values {
			return url.Values{"parent": {convID}, "name": {"Crèche de " + role}, "operator_name": {"La Cordelière"}, "operator": {"cordeliere"},
				"activity_type": {"Etablissement d'Accueil du Jeune Enfant"}, "commune": {"04088"}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/supprimer/indicator/{id}", dynamic: func(role string) string {
			return c + "/supprimer/indicator/" + newIndicator(role).Target.Meta.ID
		}, form: func(string) url.Values { return url.Values{"version": {"1"}, "confirm": {"oui"}} },
			expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/documents", expect: readPage()},
		{method: "GET", path: c + "/documents.csv", expect: readPage()},
		{method: "POST", path: c + "/documents", upload: func(string) string { return string(smallPDF) },
			expect: expect{"anonyme": 303, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 403, "contributeur-autre": 403,
				"lecteur": 403, "autre-convention": 404}},
		{method: "GET", path: c + "/documents/{id}", dynamic: func(string) string { return c + "/documents/" + e.documentFor(t, "lecture") },
			expect: readPage()},
		{method: "POST", path: c + "/documents/{id}/supprimer", dynamic: func(role string) string {
			return c + "/documents/" + e.documentFor(t, "retrait par "+role) + "/supprimer"
		}, form: func(string) url.Values { return url.Values{"confirm": {"oui"}} }, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/documents", expect: readAPI()},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/documents", upload: func(string) string { return string(smallPDF) },
			expect: write(201, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/documents/{id}", dynamic: func(string) string {
			return "/api/v1/conventions/" + slug + "/documents/" + e.documentFor(t, "lecture")
		}, expect: readAPI()},
		{method: "DELETE", path: "/api/v1/conventions/" + slug + "/documents/{id}", dynamic: func(role string) string {
			return "/api/v1/conventions/" + slug + "/documents/" + e.documentFor(t, "retrait par "+role)
		}, json: func(string) string { return "" }, expect: write(204, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/reunions", expect: readPage()},
		{method: "GET", path: c + "/reunions.csv", expect: readPage()},
		{method: "GET", path: c + "/reunions/nouvelle", expect: write(200, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/reunions", form: func(role string) url.Values {
			return url.Values{"committee": {"copil"}, "date": {"2025-10-14"}, "place": {"Salle de " + role}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/reunions/{id}", dynamic: func(string) string { return c + "/reunions/" + meeting.ID }, expect: readPage()},
		{method: "POST", path: c + "/reunions/{id}", dynamic: func(string) string { return c + "/reunions/" + meeting.ID },
			form: func(role string) url.Values {
				return url.Values{"version": {strconv.Itoa(meetingVersion())}, "committee": {"copil"}, "date": {"2025-10-14"}, "minutes": {"Par " + role}}
			}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/reunions/{id}/presences", dynamic: func(string) string { return c + "/reunions/" + meeting.ID + "/presences" },
			form:   func(string) url.Values { return url.Values{"organization": {"cordeliere"}, "status": {"present"}} },
			expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/reunions/{id}/decisions", dynamic: func(string) string { return c + "/reunions/" + meeting.ID + "/decisions" },
			form:   func(role string) url.Values { return url.Values{"text": {"Décision de " + role}} },
			expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/reunions/{id}/decisions/{decision}/actions", dynamic: func(string) string {
			return c + "/reunions/" + meeting.ID + "/decisions/" + decision.ID + "/actions"
		}, form: func(role string) url.Values { return url.Values{"text": {"Action de " + role}, "person": {role}} },
			expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/reunions/{id}/convocation.pdf", dynamic: func(string) string { return c + "/reunions/" + meeting.ID + "/convocation.pdf" },
			expect: readPage()},
		// The meeting is not held: its minutes are refused to every reader.
		{method: "GET", path: c + "/reunions/{id}/compte-rendu.pdf", dynamic: func(string) string { return c + "/reunions/" + meeting.ID + "/compte-rendu.pdf" },
			expect: expect{"anonyme": 303, "plateforme": 409, "admin": 409, "editeur": 409, "contributeur": 409, "contributeur-autre": 409, "lecteur": 409, "autre-convention": 404}},
		{method: "GET", path: api + "/meetings", expect: readAPI()},
		{method: "POST", path: api + "/meetings", json: func(role string) string {
			return `{"committee": "cotech", "date": "2025-11-04", "place": "Visio de ` + role + `"}`
		}, expect: write(201, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: api + "/meetings/{id}", dynamic: func(string) string { return api + "/meetings/" + meeting.ID }, expect: readAPI()},
		{method: "PUT", path: api + "/meetings/{id}", dynamic: func(string) string { return api + "/meetings/" + meeting.ID },
			json: func(role string) string {
				return `{"version": ` + strconv.Itoa(meetingVersion()) + `, "committee": "copil", "date": "2025-10-14", "minutes": "API ` + role + `"}`
			}, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: api + "/meetings/{id}/attendance", dynamic: func(string) string { return api + "/meetings/" + meeting.ID + "/attendance" },
			json:   func(string) string { return `{"organization": "cordeliere", "status": "excused"}` },
			expect: write(200, 401, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: api + "/meetings/{id}/decisions", dynamic: func(string) string { return api + "/meetings/" + meeting.ID + "/decisions" },
			json:   func(role string) string { return `{"text": "Décision API de ` + role + `"}` },
			expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: api + "/meetings/{id}/decisions/{decision}/actions", dynamic: func(string) string {
			return api + "/meetings/" + meeting.ID + "/decisions/" + decision.ID + "/actions"
		}, json: func(role string) string { return `{"text": "Action API de ` + role + `", "person": "` + role + `"}` },
			expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/communication", expect: readPage()},
		{method: "GET", path: c + "/communication/logos.zip", expect: readPage()},
		{method: "POST", path: c + "/communication/logos?organization=cordeliere", upload: func(string) string { return string(smallPNG) },
			expect: expect{"anonyme": 303, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 303, "contributeur-autre": 403,
				"lecteur": 403, "autre-convention": 404}},
		{method: "GET", path: c + "/communication/logos/{organization}", dynamic: func(string) string { return c + "/communication/logos/" + e.logoFor(t) },
			expect: readPage()},
		{method: "POST", path: c + "/communication/logos/{organization}/supprimer", dynamic: func(string) string {
			return c + "/communication/logos/" + e.logoFor(t) + "/supprimer"
		}, form: func(string) url.Values { return url.Values{} }, expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/communication/evenements", form: func(role string) url.Values {
			return url.Values{"organization": {"cordeliere"}, "kind": {"inauguration"}, "title": {"Fête de " + role}, "proposed_date": {"2025-06-14"}}
		}, expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/communication/evenements/{id}/date", dynamic: func(string) string { return c + "/communication/evenements/" + event.ID + "/date" },
			form: func(string) url.Values {
				return url.Values{"version": {strconv.Itoa(e.eventVersion(t, event.ID))}, "date_agreement": {"accepted"}}
			}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/communication/evenements/{id}/charte", dynamic: func(string) string { return c + "/communication/evenements/" + event.ID + "/charte" },
			form: func(string) url.Values {
				return url.Values{"version": {strconv.Itoa(e.eventVersion(t, event.ID))}, "charter_agreement": {"granted"}}
			}, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "POST", path: c + "/communication/evenements/{id}", dynamic: func(string) string { return c + "/communication/evenements/" + event.ID },
			form: func(role string) url.Values {
				return url.Values{"version": {strconv.Itoa(e.eventVersion(t, event.ID))}, "place": {"Salle de " + role}}
			}, expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "POST", path: c + "/communication/evenements/{id}/accepter-date", dynamic: func(string) string {
			return c + "/communication/evenements/" + e.otherDateEvent(t).ID + "/accepter-date"
		}, form: func(string) url.Values { return url.Values{"version": {"2"}} }, expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur")},
		{method: "GET", path: api + "/communication/logos", expect: readAPI()},
		{method: "POST", path: api + "/communication/logos?organization=cordeliere", upload: func(string) string { return string(smallPNG) },
			expect: write(201, 401, "plateforme", "admin", "editeur", "contributeur")},
		{method: "GET", path: api + "/communication/logos/{organization}", dynamic: func(string) string { return api + "/communication/logos/" + e.logoFor(t) },
			expect: readAPI()},
		{method: "DELETE", path: api + "/communication/logos/{organization}", dynamic: func(string) string {
			return api + "/communication/logos/" + e.logoFor(t)
		}, json: func(string) string { return "" }, expect: write(204, 401, "plateforme", "admin", "editeur", "contributeur")},
		{method: "GET", path: api + "/communication/events", expect: readAPI()},
		{method: "POST", path: api + "/communication/events", json: func(role string) string {
			return `{"organization": "cordeliere", "kind": "signing", "title": "Signature de ` + role + `", "proposed_date": "2025-06-14"}`
		}, expect: write(201, 401, "plateforme", "admin", "editeur", "contributeur")},
		{method: "PUT", path: api + "/communication/events/{id}", dynamic: func(string) string { return api + "/communication/events/" + event.ID },
			json: func(role string) string {
				return `{"version": ` + strconv.Itoa(e.eventVersion(t, event.ID)) + `, "kind": "inauguration", "title": "Par ` + role + `", "proposed_date": "2025-06-14"}`
			}, expect: write(200, 401, "plateforme", "admin", "editeur", "contributeur")},
		{method: "PUT", path: api + "/communication/events/{id}/date-agreement", dynamic: func(string) string {
			return api + "/communication/events/" + event.ID + "/date-agreement"
		}, json: func(string) string {
			return `{"version": ` + strconv.Itoa(e.eventVersion(t, event.ID)) + `, "date_agreement": "accepted"}`
		}, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "PUT", path: api + "/communication/events/{id}/charter-agreement", dynamic: func(string) string {
			return api + "/communication/events/" + event.ID + "/charter-agreement"
		}, json: func(string) string {
			return `{"version": ` + strconv.Itoa(e.eventVersion(t, event.ID)) + `, "charter_agreement": "refused", "charter_conditions": "…"}`
		}, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/echanges-donnees", expect: readPage()},
		{method: "GET", path: c + "/echanges-donnees/nouvelle", expect: write(200, 303, "plateforme", "admin", "editeur", "contributeur-autre")},
		{method: "POST", path: c + "/echanges-donnees", form: func(role string) url.Values { return exchangeForm(role) },
			expect: write(303, 303, "plateforme", "admin", "editeur", "contributeur-autre")},
		{method: "GET", path: c + "/echanges-donnees/{id}", dynamic: func(string) string { return c + "/echanges-donnees/" + e.exchange(t, "") },
			expect: readPage()},
		{method: "POST", path: c + "/echanges-donnees/{id}/{step}", dynamic: func(string) string {
			return c + "/echanges-donnees/" + e.exchange(t, "") + "/etude"
		}, form: func(string) url.Values { return url.Values{} }, expect: write(303, 303, "plateforme")},
		{method: "POST", path: c + "/echanges-donnees/{id}/{step}", dynamic: func(string) string {
			return c + "/echanges-donnees/" + e.exchange(t, app.StepOpinion) + "/decision"
		}, form: func(string) url.Values { return url.Values{"decision": {"accepted"}} }, expect: write(303, 303, "plateforme", "admin", "editeur")},
		{method: "GET", path: c + "/registre-art30", expect: readPage()},
		{method: "GET", path: c + "/registre-art30.csv", expect: readPage()},
		{method: "GET", path: c + "/registre-art30.pdf", expect: readPage()},
		{method: "GET", path: api + "/data-requests", expect: readAPI()},
		{method: "POST", path: api + "/data-requests", json: func(role string) string { return exchangeJSON(role) },
			expect: write(201, 401, "plateforme", "admin", "editeur", "contributeur-autre")},
		{method: "GET", path: api + "/data-requests/{id}", dynamic: func(string) string { return api + "/data-requests/" + e.exchange(t, "") },
			expect: readAPI()},
		{method: "POST", path: api + "/data-requests/{id}/{step}", dynamic: func(string) string {
			return api + "/data-requests/" + e.exchange(t, app.StepStudy) + "/opinion"
		}, json: func(string) string { return exchangeOpinionJSON }, expect: write(200, 401, "plateforme")},
		{method: "POST", path: api + "/data-requests/{id}/{step}", dynamic: func(string) string {
			return api + "/data-requests/" + e.exchange(t, app.StepDecision) + "/implementation"
		}, json: func(string) string { return `{"implemented_on": "` + time.Now().In(paris).Format("2006-01-02") + `"}` }, expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "GET", path: "/api/openapi.json", expect: public()},
		{method: "GET", path: "/api/v1/schema", expect: public()},
		{method: "GET", path: "/api/v1/conventions", expect: expect{"anonyme": 401, "plateforme": 200, "admin": 200, "editeur": 200, "contributeur": 200, "contributeur-autre": 200, "lecteur": 200, "autre-convention": 200}},
		{method: "GET", path: "/api/v1/conventions/" + slug, expect: readAPI()},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/export", expect: readAPI()},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/archive", expect: readAPI()},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/history", expect: readAPI()},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/checks?at=2026-11-27", expect: readAPI()},
		{method: "GET", path: "/api/v1/conventions/" + slug + "/records/step/" + step, expect: readAPI()},
		{method: "PATCH", path: "/api/v1/conventions/" + slug + "/records/step/" + step, json: editJSON("step", step22), expect: write(200, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/api/v1/conventions/" + slug + "/records/indicator", json: func(role string) string {
			return `{"parent": "` + fiche + `", "fields": {"label": "Indicateur de ` + role + `"}}`
		}, expect: write(201, 401, "plateforme", "admin", "editeur")},
		{method: "DELETE", path: "/api/v1/conventions/" + slug + "/records/indicator/{id}", dynamic: func(role string) string {
			return "/api/v1/conventions/" + slug + "/records/indicator/" + newIndicator(role).Target.Meta.ID + "?version=1"
		}, json: func(string) string { return "" }, expect: write(204, 401, "plateforme", "admin", "editeur")},
		{method: "POST", path: "/connexion", form: func(role string) url.Values {
			return url.Values{"email": {role + "-inconnu@exemple.fr"}, "password": {"faux"}}
		},
			expect: expect{"anonyme": 401, "plateforme": 401, "admin": 401, "editeur": 401, "contributeur": 401, "contributeur-autre": 401, "lecteur": 401, "autre-convention": 401}},
		// Last: signing out ends the sessions the other cases use.
		{method: "POST", path: "/deconnexion", form: func(string) url.Values { return url.Values{} },
			expect: expect{"anonyme": 403, "plateforme": 303, "admin": 303, "editeur": 303, "contributeur": 303, "contributeur-autre": 303, "lecteur": 303, "autre-convention": 303}},
	}
	for _, tc := range cases {
		for _, role := range roles {
			t.Run(tc.method+" "+tc.path+" "+role, func(t *testing.T) {
				path := tc.path
				if tc.dynamic != nil {
					path = tc.dynamic(role)
				}
				var status int
				if tc.upload != nil {
					status = e.uploadCall(t, role, path, tc.upload(role))
				} else if tc.json != nil {
					status = e.apiCall(t, role, tc.method, path, tc.json(role))
				} else {
					var form url.Values
					if tc.form != nil {
						form = tc.form(role)
					}
					resp, _ := e.do(t, role, tc.method, path, form)
					status = resp.StatusCode
				}
				if want := tc.expect[role]; status != want {
					t.Errorf("statut %d, %d attendu", status, want)
				}
			})
		}
	}
	// Every route of the server is in the matrix.
	for _, r := range (&Server{}).routeTable() {
		found := false
		for _, tc := range cases {
			if tc.method == r.method && routeMatches(r.pattern, tc.path) {
				found = true
			}
		}
		if !found {
			t.Errorf("route %s %s absente de la matrice", r.method, r.pattern)
		}
	}
}

// uploadCall sends a file from the dashboard's import form.
func (e *testEnv) uploadCall(t *testing.T, role, path, content string) int {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", e.sessions[role].csrf)
	field := "fichier"
	if strings.HasPrefix(path, "/api/") {
		field = "file"
	}
	fw, _ := mw.CreateFormFile(field, "valeurs.csv")
	_, _ = fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if s, ok := e.sessions[role]; ok {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// apiCall sends a JSON request with the role's session and CSRF header.
func (e *testEnv) apiCall(t *testing.T, role, method, path, body string) int {
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if s, ok := e.sessions[role]; ok {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: s.token})
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// routeMatches reports whether a concrete path matches a mux pattern.
func routeMatches(pattern, path string) bool {
	path, _, _ = strings.Cut(path, "?")
	switch {
	case pattern == "/{$}":
		return path == "/"
	case strings.HasSuffix(pattern, "/"):
		return strings.HasPrefix(path, pattern)
	}
	want, got := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		if !strings.HasPrefix(want[i], "{") && want[i] != got[i] {
			return false
		}
	}
	return true
}

func TestOpenAPIDescribesTheRealRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(docs.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("version OpenAPI %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range (&Server{}).routeTable() {
		if strings.HasPrefix(r.pattern, "/api/") || r.pattern == "/healthz" {
			served[r.method+" "+r.pattern] = true
		}
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("route servie mais non documentée : %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("route documentée mais non servie : %s", k)
		}
	}
}

// tokenOf creates an API token for the role's account and returns its id
// ("inconnu" for a visitor).
func (e *testEnv) tokenOf(t *testing.T, role string) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByEmail(ctx, role+"@exemple.fr")
	if err != nil {
		return "inconnu"
	}
	a, err := e.st.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.CreateToken(ctx, a, "outil de "+role); err != nil {
		t.Fatal(err)
	}
	list, err := e.svc.Tokens(ctx, a, a.UserID)
	if err != nil || len(list) == 0 {
		t.Fatal(err)
	}
	return list[0].ID
}

// memberToRemove gives a new account reader access to the convention, for
// the role to remove.
func (e *testEnv) memberToRemove(t *testing.T, role string) string {
	t.Helper()
	ctx := context.Background()
	email := "a-retirer-par-" + role + "@exemple.fr"
	if err := e.st.CreateUser(ctx, &auth.User{Email: email, Name: "À retirer", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Grant(ctx, auth.System, email, auth.Membership{Convention: slug, Role: auth.RoleReader}); err != nil {
		t.Fatal(err)
	}
	return email
}

const strongPassword = "une phrase de passe assez longue"

// account creates an active account named after prefix and returns its
// e-mail address.
func (e *testEnv) account(t *testing.T, prefix string) string {
	t.Helper()
	email := prefix + "@exemple.fr"
	if err := e.st.CreateUser(context.Background(), &auth.User{Email: email, Name: prefix, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	return email
}

// linkFor returns the token of a new link of a purpose: an invitation to
// read the convention, or the reset link of a new active account.
func (e *testEnv) linkFor(t *testing.T, purpose auth.LinkPurpose, prefix string) string {
	t.Helper()
	ctx := context.Background()
	if purpose == auth.LinkInvitation {
		res, err := e.svc.Invite(ctx, auth.System, prefix+"@exemple.fr", auth.Membership{Convention: slug, Role: auth.RoleReader})
		if err != nil || res.Link == nil {
			t.Fatalf("invitation : %+v %v", res, err)
		}
		return res.Link.Token
	}
	l, err := e.svc.NewLink(ctx, auth.System, e.account(t, prefix), "")
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}

// checksDay is the date of the checks the matrix acknowledges findings of.
const checksDay = "2026-11-27"

// openKey returns the key of a finding nobody acknowledged yet.
func (e *testEnv) openKey(t *testing.T) string {
	t.Helper()
	_, checks, err := e.svc.Checks(context.Background(), auth.System, slug, model.MustDate(checksDay))
	if err != nil || len(checks.Open) == 0 {
		t.Fatalf("aucun constat ouvert : %v", err)
	}
	return checks.Open[0].Key
}

// acknowledgedKey acknowledges a finding and returns its key.
func (e *testEnv) acknowledgedKey(t *testing.T) string {
	t.Helper()
	key := e.openKey(t)
	if _, err := e.svc.Acknowledge(context.Background(), auth.System, slug, key, "à annuler", model.MustDate(checksDay)); err != nil {
		t.Fatal(err)
	}
	return key
}

// actorOf returns the account of a role as an actor; the visitor acts as
// the convention's admin.
func (e *testEnv) actorOf(t *testing.T, role string) *auth.Actor {
	t.Helper()
	ctx := context.Background()
	if role == "anonyme" {
		role = "admin"
	}
	u, err := e.st.UserByEmail(ctx, role+"@exemple.fr")
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.st.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// feedOf creates (or renews) a role's calendar feed of a convention ("" for
// the personal feed) and returns its secret token.
func (e *testEnv) feedOf(t *testing.T, role, slug string) string {
	t.Helper()
	token, err := e.svc.SetCalendarFeed(context.Background(), e.actorOf(t, role), slug)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// feedIDOf returns the id of a role's first calendar feed, "inconnu" when none.
func (e *testEnv) feedIDOf(t *testing.T, role string) string {
	t.Helper()
	list, err := e.svc.CalendarFeeds(context.Background(), e.actorOf(t, role))
	if err != nil || len(list) == 0 {
		return "inconnu"
	}
	return list[0].ID
}
