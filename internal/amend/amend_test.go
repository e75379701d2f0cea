package amend_test

import (
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/amend"
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

func TestSameTextHasNoChange(t *testing.T) {
	a, b := example(t), example(t)
	b.Axes[1].Fiches[0].Status = model.ActionDone
	if got := amend.Changes(a, b); len(got) != 0 {
		t.Fatalf("follow-up listed as changes: %+v", got)
	}
}

func TestChangesReadLikeAnAvenant(t *testing.T) {
	a, b := example(t), example(t)
	art := &b.Articles[9]
	art.Text = "La présente convention peut être renouvelée par décision expresse des parties."
	axis5 := &b.Axes[4]
	axis5.Fiches = append(axis5.Fiches, model.Fiche{Code: "5.1", Title: "Accompagner les jeunes vers l'autonomie", Status: model.ActionPlanned, Pilots: []string{"cordeliere"},
		Steps: []model.Step{{Number: 1, Text: "Réunir les partenaires jeunesse", Status: model.ActionPlanned}}})
	removed := b.Equipments[0]
	b.Equipments = b.Equipments[1:]
	got := amend.Changes(a, b)
	sentences := make([]string, len(got))
	for i, c := range got {
		sentences[i] = c.Sentence
	}
	all := strings.Join(sentences, "\n")
	for _, want := range []string{
		"L'article 10 « " + a.Articles[9].Title + " » est remplacé par les dispositions suivantes : « La présente convention peut être renouvelée par décision expresse des parties. ».",
		"À l'annexe 3, la fiche 5.1 « Accompagner les jeunes vers l'autonomie » est ajoutée à l'axe 5 ; elle se lit comme suit.",
		"À l'annexe 2, la ligne « " + removed.OperatorName + " – " + removed.Name,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
	if len(got) != 3 {
		t.Errorf("%d changes, want 3:\n%s", len(got), all)
	}
	for _, c := range got {
		if c.Kind == "fiche" && (c.Op != amend.Add || c.Axis != 5 || !strings.Contains(c.After, "Réunir les partenaires jeunesse") || c.Before != "" ||
			!strings.Contains(c.After, "Pilotes : "+b.OrgName("cordeliere")) || b.OrgName("cordeliere") == "cordeliere") {
			t.Errorf("fiche change: %+v", c)
		}
		if c.Kind == "article" && (c.Before == "" || c.After == "" || c.Place != "Article 10") {
			t.Errorf("article change: %+v", c)
		}
	}
}

func TestChangesOfAFicheNameTheParts(t *testing.T) {
	a, b := example(t), example(t)
	f := &b.Axes[1].Fiches[0]
	f.Steps = append([]model.Step(nil), f.Steps...)
	f.Steps[0].Text = "Nouvelle rédaction de l'étape"
	got := amend.Changes(a, b)
	if len(got) != 1 || got[0].Op != amend.Replace || !strings.Contains(got[0].Sentence, "(étapes) ; elle se lit désormais comme suit.") {
		t.Fatalf("changes: %+v", got)
	}
	if !strings.Contains(got[0].After, "Nouvelle rédaction de l'étape") || strings.Contains(got[0].Before, "Nouvelle rédaction") {
		t.Errorf("side by side: %q | %q", got[0].Before, got[0].After)
	}
}

func TestPeriodChange(t *testing.T) {
	a, b := example(t), example(t)
	b.Period.End = model.MustDate("2025-12-31")
	got := amend.Changes(a, b)
	if len(got) != 1 || got[0].Sentence != "La convention est conclue du 1er janvier 2022 au 31 décembre 2025 (au lieu du 1er janvier 2022 au 31 décembre 2024)." {
		t.Fatalf("changes: %+v", got)
	}
}
