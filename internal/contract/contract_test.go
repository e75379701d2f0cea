package contract_test

import (
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func example(t *testing.T) *model.Convention {
	t.Helper()
	ref, err := territory.Load()
	if err != nil {
		t.Fatal(err)
	}
	c, err := interchange.Decode(examples.Forcalquier, ref)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFollowUpDoesNotChangeTheSignedText(t *testing.T) {
	a, b := example(t), example(t)
	f := &b.Axes[1].Fiches[0]
	f.Status = model.ActionDone
	f.Steps[0].Status = model.ActionLate
	f.Indicators = append([]model.Indicator(nil), f.Indicators...)
	if len(f.Indicators) > 0 {
		f.Indicators[0].Targets = []model.Target{{Period: "2024", Value: 3}}
		f.Indicators[0].Responsible = b.Parties[0].Organization
	}
	b.Contacts = append(b.Contacts, model.Contact{Label: "Accueil"})
	b.Organizations = append(b.Organizations, model.Organization{Key: "asso", Name: "Une association", Kind: model.KindAssociation})
	if !contract.SameSigned(a, b) {
		t.Fatal("follow-up changes count as a change of the signed text")
	}
}

func TestSignedTextChangesAreSeen(t *testing.T) {
	for name, change := range map[string]func(c *model.Convention){
		"article": func(c *model.Convention) { c.Articles[11].Text += " Modifié." },
		"fiche added": func(c *model.Convention) {
			c.Axes[4].Fiches = append(c.Axes[4].Fiches, model.Fiche{Code: "5.1", Title: "Nouvelle"})
		},
		"step text":    func(c *model.Convention) { c.Axes[1].Fiches[0].Steps[0].Text = "Autre" },
		"party's name": func(c *model.Convention) { c.Organizations[0].Name = "Autre nom" },
		"period":       func(c *model.Convention) { c.Period.End = model.MustDate("2025-12-31") },
	} {
		a, b := example(t), example(t)
		change(b)
		if contract.SameSigned(a, b) {
			t.Errorf("%s: a change of the signed text is not seen", name)
		}
	}
}

func TestEditable(t *testing.T) {
	c := example(t)
	if contract.Editable(c, "article", "text", "") {
		t.Error("a signed article is editable")
	}
	if !contract.Editable(c, "step", "status", "") || !contract.Editable(c, "contact", "phone", "") {
		t.Error("follow-up is locked")
	}
	if contract.Editable(c, "organization", "name", c.Parties[0].Organization) {
		t.Error("a party's name is editable after signature")
	}
	c.Signature.Date = nil
	if !contract.Editable(c, "article", "text", "") {
		t.Error("a draft's article is locked")
	}
}

func TestCarryKeepsTheFollowUp(t *testing.T) {
	live, text := example(t), example(t)
	f := &live.Axes[1].Fiches[0]
	f.Status = model.ActionDone
	f.Steps[0].Status = model.ActionLate
	text.Axes[1].Fiches[0].Title = "Titre modifié par avenant"
	contract.Carry(live, text)
	g := text.Axes[1].Fiches[0]
	if g.Status != model.ActionDone || g.Steps[0].Status != model.ActionLate || g.Title != "Titre modifié par avenant" {
		t.Fatalf("carried fiche: status %s, step %s, title %q", g.Status, g.Steps[0].Status, g.Title)
	}
}
