package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/newconv"
)

func newConventionInput() app.NewConventionInput {
	return app.NewConventionInput{EPCI: "Provence-Alpes-Agglomération",
		Caf: newconv.Org{Name: "Caisse d'allocations familiales des Alpes-de-Haute-Provence"}, MSA: newconv.Org{Name: "Mutualité sociale agricole Alpes-Vaucluse"}}
}

func TestOnlyPlatformAdminsAndAdvisersCreateConventions(t *testing.T) {
	if app.CanCreateConvention(nil) || app.CanCreateConvention(&auth.Actor{Memberships: map[string]auth.Membership{
		"ctg-forcalquier-2022": {Convention: "ctg-forcalquier-2022", Role: auth.RoleAdmin}}}) {
		t.Error("un·e administrateur·rice d.une convention ne crée pas de convention")
	}
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		admin := &auth.Actor{Email: "a@x.fr", Memberships: map[string]auth.Membership{"ctg-forcalquier-2022": {Convention: "ctg-forcalquier-2022", Role: auth.RoleAdmin}}}
		if _, err := svc.NewConvention(ctx, admin, newConventionInput()); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("administrateur d'une convention : %v, attendu un refus", err)
		}
		if _, err := svc.SearchEPCI(admin, "forcalquier"); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("recherche : %v, attendu un refus", err)
		}
		list, _ := svc.Conventions(ctx, &auth.Actor{PlatformAdmin: true})
		if len(list) != 1 {
			t.Errorf("%d conventions après un refus, 1 attendue", len(list))
		}
	})
}

func TestNewConventionIsADraftInTheHistory(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root := &auth.Actor{UserID: "u-root", Email: "root@ctg.localhost", Name: "Root", PlatformAdmin: true}
		c, err := svc.NewConvention(ctx, root, newConventionInput())
		if err != nil {
			t.Fatal(err)
		}
		// The clock says 1 November 2024: the period runs 2025-2028.
		if c.Slug != "ctg-provence-alpes-agglomeration-2025" || c.Period.Start.String() != "2025-01-01" || c.Period.End.String() != "2028-12-31" {
			t.Errorf("créée : %s, %s – %s", c.Slug, c.Period.Start, c.Period.End)
		}
		got, err := svc.Convention(ctx, root, c.Slug)
		if err != nil {
			t.Fatal(err)
		}
		if st := lifecycle.Of(got).On(model.Date{Year: 2024, Month: 11, Day: 1}); st != lifecycle.Draft {
			t.Errorf("état %s, attendu projet", st)
		}
		if len(got.Parties) < 40 || len(got.Articles) != 14 || got.Territory.EPCI != "200067437" {
			t.Errorf("%d parties, %d articles, EPCI %s", len(got.Parties), len(got.Articles), got.Territory.EPCI)
		}
		hist, err := svc.History(ctx, root, c.Slug, nil, 10)
		if err != nil || len(hist) != 1 || hist[0].Action != "new-convention" || hist[0].Actor != root.Label() {
			t.Fatalf("historique : %+v, %v", hist, err)
		}
		_, checks, err := svc.Checks(ctx, root, c.Slug, model.Date{Year: 2024, Month: 11, Day: 1})
		if err != nil {
			t.Fatal(err)
		}
		rules := map[string]bool{}
		for _, ch := range checks.Open {
			rules[ch.Rule] = true
		}
		if checks.Counts[lint.Error] == 0 || rules["SIGNATURE-DATE-MISSING"] || !rules["AUTH-DATE-MISSING"] || !rules["NAME-EMPTY"] {
			t.Errorf("le vérificateur devrait dire ce qui manque avant la signature : %v", rules)
		}
		// The same slug again is refused, naming the field.
		_, err = svc.NewConvention(ctx, root, newConventionInput())
		if msg := fieldErrors(err)["slug"]; !strings.Contains(msg, "déjà celui d'une convention") {
			t.Errorf("identifiant pris : %v", err)
		}
	})
}

func TestNewConventionInputErrors(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root := &auth.Actor{UserID: "u-root", Email: "root@ctg.localhost", PlatformAdmin: true}
		for name, tc := range map[string]struct {
			change      func(in *app.NewConventionInput)
			field, want string
		}{
			"epci inconnu":      {func(in *app.NewConventionInput) { in.EPCI = "zzqxw" }, "epci", "aucune intercommunalité"},
			"commune ambiguë":   {func(in *app.NewConventionInput) { in.EPCI = "Sainte-Colombe" }, "epci", "ambigu"},
			"epci vide":         {func(in *app.NewConventionInput) { in.EPCI = " " }, "epci", "champ obligatoire"},
			"caf sans nom":      {func(in *app.NewConventionInput) { in.Caf.Name = "" }, "caf.name", "Nom de la Caf"},
			"siren de caf":      {func(in *app.NewConventionInput) { in.Caf.SIREN = "123456789" }, "caf.siren", "n'est pas un SIREN valide"},
			"date":              {func(in *app.NewConventionInput) { in.Start = "01/01/2025" }, "start", "AAAA-MM-JJ"},
			"fin avant début":   {func(in *app.NewConventionInput) { in.Start, in.End = "2026-01-01", "2025-12-31" }, "end", "précède le début"},
			"identifiant":       {func(in *app.NewConventionInput) { in.Slug = "CTG Été" }, "slug", "n'est pas valide"},
			"identifiant pris":  {func(in *app.NewConventionInput) { in.Slug = "ctg-forcalquier-2022" }, "slug", "déjà celui d'une convention"},
			"commune étrangère": {func(in *app.NewConventionInput) { in.Communes = []string{"04088"} }, "communes", "n'est pas le code INSEE d'une commune membre"},
			"aucune partie": {func(in *app.NewConventionInput) {
				in.WithoutCaf, in.WithoutEPCI, in.WithoutCommunes, in.MSA.Name = true, true, true, ""
			}, "parties", "au moins une partie"},
			"article sans titre": {func(in *app.NewConventionInput) { in.Articles = []model.Article{{Number: 1, Text: "x"}} }, "articles[0].title", "titre obligatoire"},
		} {
			in := newConventionInput()
			tc.change(&in)
			_, err := svc.NewConvention(ctx, root, in)
			if msg := fieldErrors(err)[tc.field]; !strings.Contains(msg, tc.want) {
				t.Errorf("%s : %v ; attendu sur %s « %s »", name, err, tc.field, tc.want)
			}
		}
		list, _ := svc.Conventions(ctx, root)
		if len(list) != 1 {
			t.Errorf("%d conventions après des refus, 1 attendue", len(list))
		}
	})
}

func TestNewConventionChosenPartiesAndArticles(t *testing.T) {
	eachService(t, func(t *testing.T, svc *app.Service) {
		ctx := context.Background()
		root := &auth.Actor{UserID: "u-root", Email: "root@ctg.localhost", PlatformAdmin: true}
		in := newConventionInput()
		in.EPCI, in.MSA.Name, in.Communes = "04104", "", []string{"04104", "04088"}
		in.Slug, in.Title, in.Start, in.End = "ctg-essai", "CTG d'essai", "2025-07-01", "2029-06-30"
		in.Articles = []model.Article{{Number: 1, Title: "OBJET", Text: "Texte revu."}}
		c, err := svc.NewConvention(ctx, root, in)
		if err != nil {
			t.Fatal(err)
		}
		var communes []string
		for _, o := range c.Organizations {
			if o.Kind == model.KindCommune {
				communes = append(communes, o.Name)
			}
		}
		if len(c.Parties) != 4 || strings.Join(communes, ", ") != "Commune de Forcalquier, Commune de Limans" {
			t.Errorf("%d parties, communes %v", len(c.Parties), communes)
		}
		if c.Title != "CTG d'essai" || c.Period.End.String() != "2029-06-30" || len(c.Articles) != 1 || c.Articles[0].Text != "Texte revu." {
			t.Errorf("titre %q, fin %s, articles %+v", c.Title, c.Period.End, c.Articles)
		}
	})
}

func TestProposalTakesTheCafFromTheAccount(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	if _, err := svc.AddUser(ctx, app.NewUser{Email: "conseillere@caf04.fr", Name: "Conseillère", Organization: "Caf des Alpes-de-Haute-Provence",
		Password: "une phrase de passe assez longue", PlatformAdmin: true}); err != nil {
		t.Fatal(err)
	}
	a, err := svc.ActorByEmail(ctx, "conseillere@caf04.fr")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.ProposeConvention(ctx, a, "240400440")
	if err != nil {
		t.Fatal(err)
	}
	if p.Input.Caf.Name != "Caf des Alpes-de-Haute-Provence" || !p.SlugTaken == (p.Input.Slug == "ctg-forcalquier-2022") || len(p.Members) != 13 || len(p.Input.Articles) != 14 {
		t.Errorf("proposition : Caf %q, identifiant %s, %d communes, %d articles", p.Input.Caf.Name, p.Input.Slug, len(p.Members), len(p.Input.Articles))
	}
}
