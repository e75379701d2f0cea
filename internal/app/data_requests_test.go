package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// account creates a real account with a role in the bundled convention,
// so that e-mails can reach it, and returns it as an actor.
func account(t *testing.T, svc *app.Service, st store.Store, name string, role auth.Role, org string) *auth.Actor {
	t.Helper()
	ctx := context.Background()
	u := &auth.User{Email: name + "@exemple.fr", Name: name, PasswordHash: "x"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := svc.Grant(ctx, auth.System, u.Email, auth.Membership{Convention: examples.ForcalquierSlug, Role: role, Organization: org}); err != nil {
		t.Fatal(err)
	}
	a, err := st.Actor(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func exchangeInput() app.DataRequestInput {
	return app.DataRequestInput{Requester: "cc-pflm", Holder: "caf04", Title: "Familles allocataires du territoire",
		DataCategories: "composition du foyer, quotient familial", Purpose: "tarification des accueils de loisirs",
		LegalBasis: string(model.BasisPublicTask), Persons: "allocataires ayant des enfants de 3 à 11 ans", Retention: "un an",
		Recipients: "service enfance de la communauté de communes", Security: "dépôt chiffré, accès nominatif"}
}

// TestDataRequestGoesToTheHoldersDPO follows a request from its filing to
// its implementation: only the holding party's DPO studies it and gives
// the opinion, only the holding party decides, steps out of order are
// refused naming the field, every step is in the history, and the DPO
// then the filer get an e-mail.
func TestDataRequestGoesToTheHoldersDPO(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	svc.SetClock(func() time.Time { return time.Date(2025, 6, 10, 9, 0, 0, 0, time.UTC) })
	const slug = examples.ForcalquierSlug
	coordinator := account(t, svc, st, "coordinatrice", auth.RoleContributor, "cc-pflm")
	cafDPO := account(t, svc, st, "dpo-caf", auth.RoleDPO, "caf04")
	otherDPO := account(t, svc, st, "dpo-msa", auth.RoleDPO, "msa-alpes-vaucluse")
	cafContributor := account(t, svc, st, "caf", auth.RoleContributor, "caf04")
	reader := account(t, svc, st, "lecteur", auth.RoleReader, "")
	limans := account(t, svc, st, "limans", auth.RoleContributor, "limans")

	in := exchangeInput()
	for _, a := range []*auth.Actor{reader, cafDPO} {
		if _, err := svc.FileDataRequest(ctx, a, slug, in); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s dépose une demande : %v, refus attendu", a.Name, err)
		}
	}
	if _, err := svc.FileDataRequest(ctx, limans, slug, in); !errors.Is(err, model.ErrForbidden) || !strings.Contains(err.Error(), "Commune de Limans") {
		t.Errorf("demande au nom d'une autre organisation : %v", err)
	}
	var ve *model.ValidationError
	bad := in
	bad.Holder, bad.LegalBasis, bad.Transfers, bad.Purpose = "cc-pflm", "au cas où", true, " "
	if _, err := svc.FileDataRequest(ctx, coordinator, slug, bad); !errors.As(err, &ve) || len(ve.Errors) != 4 {
		t.Errorf("demande mal remplie : %v", err)
	}
	r, err := svc.FileDataRequest(ctx, coordinator, slug, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != model.DataRequestFiled || r.FiledBy != "coordinatrice" {
		t.Errorf("demande déposée : %+v", r)
	}

	opinion := app.DataRequestStep{Opportunity: "Utile à la tarification", Feasibility: "Extraction mensuelle possible",
		Compliance: "Mission de service public ; minimisation à revoir", Opinion: string(model.OpinionFavorableRecommendation),
		OpinionText: "Avis favorable sous réserve", Recommendations: "Ne transmettre que la tranche de quotient"}
	// Out of order: the opinion before the study, the decision before the opinion.
	if _, err := svc.AdvanceDataRequest(ctx, cafDPO, slug, r.ID, app.StepOpinion, opinion); !errors.As(err, &ve) || ve.Errors[0].Path != "opinion" ||
		!strings.Contains(ve.Errors[0].Message, "déposée") {
		t.Errorf("avis avant l'étude : %v", err)
	}
	if _, err := svc.AdvanceDataRequest(ctx, cafContributor, slug, r.ID, app.StepDecision, app.DataRequestStep{Decision: "accepted"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "decision" {
		t.Errorf("décision avant l'avis : %v", err)
	}
	// Only the holder's DPO studies it and gives the opinion.
	for _, a := range []*auth.Actor{otherDPO, reader, coordinator, cafContributor} {
		if _, err := svc.AdvanceDataRequest(ctx, a, slug, r.ID, app.StepStudy, app.DataRequestStep{}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s ouvre l'étude : %v, refus attendu", a.Name, err)
		}
	}
	if r, err = svc.AdvanceDataRequest(ctx, cafDPO, slug, r.ID, app.StepStudy, app.DataRequestStep{Version: r.Version}); err != nil || r.State != model.DataRequestInStudy {
		t.Fatalf("ouverture de l'étude : %v", err)
	}
	for _, a := range []*auth.Actor{otherDPO, coordinator} {
		if _, err := svc.AdvanceDataRequest(ctx, a, slug, r.ID, app.StepOpinion, opinion); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s rend l'avis : %v, refus attendu", a.Name, err)
		}
	}
	noRecommendation := opinion
	noRecommendation.Recommendations, noRecommendation.Feasibility = "", ""
	if _, err := svc.AdvanceDataRequest(ctx, cafDPO, slug, r.ID, app.StepOpinion, noRecommendation); !errors.As(err, &ve) || len(ve.Errors) != 2 {
		t.Errorf("avis incomplet : %v", err)
	}
	if r, err = svc.AdvanceDataRequest(ctx, cafDPO, slug, r.ID, app.StepOpinion, opinion); err != nil || !r.HasOpinion() || r.OpinionBy != "dpo-caf" {
		t.Fatalf("avis : %v", err)
	}
	// The requester does not decide; the holding party does.
	if _, err := svc.AdvanceDataRequest(ctx, coordinator, slug, r.ID, app.StepDecision, app.DataRequestStep{Decision: "accepted"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("le demandeur décide : %v", err)
	}
	if r, err = svc.AdvanceDataRequest(ctx, cafContributor, slug, r.ID, app.StepDecision, app.DataRequestStep{Decision: "accepted"}); err != nil || r.State != model.DataRequestAccepted {
		t.Fatalf("décision : %v", err)
	}
	if _, err := svc.AdvanceDataRequest(ctx, cafContributor, slug, r.ID, app.StepImplementation, app.DataRequestStep{ImplementedOn: "2001-01-01"}); !errors.As(err, &ve) ||
		ve.Errors[0].Path != "implemented_on" {
		t.Errorf("mise en œuvre avant la décision : %v", err)
	}
	if _, err := svc.AdvanceDataRequest(ctx, cafContributor, slug, r.ID, app.StepImplementation, app.DataRequestStep{ImplementedOn: "2025-06-11"}); !errors.As(err, &ve) ||
		!strings.Contains(ve.Errors[0].Message, "dans le futur") {
		t.Errorf("mise en œuvre datée de demain : %v", err)
	}
	if r, err = svc.AdvanceDataRequest(ctx, cafContributor, slug, r.ID, app.StepImplementation, app.DataRequestStep{ImplementedOn: "2025-06-10"}); err != nil ||
		r.State != model.DataRequestImplemented {
		t.Fatalf("mise en œuvre : %v", err)
	}

	history, err := st.History(ctx, slug, []string{r.ID}, 20)
	if err != nil || len(history) != 5 {
		t.Fatalf("historique : %v, %d entrées", err, len(history))
	}
	implemented := false
	for _, h := range history {
		implemented = implemented || (h.Before["état"] == "acceptée" && h.After["état"] == "mise en œuvre" && h.After["mise en œuvre le"] == "2025-06-10")
	}
	if !implemented {
		t.Errorf("mise en œuvre absente de l'historique : %+v", history)
	}

	mails, err := svc.Outbox(ctx, auth.System, 10)
	if err != nil {
		t.Fatal(err)
	}
	to := map[string]string{}
	for _, m := range mails {
		to[m.To] = m.Subject
	}
	if len(mails) != 3 || !strings.Contains(to["dpo-caf@exemple.fr"], "à étudier") || !strings.Contains(to["coordinatrice@exemple.fr"], "Avis du DPO") ||
		!strings.Contains(to["caf@exemple.fr"], "Échange de données à décider") {
		t.Errorf("courriels : %v", to)
	}

	// The register: an entry for each controller, filtered by organization.
	_, entries, err := svc.Register(ctx, reader, slug, "")
	if err != nil || len(entries) != 2 {
		t.Fatalf("registre : %v, %d entrées", err, len(entries))
	}
	if entries[0].Role != "responsable de traitement source" || !strings.Contains(entries[0].Controller, "Allocations") ||
		!strings.Contains(entries[0].Opinion, "favorable avec recommandations") {
		t.Errorf("entrée du détenteur : %+v", entries[0])
	}
	if _, mine, err := svc.Register(ctx, reader, slug, "cc-pflm"); err != nil || len(mine) != 1 || mine[0].Role != "responsable de traitement destinataire" {
		t.Errorf("registre de la communauté de communes : %v, %+v", err, mine)
	}
}
