package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A coordinator prepares avenant n° 1 adding the first fiche of axis 5,
// signs it, and reads the fiche in the convention from its date of
// effect, not before.
func TestCoordinatorAmendsTheConventionWithAFicheOfAxis5(t *testing.T) {
	axe := axeCore(t)
	p := startPlatform(t)
	ctx := browser(t)
	base := p.url + "/c/" + slug
	do(t, ctx, "préparer l'avenant",
		signIn(p.url, "coordinatrice@exemple.fr"),
		chromedp.Navigate(base),
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Avenants"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Avenants"]`)),
		chromedp.SendKeys(labelled("Objet de l'avenant"), "Fiches actions de l'axe 5"),
		chromedp.Click(button("Préparer un avenant")),
		says("Avenant n° 1 créé"),
	)
	checkPageAccessibility(t, ctx, axe, "avenant-en-preparation")
	do(t, ctx, "ajouter la fiche 5.1 dans la copie de travail",
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Modifier la copie de travail"]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[@role="note"][contains(., "Copie de travail de l'avenant n° 1")]`)),
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Ajouter une fiche à l'axe 5"]`)),
		// The label of the code carries its hint: the field is found by name.
		chromedp.SendKeys(chromedp.Search(`//main//input[@name="code"]`), "5.1"),
		chromedp.SendKeys(labelled("Titre"), "Accompagner les parents dans leur rôle éducatif"),
		chromedp.Click(button("Ajouter")),
		says("Enregistré"),
		chromedp.Click(chromedp.Search(`//*[@role="note"]//a[contains(., "Revenir à l'avenant n° 1")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Avenant n° 1")]`)),
	)
	if got := mainText(t, ctx); !strings.Contains(got, "la fiche 5.1 « Accompagner les parents dans leur rôle éducatif » est ajoutée") {
		t.Fatalf("les modifications de l'avenant ne disent pas l'ajout de la fiche 5.1 :\n%s", got)
	}
	do(t, ctx, "signer l'avenant",
		chromedp.SetValue(labelled("Date de signature"), "2023-03-01"),
		chromedp.SendKeys(labelled("Lieu de signature"), "Forcalquier"),
		chromedp.SetValue(chromedp.ID("sig-effet"), "2023-04-01"),
		chromedp.Click(button("Enregistrer la signature")),
		says("Signature de l'avenant n° 1 enregistrée"),
	)
	checkPageAccessibility(t, ctx, axe, "avenant-signe")
	do(t, ctx, "lire la fiche 5.1 après la date d'effet",
		chromedp.Navigate(base+"/plan?a=2023-05-02"),
		chromedp.WaitVisible(chromedp.Search(`//*[@role="note"][contains(., "Version en vigueur le 2 mai 2023")]`)),
		chromedp.Click(chromedp.Search(`//a[contains(., "Fiche 5.1")]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Fiche action 5.1")]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[@role="note"][contains(., "Version en vigueur le 2 mai 2023")]`)),
	)
	do(t, ctx, "lire le plan avant la date d'effet",
		chromedp.Navigate(base+"/plan?a=2023-03-31"),
		chromedp.WaitVisible(chromedp.Search(`//*[@role="note"][contains(., "Version en vigueur le 31 mars 2023")]`)),
	)
	if got := mainText(t, ctx); strings.Contains(got, "Fiche 5.1") || !strings.Contains(got, "feront l’objet d’un avenant") {
		t.Errorf("le plan au 31 mars 2023 montre la fiche 5.1 :\n%s", got)
	}
	// A link to the fiche kept from a later reading says why it is not
	// there that day, and leads to it in the text in force.
	do(t, ctx, "ouvrir la fiche 5.1 avant la date d'effet",
		chromedp.Navigate(base+"/fiches/5.1?a=2023-03-31"),
		chromedp.WaitVisible(chromedp.Search(`//main//p[contains(., "La fiche 5.1 ne figure pas dans la version de la convention en vigueur le 31 mars 2023")]`)),
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Lire la fiche 5.1 dans le texte en vigueur"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Fiche action 5.1")]`)),
	)
	do(t, ctx, "comparer les versions",
		chromedp.Navigate(base+"/versions?de=0&vers=1"),
		chromedp.WaitVisible(chromedp.Search(`//th[contains(., "fiche 5.1")]`)),
	)
	checkPageAccessibility(t, ctx, axe, "versions")
}
