package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"
)

// A coordinator plans the autumn steering committee from the agenda ctg
// proposes, convenes it, records who came and a decision that asks for an
// action; the action is on the obligations calendar and in the calendar
// feed she subscribes to.
func TestCoordinatorRunsASteeringCommittee(t *testing.T) {
	axe := axeCore(t)
	p := startPlatform(t)
	ctx := browser(t)
	base := p.url + "/c/" + slug
	do(t, ctx, "proposer l'ordre du jour",
		signIn(p.url, "coordinatrice@exemple.fr"),
		chromedp.Navigate(base),
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Réunions"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Réunions des comités"]`)),
		chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Planifier une réunion"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Planifier une réunion"]`)),
		chromedp.SetValue(chromedp.ID("p-date"), "2024-10-01"),
		chromedp.Click(button("Proposer l'ordre du jour")),
		// The agenda proposed for today counts the 2024 values; the one of
		// 1 October 2024, when the page has come back, the 2023 ones.
		chromedp.WaitVisible(chromedp.Search(`//textarea[@id="r-agenda"][contains(., "Collecte des valeurs 2023")]`)),
	)
	agenda, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("r-agenda")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Étapes en retard : fiche 3.1", "Fiches promises et non livrées", "Délibérations manquantes", "Vérification de la convention"} {
		if !strings.Contains(agenda, want) {
			t.Errorf("ordre du jour proposé sans « %s » :\n%s", want, agenda)
		}
	}
	checkPageAccessibility(t, ctx, axe, "reunion-nouvelle")
	do(t, ctx, "planifier le COPIL d'automne",
		chromedp.SetValue(chromedp.ID("r-date"), "2024-10-15"),
		chromedp.SetValue(chromedp.ID("r-time"), "14:30"),
		chromedp.SendKeys(chromedp.ID("r-place"), "Salle du conseil, Forcalquier"),
		// She edits the proposal: one point of her own.
		chromedp.SendKeys(chromedp.ID("r-agenda"), "\nPréparation de l'évaluation finale"),
		chromedp.Click(button("Planifier la réunion")),
		says("Réunion planifiée"),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Comité de pilotage du 15 octobre 2024")]`)),
	)
	if got := mainText(t, ctx); !strings.Contains(got, "Préparation de l'évaluation finale") || !strings.Contains(got, "Étapes en retard : fiche 3.1") {
		t.Fatalf("l'ordre du jour enregistré ne reprend pas la proposition modifiée :\n%s", got)
	}
	do(t, ctx, "convoquer le comité",
		chromedp.SetValue(chromedp.ID("r-status"), "convened"),
		chromedp.Click(button("Enregistrer la réunion")),
		says("convocation(s) préparée(s)"),
	)
	do(t, ctx, "noter une présence",
		chromedp.SetValue(chromedp.ID("p-status"), "present"),
		chromedp.SendKeys(chromedp.ID("p-person"), "Mme Martin"),
		chromedp.Click(button("Enregistrer la présence")),
		says("Présence enregistrée"),
	)
	if got := text(t, ctx, `section[aria-labelledby="presences"] table`); !strings.Contains(got, "présent") || !strings.Contains(got, "Mme Martin") {
		t.Errorf("la présence n'apparaît pas :\n%s", got)
	}
	do(t, ctx, "noter une décision",
		chromedp.SendKeys(chromedp.ID("d-text"), "Relancer les partenaires de la fiche 2.2"),
		chromedp.SetValue(chromedp.ID("d-kind"), "fiche"),
		chromedp.SendKeys(chromedp.ID("d-key"), "2.2"),
		chromedp.Click(button("Enregistrer la décision")),
		says("Décision enregistrée"),
		chromedp.Click(chromedp.Search(`//main//summary[contains(., "Ajouter une action")]`)),
		chromedp.SendKeys(chromedp.Search(`//details[@open]//input[@name="text"]`), "Réunir les partenaires de l'accès aux droits"),
		chromedp.SetValue(chromedp.Search(`//details[@open]//select[@name="organization"]`), "caf04"),
		chromedp.SetValue(chromedp.Search(`//details[@open]//input[@name="due_on"]`), "2024-12-15"),
		chromedp.Click(chromedp.Search(`//details[@open]//button[normalize-space()="Ajouter l'action"]`)),
		says("Action enregistrée"),
	)
	if got := mainText(t, ctx); !strings.Contains(got, "Réunir les partenaires de l'accès aux droits") || !strings.Contains(got, "15 décembre 2024") {
		t.Errorf("l'action n'apparaît pas sur la réunion :\n%s", got)
	}
	checkPageAccessibility(t, ctx, axe, "reunion-tenue")

	do(t, ctx, "lire le calendrier des obligations",
		chromedp.Click(chromedp.Search(`//nav//a[normalize-space()="Calendrier"]`)),
		chromedp.WaitVisible(chromedp.Search(`//main//*[contains(., "Action décidée : Réunir les partenaires de l'accès aux droits")]`)),
	)
	if got := mainText(t, ctx); !strings.Contains(got, "Réunion : Comité de pilotage") {
		t.Errorf("le calendrier ne montre pas la réunion :\n%s", got)
	}
	checkPageAccessibility(t, ctx, axe, "calendrier-avec-action")

	do(t, ctx, "s'abonner au calendrier de la convention",
		chromedp.Navigate(p.url+"/compte"),
		chromedp.SetValue(chromedp.ID("feed-convention"), slug),
		chromedp.Click(button("Créer l'adresse d'abonnement")),
		chromedp.WaitVisible(chromedp.CSS("code.secret-url")),
	)
	feed := text(t, ctx, "code.secret-url")
	resp, err := http.Get(strings.TrimSpace(feed))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	cal, err := goical.NewDecoder(strings.NewReader(string(body))).Decode()
	if err != nil {
		t.Fatalf("flux %s illisible : %v\n%s", feed, err, body)
	}
	found := map[string]bool{}
	for _, ev := range cal.Events() {
		summary, _ := ev.Props.Text("SUMMARY")
		// The action's date is past on the day the test runs: it is late.
		found[strings.TrimPrefix(summary, "En retard — ")] = true
		if summary == "Réunion : Comité de pilotage" {
			if where, _ := ev.Props.Text("LOCATION"); where != "Salle du conseil, Forcalquier" {
				t.Errorf("lieu de la réunion dans le flux : %q", where)
			}
			if desc, _ := ev.Props.Text("DESCRIPTION"); !strings.Contains(desc, "Ordre du jour :") || !strings.Contains(desc, "Préparation de l'évaluation finale") {
				t.Errorf("description de la réunion dans le flux : %q", desc)
			}
			paris, _ := time.LoadLocation("Europe/Paris")
			if from, err := ev.DateTimeStart(time.UTC); err != nil || !from.Equal(time.Date(2024, 10, 15, 14, 30, 0, 0, paris)) {
				t.Errorf("heure de la réunion dans le flux : %v (%v)", from, err)
			}
		}
	}
	for _, want := range []string{"Réunion : Comité de pilotage", "Action décidée : Réunir les partenaires de l'accès aux droits"} {
		if !found[want] {
			t.Errorf("le flux ne contient pas « %s » (%d événements)", want, len(cal.Events()))
		}
	}
}
