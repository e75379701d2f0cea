package app_test

import (
	"context"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// validate enters and validates a value of an indicator.
func validate(t *testing.T, svc *app.Service, code, period, number string) {
	t.Helper()
	ctx := context.Background()
	v, err := svc.SaveValue(ctx, auth.System, examples.ForcalquierSlug, code, app.ValueInput{Period: period, Number: number})
	if err != nil {
		t.Fatalf("%s %s : %v", code, period, err)
	}
	if _, err := svc.ValueAction(ctx, auth.System, examples.ForcalquierSlug, v.ID, v.Version, app.ActionValidate, ""); err != nil {
		t.Fatal(err)
	}
}

func figureOf(t *testing.T, row indicators.Row, year string) indicators.Figure {
	t.Helper()
	for _, f := range row.Figures {
		if f.Year == year {
			return f
		}
	}
	t.Fatalf("%s : pas de colonne %s", row.Code, year)
	return indicators.Figure{}
}

func TestDiffusableBilanFollowsTheServiceRule(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	svc.Secrecy = secrecy.Round5
	validate(t, svc, "2.2-1", "2022", "12")
	validate(t, svc, "2.2-2", "2022", "3")
	shown := func(diffusable bool, code string) string {
		r, err := svc.Report(ctx, auth.System, examples.ForcalquierSlug, 2022, false, diffusable)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range r.Figures.Rows {
			if row.Code == code {
				return figureOf(t, row, "2022").Shown()
			}
		}
		t.Fatalf("%s absent du bilan", code)
		return ""
	}
	if got := shown(false, "2.2-1"); got != "12" {
		t.Errorf("bilan interne : %q, 12 attendu", got)
	}
	if got := shown(true, "2.2-1"); got != "10" {
		t.Errorf("bilan diffusable arrondi à 5 : %q, 10 attendu", got)
	}
	if got := shown(true, "2.2-2"); got != "< 5" {
		t.Errorf("bilan diffusable : %q, « < 5 » attendu", got)
	}
}

func TestDiffusableExportProtectsEveryCount(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	validate(t, svc, "2.2-1", "2022", "3")
	// A value kept from an indicator since removed from the catalogue: its
	// unit is unknown, so it is protected as a count.
	three := 3.0
	if _, err := st.InsertValues(ctx, []model.Value{{Convention: examples.ForcalquierSlug, Indicator: "9.9-9", Period: "2022",
		Number: &three, State: model.ValueValidated}}, model.AuditEntry{Convention: examples.ForcalquierSlug, Actor: "test", Action: "create", ObjectType: "values"}); err != nil {
		t.Fatal(err)
	}
	_, values, err := svc.ExportValues(ctx, auth.System, examples.ForcalquierSlug, true)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, v := range values {
		if v.Period == "2022" && (v.Indicator == "2.2-1" || v.Indicator == "9.9-9") {
			seen++
			if v.Masked != "< 5" || v.Number != nil {
				t.Errorf("%s : %q %v au lieu de « < 5 »", v.Indicator, v.Masked, v.Number)
			}
		}
		if v.State != model.ValueValidated {
			t.Errorf("valeur %s dans l'export diffusable", v.State)
		}
	}
	if seen != 2 {
		t.Errorf("%d valeurs 2022 exportées, 2 attendues", seen)
	}
	_, all, err := svc.ExportValues(ctx, auth.System, examples.ForcalquierSlug, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range all {
		if v.Indicator == "2.2-1" && v.Period == "2022" && (v.Number == nil || *v.Number != 3 || v.Masked != "") {
			t.Errorf("l'export interne garde la valeur exacte : %+v", v)
		}
	}
}

// An indicator page shows a ratio as the dashboard does, from the values
// of its two terms.
func TestIndicatorPageFiguresMatchTheDashboard(t *testing.T) {
	svc := apptest.New(t)
	ctx := context.Background()
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			for _, list := range [][]model.Indicator{f.Indicators, f.Steps[0].Indicators, f.Steps[len(f.Steps)-1].Indicators} {
				for i := range list {
					if list[i].Code == "2.2-3" {
						list[i].Unit, list[i].Combine, list[i].Numerator, list[i].Denominator = model.UnitCount, model.CombineRatio, "2.2-1", "2.2-2"
					}
				}
			}
		}
	}
	data, err := interchange.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Import(ctx, data, true); err != nil {
		t.Fatal(err)
	}
	validate(t, svc, "2.2-1", "2022", "300")
	validate(t, svc, "2.2-2", "2022", "60")
	_, table, err := svc.Figures(ctx, auth.System, examples.ForcalquierSlug)
	if err != nil {
		t.Fatal(err)
	}
	var dashboard indicators.Row
	for _, r := range table.Rows {
		if r.Code == "2.2-3" {
			dashboard = r
		}
	}
	iv, err := svc.Indicator(ctx, auth.System, examples.ForcalquierSlug, "2.2-3")
	if err != nil {
		t.Fatal(err)
	}
	page, err := svc.IndicatorFigures(ctx, iv)
	if err != nil {
		t.Fatal(err)
	}
	if d, p := figureOf(t, dashboard, "2022"), figureOf(t, page, "2022"); d.Shown() != "5" || p.Shown() != d.Shown() {
		t.Errorf("rapport 300 / 60 : tableau de bord %q, page de l'indicateur %q", d.Shown(), p.Shown())
	}
}
