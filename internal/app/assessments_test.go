package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

func member(name string, role auth.Role, org string) *auth.Actor {
	return &auth.Actor{UserID: name, Name: name, Email: strings.ToLower(name) + "@exemple.fr",
		Memberships: map[string]auth.Membership{examples.ForcalquierSlug: {Convention: examples.ForcalquierSlug, Role: role, Organization: org}}}
}

func TestAssessmentIsWrittenByEditorsAndPilotsAndAudited(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	editor := member("Claire", auth.RoleEditor, "")
	pilot := member("Paul", auth.RoleContributor, "caf04")
	other := member("Léa", auth.RoleContributor, "cordeliere")
	reader := member("Marc", auth.RoleReader, "")

	// Fiche 2.2 is piloted by the Caf.
	rec := fiche(t, svc, "2.2")
	apptest.Amend(t, svc, st, slug, "fiche", rec.Target.Meta.ID, map[string]string{"pilots": "caf04"})
	for _, a := range []*auth.Actor{other, reader} {
		if _, err := svc.SaveAssessment(ctx, a, slug, "2.2", 2024, 0, "Bonne année."); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s : %v, refus attendu", a.Name, err)
		}
	}
	x, err := svc.SaveAssessment(ctx, pilot, slug, "2.2", 2024, 0, "  Démarche lancée auprès de 262 allocataires.\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if x.Text != "Démarche lancée auprès de 262 allocataires." || x.Author != "Paul" || x.Version != 1 {
		t.Errorf("appréciation : %+v", x)
	}
	if _, err := svc.SaveAssessment(ctx, editor, slug, "2.2", 2024, 0, "Écrasement"); !errors.Is(err, model.ErrStale) {
		t.Errorf("seconde création : %v, conflit attendu", err)
	}
	x, err = svc.SaveAssessment(ctx, editor, slug, "2.2", 2024, 1, "Démarche lancée ; à étendre en 2025.")
	if err != nil || x.Version != 2 || x.Author != "Claire" {
		t.Fatalf("correction : %+v %v", x, err)
	}
	var ce *app.ConflictError
	if _, err := svc.SaveAssessment(ctx, pilot, slug, "2.2", 2024, 1, "Version périmée"); !errors.As(err, &ce) || ce.Current["appréciation"] != x.Text {
		t.Errorf("version périmée : %v", err)
	}
	var ve *model.ValidationError
	if _, err := svc.SaveAssessment(ctx, editor, slug, "2.2", 2031, 0, "Hors période"); !errors.As(err, &ve) || ve.Errors[0].Path != "year" {
		t.Errorf("année hors de la convention : %v", err)
	}
	if _, err := svc.SaveAssessment(ctx, editor, slug, "1.1", 2024, 0, "   "); !errors.As(err, &ve) || ve.Errors[0].Path != "text" {
		t.Errorf("appréciation vide : %v", err)
	}
	if _, err := svc.SaveAssessment(ctx, editor, slug, "9.9", 2024, 0, "Fiche inconnue"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("fiche inconnue : %v", err)
	}

	hist, err := svc.History(ctx, editor, slug, []string{x.ID}, 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("historique : %d entrées, %v", len(hist), err)
	}
	if h := hist[0]; h.ObjectLabel != "Appréciation 2024 – fiche 2.2" || h.Before["appréciation"] != "Démarche lancée auprès de 262 allocataires." ||
		h.After["appréciation"] != x.Text || !strings.Contains(h.Actor, "Claire") {
		t.Errorf("entrée d'historique : %+v", h)
	}

	r, err := svc.Report(ctx, reader, slug, 2024, false, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Fiches {
		if f.Code == "2.2" && (len(f.Assessments) != 1 || f.Assessments[0].Text != x.Text) {
			t.Errorf("bilan 2024, fiche 2.2 : %+v", f.Assessments)
		}
	}
	if r, _ := svc.Report(ctx, reader, slug, 2023, false, false); len(r.Fiches[2].Assessments) != 0 {
		t.Errorf("l'appréciation 2024 figure au bilan 2023")
	}
}

// fiche returns the editable record of a fiche by code.
func fiche(t *testing.T, svc *app.Service, code string) *app.Record {
	t.Helper()
	c, err := svc.Convention(context.Background(), auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			if f.Code == code {
				r, err := svc.Record(context.Background(), auth.System, c.Slug, "fiche", f.ID)
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
		}
	}
	t.Fatalf("fiche %s absente", code)
	return nil
}
