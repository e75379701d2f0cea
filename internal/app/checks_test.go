package app_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

var checkDay = model.MustDate("2026-11-27")

// lineOf returns the line of a rule whose message contains text.
func lineOf(t *testing.T, lines []app.Check, rule, text string) app.Check {
	t.Helper()
	for _, l := range lines {
		if l.Rule == rule && strings.Contains(l.Message, text) {
			return l
		}
	}
	t.Fatalf("%s « %s » absent", rule, text)
	return app.Check{}
}

func TestAcknowledgedFindingFoldsAwayWithWhoAndWhy(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	_, before, err := svc.Checks(ctx, auth.System, slug, checkDay)
	if err != nil {
		t.Fatal(err)
	}
	line := lineOf(t, before.Open, "PERIOD-BEFORE-SIGNATURE", "rétroactif")
	editor := member("Personne", auth.RoleEditor, "")
	if _, err := svc.Acknowledge(ctx, editor, slug, line.Key, "  L'effet rétroactif a été voulu par les signataires.  ", checkDay); err != nil {
		t.Fatal(err)
	}
	_, after, err := svc.Checks(ctx, member("Personne", auth.RoleReader, ""), slug, checkDay)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(after.Open, func(c app.Check) bool { return c.Key == line.Key }) {
		t.Error("le constat pris en compte reste parmi les constats ouverts")
	}
	acked := lineOf(t, after.Acknowledged, "PERIOD-BEFORE-SIGNATURE", "rétroactif")
	if a := acked.Acknowledgement; a == nil || a.Reason != "L'effet rétroactif a été voulu par les signataires." || a.By != "Personne" || a.At.IsZero() {
		t.Errorf("prise en compte : %+v", acked.Acknowledgement)
	}
	if got, want := after.Counts[lint.Warning], before.Counts[lint.Warning]-1; got != want {
		t.Errorf("%d avertissement(s) ouverts, %d attendu(s)", got, want)
	}
	if all := after.All(); len(all) != len(before.Open) || all[len(all)-1].Key != line.Key {
		t.Errorf("les exports donnent %d lignes, %d attendues, la prise en compte en dernier", len(all), len(before.Open))
	}
	hist, _ := svc.History(ctx, auth.System, slug, nil, 1)
	if len(hist) != 1 || hist[0].ObjectType != "acknowledgement" || hist[0].After["reason"] != "L'effet rétroactif a été voulu par les signataires." ||
		!strings.Contains(hist[0].Actor, "personne@exemple.fr") {
		t.Errorf("historique : %+v", hist)
	}

	if _, err := svc.Acknowledge(ctx, editor, slug, line.Key, "encore", checkDay); !errors.Is(err, model.ErrConflict) {
		t.Errorf("deuxième prise en compte : %v, conflit attendu", err)
	}
	if err := svc.Unacknowledge(ctx, member("Personne", auth.RoleReader, ""), slug, line.Key); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("annulation par un·e lecteur·rice : %v", err)
	}
	if err := svc.Unacknowledge(ctx, member("Personne", auth.RoleAdmin, ""), slug, line.Key); err != nil {
		t.Fatal(err)
	}
	_, again, _ := svc.Checks(ctx, auth.System, slug, checkDay)
	if len(again.Acknowledged) != 0 || again.Counts[lint.Warning] != before.Counts[lint.Warning] {
		t.Errorf("après annulation : %d pris en compte, %d avertissements", len(again.Acknowledged), again.Counts[lint.Warning])
	}
	if hist, _ := svc.History(ctx, auth.System, slug, nil, 1); len(hist) != 1 || hist[0].Action != "delete" || hist[0].Before["reason"] == "" {
		t.Errorf("historique de l'annulation : %+v", hist)
	}
	if err := svc.Unacknowledge(ctx, editor, slug, line.Key); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("annulation d'un constat ouvert : %v", err)
	}
}

func TestOnlyEditorsAcknowledgeWithAReason(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	_, checks, err := svc.Checks(ctx, auth.System, slug, checkDay)
	if err != nil {
		t.Fatal(err)
	}
	key := checks.Open[0].Key
	for _, role := range []auth.Role{auth.RoleReader, auth.RoleContributor} {
		if _, err := svc.Acknowledge(ctx, member("Personne", role, ""), slug, key, "pas mon rôle", checkDay); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s : %v, refus attendu", role, err)
		}
	}
	var ve *model.ValidationError
	if _, err := svc.Acknowledge(ctx, member("Personne", auth.RoleEditor, ""), slug, key, "   ", checkDay); !errors.As(err, &ve) || ve.Errors[0].Path != "reason" {
		t.Errorf("raison vide : %v", err)
	}
	if _, err := svc.Acknowledge(ctx, member("Personne", auth.RoleEditor, ""), slug, "inconnu", "une raison", checkDay); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("constat inconnu : %v", err)
	}
	if _, checks, _ := svc.Checks(ctx, auth.System, slug, checkDay); len(checks.Acknowledged) != 0 {
		t.Errorf("%d constat(s) pris en compte malgré les refus", len(checks.Acknowledged))
	}
}

func TestIdenticalFindingsOnOneRecordAreMerged(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	c, err := svc.Convention(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	f := c.Axes[1].Fiches[1]
	apptest.Amend(t, svc, st, slug, "fiche", f.ID, map[string]string{"context": "XXXX", "description": "XXXX"})
	_, checks, err := svc.Checks(ctx, auth.System, slug, checkDay)
	if err != nil {
		t.Fatal(err)
	}
	var lines []app.Check
	for _, l := range checks.Open {
		if l.Rule == "TEXT-PLACEHOLDER" && l.Where == "fiche 2.2" {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("%d ligne(s) pour les deux « XXXX » de la fiche 2.2, 1 attendue", len(lines))
	}
	if l := lines[0]; l.Count != 2 || !slices.Equal(l.Paths, []string{"axes[1].fiches[1].context", "axes[1].fiches[1].description"}) {
		t.Errorf("ligne fusionnée : %d occurrence(s) à %v", l.Count, l.Paths)
	}
	// Different messages on one record stay apart (fiche 4.2 is titled
	// differently in article 4 and in annex 3).
	n := 0
	for _, l := range checks.Open {
		if l.Rule == "FICHE-TITLE-MISMATCH" && l.Where == "fiche 4.2" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("fiche 4.2 : %d ligne(s) de titre, 2 attendues", n)
	}
}

func TestPlanProgressCountsStepsAndFindsLateOnes(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	o, err := svc.Overview(ctx, auth.System, examples.ForcalquierSlug, model.MustDate("2025-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, sc := range o.Plan.ByStatus {
		total += sc.Count
	}
	if total != o.Plan.Steps || o.Plan.Steps == 0 {
		t.Errorf("%d étapes comptées par état sur %d", total, o.Plan.Steps)
	}
	// In June 2025 the step "En 2024" of fiche 3.1, still planned, is late,
	// and so is its yearly step, not started a year after its start.
	var late []string
	for _, l := range o.Plan.Late {
		late = append(late, l.Step.Schedule.AsWritten)
	}
	if len(late) != 2 || !slices.Contains(late, "En 2024") {
		t.Errorf("étapes en retard : %q", late)
	}
	early, _ := svc.Overview(ctx, auth.System, examples.ForcalquierSlug, model.MustDate("2024-06-01"))
	if len(early.Plan.Late) != 1 || early.Plan.Late[0].Step.Schedule.AsWritten == "En 2024" {
		t.Errorf("étapes en retard en juin 2024 : %d", len(early.Plan.Late))
	}
	if o.CollectionYear != 2024 || o.Collection.Expected == 0 {
		t.Errorf("collecte %d : %+v", o.CollectionYear, o.Collection)
	}
}

func TestStepLateOn(t *testing.T) {
	end := model.MustDate("2024-12-31")
	for _, tc := range []struct {
		status model.ActionStatus
		end    *model.Date
		day    string
		late   bool
	}{
		{model.ActionPlanned, &end, "2025-01-01", true},
		{model.ActionInProgress, &end, "2025-01-01", true},
		{model.ActionPlanned, &end, "2024-12-31", false},
		{model.ActionDone, &end, "2025-01-01", false},
		{model.ActionAbandoned, &end, "2025-01-01", false},
		{model.ActionPlanned, nil, "2030-01-01", false},
	} {
		s := model.Step{Status: tc.status, Schedule: model.Schedule{End: tc.end}}
		if got := s.LateOn(model.MustDate(tc.day)); got != tc.late {
			t.Errorf("%s, fin %v, au %s : en retard = %v", tc.status, tc.end, tc.day, got)
		}
	}
}

// The evaluation the annex asks for in 2024 is recorded by the
// assessments 2024 of every fiche: the checker warns during 2024, lists
// the fiches still to assess, and clears once each has its assessment.
func TestEvaluationIsRecordedByTheAssessmentsOfEveryFiche(t *testing.T) {
	apptest.EachDB(t, pg, func(t *testing.T, svc *app.Service, st store.Store) {
		ctx := context.Background()
		slug := examples.ForcalquierSlug
		inLastYear := model.MustDate("2024-06-01")
		evaluation := func() string {
			_, checks, err := svc.Checks(ctx, auth.System, slug, inLastYear)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range checks.Open {
				if l.Rule == "EVALUATION-NOT-RECORDED" {
					return l.Message
				}
			}
			return ""
		}
		if msg := evaluation(); !strings.Contains(msg, "est due au 31 décembre 2024 : aucune fiche n'a encore son appréciation 2024") {
			t.Fatalf("évaluation due en 2024, au 1er juin 2024 : %q", msg)
		}
		c := conv(t, svc)
		var codes []string
		for _, ax := range c.Axes {
			for _, f := range ax.Fiches {
				codes = append(codes, f.Code)
			}
		}
		for _, code := range codes[1:] {
			if _, err := svc.SaveAssessment(ctx, auth.System, slug, code, 2024, 0, "Bilan de l'action en 2024."); err != nil {
				t.Fatal(err)
			}
		}
		if msg := evaluation(); !strings.Contains(msg, "1 fiche(s) sur "+strconv.Itoa(len(codes))+" sans appréciation 2024 ("+codes[0]+")") {
			t.Errorf("une fiche sans appréciation : %q", msg)
		}
		if _, err := svc.SaveAssessment(ctx, auth.System, slug, codes[0], 2024, 0, "Coordination en place."); err != nil {
			t.Fatal(err)
		}
		if msg := evaluation(); msg != "" {
			t.Errorf("évaluation enregistrée mais encore signalée : %q", msg)
		}
	})
}
