package lint

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/amend"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// withPromise is the clean convention with an axis 5 whose fiches were
// promised by avenant before at.
func withPromise() *model.Convention {
	c := clean()
	c.Axes = append(c.Axes, model.Axis{Number: 5, Title: "Parentalité", FichesDueBy: date("2023-03-31"), Promise: "par avenant"})
	return c
}

// recordedTriggers make the rules about what the platform records beside
// a stored convention's text fire: its avenants, its documents.
var recordedTriggers = map[string]func(c *model.Convention) Recorded{
	"AMENDMENT-AUTHORIZATIONS-MISSING": func(*model.Convention) Recorded {
		return Recorded{Life: &Life{Amendments: []Amendment{signedAvenant("2023-04-01")}}}
	},
	"AMENDMENT-EFFECT-BEFORE-SIGNATURE": func(*model.Convention) Recorded {
		return Recorded{Life: &Life{Amendments: []Amendment{signedAvenant("2023-02-01")}}}
	},
	"SIGNED-CONTENT-CHANGED": func(c *model.Convention) Recorded {
		recorded := clean()
		c.Articles[0].Text += " Modifié."
		return Recorded{Life: &Life{Recorded: recorded}}
	},
}

func find(fs []Finding, rule string) *Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

func signedAvenant(effect string, changes ...amend.Change) Amendment {
	return Amendment{Amendment: model.Amendment{Number: 1, State: model.AmendmentSigned, SignedOn: date("2023-03-01"), EffectiveOn: date(effect),
		Authorizations: []model.AmendmentAuthorization{{Organization: "caf", Body: "Conseil", DecidedOn: date("2023-02-01")}}}, Changes: changes}
}

func TestPromisedFichesAreDeliveredOnlyByAnAvenantInForce(t *testing.T) {
	c := withPromise()
	c.Axes[1].Fiches = []model.Fiche{{Code: "5.1", Title: "Soutenir les parents"}}
	if f := find(Run(c, territory.MustLoad(), at), "FICHES-PROMISED-OVERDUE"); f != nil {
		t.Errorf("un fichier portant les fiches de l'axe 5 : %s", f.Message)
	}
	f := find(RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{}}), "FICHES-PROMISED-OVERDUE")
	if f == nil || !strings.Contains(f.Message, "aucun avenant") {
		t.Fatalf("fiches de l'axe 5 ajoutées sans avenant à une convention signée : %+v", f)
	}
	added := amend.Change{Kind: "fiche", Op: amend.Add, Axis: 5, Place: "Annexe 3 – fiche 5.1"}
	life := &Life{Amendments: []Amendment{signedAvenant("2023-04-01", added)}}
	if f := find(RunWith(c, territory.MustLoad(), at, Recorded{Life: life}), "FICHES-PROMISED-OVERDUE"); f != nil {
		t.Errorf("fiches adoptées par un avenant en vigueur : %s", f.Message)
	}
	if f := find(RunWith(c, territory.MustLoad(), model.MustDate("2023-04-15"), Recorded{Life: &Life{Amendments: []Amendment{signedAvenant("2023-05-01", added)}}}), "FICHES-PROMISED-OVERDUE"); f == nil {
		t.Error("fiches d'un avenant pas encore en vigueur comptées comme adoptées")
	}
	other := added
	other.Axis = 6
	if f := find(RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{Amendments: []Amendment{signedAvenant("2023-04-01", other)}}}), "FICHES-PROMISED-OVERDUE"); f == nil {
		t.Error("un avenant ajoutant des fiches à l'axe 6 compte pour l'axe 5")
	}
}

func TestAvenantAuthorizationsAndEffect(t *testing.T) {
	c := clean()
	x := signedAvenant("2023-02-15")
	fs := RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{Amendments: []Amendment{x}}})
	f := find(fs, "AMENDMENT-AUTHORIZATIONS-MISSING")
	if f == nil || !strings.Contains(f.Message, "Commune de Forcalquier, Commune de Limans") || strings.Contains(f.Message, "Caisse") {
		t.Errorf("autorisations manquantes : %+v", f)
	}
	if f := find(fs, "AMENDMENT-EFFECT-BEFORE-SIGNATURE"); f == nil || !strings.Contains(f.Message, "15 février 2023") {
		t.Errorf("effet avant la signature : %+v", f)
	}
	x = signedAvenant("2023-03-01")
	for _, org := range []string{"f", "l"} {
		x.Authorizations = append(x.Authorizations, model.AmendmentAuthorization{Organization: org, Body: "Conseil municipal", DecidedOn: date("2023-02-10")})
	}
	draft := Amendment{Amendment: model.Amendment{Number: 2, State: model.AmendmentDraft}}
	fs = RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{Amendments: []Amendment{x, draft}}})
	for _, rule := range []string{"AMENDMENT-AUTHORIZATIONS-MISSING", "AMENDMENT-EFFECT-BEFORE-SIGNATURE"} {
		if f := find(fs, rule); f != nil {
			t.Errorf("avenant en règle : %s", f.Message)
		}
	}
}

func TestSignedContentChangedOutsideAnAvenant(t *testing.T) {
	recorded := clean()
	c := clean()
	c.Axes[0].Fiches[0].Status = model.ActionDone
	c.Contacts = append(c.Contacts, model.Contact{Label: "Accueil"})
	if f := find(RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{Recorded: recorded}}), "SIGNED-CONTENT-CHANGED"); f != nil {
		t.Errorf("le suivi compté comme une modification du texte signé : %s", f.Message)
	}
	c.Axes[0].Fiches[0].Title = "Autre titre"
	f := find(RunWith(c, territory.MustLoad(), at, Recorded{Life: &Life{Recorded: recorded}}), "SIGNED-CONTENT-CHANGED")
	if f == nil || !strings.Contains(f.Message, "fiche 1.1") {
		t.Fatalf("texte signé modifié : %+v", f)
	}
	if slices.Contains(rules(Run(c, territory.MustLoad(), at)), "SIGNED-CONTENT-CHANGED") {
		t.Error("un fichier seul, sans version enregistrée, signalé comme modifié")
	}
}

// The deliberations without a document are reported in one finding, and
// only on a signed convention.
func TestAuthDocumentMissing(t *testing.T) {
	c := clean()
	ref := territory.MustLoad()
	f := find(RunWith(c, ref, at, Recorded{}), "AUTH-DOCUMENT-MISSING")
	if f == nil || !strings.HasPrefix(f.Message, fmt.Sprintf("%d délibération(s) sur %d sans document joint", len(c.Parties), len(c.Parties))) {
		t.Fatalf("délibérations sans document : %+v", f)
	}
	if f := find(RunWith(c, ref, at, attached(c)), "AUTH-DOCUMENT-MISSING"); f != nil {
		t.Errorf("délibérations jointes encore signalées : %s", f.Message)
	}
	c.Signature.Date = nil
	if f := find(RunWith(c, ref, at, Recorded{}), "AUTH-DOCUMENT-MISSING"); f != nil {
		t.Errorf("projet signalé : %s", f.Message)
	}
}
