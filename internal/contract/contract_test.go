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

// What the format does not write (metadata, an empty list rather than
// none) is no change of the signed text; an equipment's name is one.
func TestSameSignedLooksAtWhatIsWritten(t *testing.T) {
	a, b := example(t), example(t)
	b.ID, b.Version = "autre", 7
	b.Equipments[0].ID = "autre"
	b.Contacts, b.Axes[0].Fiches[0].Indicators = []model.Contact{}, []model.Indicator{}
	a.Axes[0].Fiches[0].Indicators = nil
	if !contract.SameSigned(a, b) {
		t.Error("metadata or empty lists count as a change of the signed text")
	}
	b.Equipments[len(b.Equipments)-1].Name += " (agrandi)"
	if contract.SameSigned(a, b) {
		t.Error("an equipment's new name is not seen")
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
	// A deliberation's date, left « XXXX » by the signed text, is recorded
	// once known; what the text says of it is not changed.
	if !contract.Editable(c, "authorization", "date", "") || contract.Editable(c, "authorization", "date_as_written", "") {
		t.Error("date d'une délibération verrouillée, ou date telle qu'écrite modifiable")
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

func TestAddable(t *testing.T) {
	c := example(t)
	for _, kind := range []string{"fiche", "step", "article", "representative", "equipment", "legal_basis", "finding", "indicator"} {
		if contract.Addable(c, kind, "") {
			t.Errorf("%s : ajout permis après la signature", kind)
		}
	}
	if !contract.Addable(c, "contact", "") || !contract.Addable(c, "organization", "nouvelle-association") {
		t.Error("un contact ou une organisation non signataire ne peut plus être ajouté après la signature")
	}
	c.Signature.Date = nil
	if !contract.Addable(c, "fiche", "") {
		t.Error("ajout d'une fiche refusé sur un projet")
	}
}

func TestChangedNamesWhatDiffers(t *testing.T) {
	a, b := example(t), example(t)
	if got := contract.Changed(a, b); len(got) != 0 {
		t.Fatalf("différences entre deux copies : %v", got)
	}
	b.Articles[11].Text += " Modifié."
	b.Axes[4].Fiches = append(b.Axes[4].Fiches, model.Fiche{Code: "5.1", Title: "Nouvelle fiche"})
	b.Axes[1].Fiches[0].Steps[0].Status = model.ActionDone
	got := contract.Changed(a, b)
	want := []string{"Article 12 – La fin de la convention", "Fiche 5.1 – Nouvelle fiche"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("parties modifiées : %q, attendu %q", got, want)
	}
}

func TestAmendmentArticle(t *testing.T) {
	c := example(t)
	if n := contract.AmendmentArticle(c); n != 11 {
		t.Errorf("article des avenants : %d, attendu 11", n)
	}
	c.Articles[10].Text = "Sans objet."
	c.Articles[4].Text = "Toute modification de la présente convention fait l'objet d'un avenant."
	if n := contract.AmendmentArticle(c); n != c.Articles[4].Number {
		t.Errorf("article des avenants : %d, attendu %d", n, c.Articles[4].Number)
	}
}

func TestCarryKeepsARenamedOrganizationThatIsNoParty(t *testing.T) {
	live, text := example(t), example(t)
	i := -1
	for j, o := range live.Organizations {
		if !contract.SignedOrganization(live, o.Key) {
			i = j
			break
		}
	}
	if i < 0 {
		t.Fatal("l'exemple n'a pas d'organisation hors des parties")
	}
	live.Organizations[i].Name = "Nouveau nom"
	party := live.Parties[0].Organization
	for j := range text.Organizations {
		if text.Organizations[j].Key == party {
			text.Organizations[j].Name = "Partie renommée par avenant"
		}
	}
	contract.Carry(live, text)
	if text.Organizations[i].Name != "Nouveau nom" {
		t.Errorf("organisation renommée perdue : %q", text.Organizations[i].Name)
	}
	if text.OrgName(party) != "Partie renommée par avenant" {
		t.Errorf("le nom d'une partie fixé par l'avenant est écrasé : %q", text.OrgName(party))
	}
}
