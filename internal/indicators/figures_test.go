package indicators

import (
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
)

func TestYearlyTable(t *testing.T) {
	target := []model.Target{{Period: "2024", Value: 10}}
	c := &model.Convention{Axes: []model.Axis{{Fiches: []model.Fiche{{Code: "1.1", Indicators: []model.Indicator{
		{Code: "n", Label: "Familles", Unit: model.UnitCount, Targets: target, Tolerance: 10},
		{Code: "d", Label: "Communes", Unit: model.UnitCount},
		{Code: "r", Label: "Familles par commune", Unit: model.UnitCount, Combine: model.CombineRatio, Numerator: "n", Denominator: "d"},
		{Code: "q", Label: "Carte", Unit: model.UnitText},
	}}}}}}
	synthetic := val("d", "2024", "", 2, model.ValueValidated)
	synthetic.Synthetic = true
	values := []model.Value{
		val("n", "2024", "", 4, model.ValueValidated),
		val("n", "2023", "", 9, model.ValueSubmitted),
		synthetic,
		{Indicator: "q", Period: "2024", Text: "Carte publiée", State: model.ValueValidated},
	}
	table := Yearly(c, values, Years(2023, 2024))
	if len(table.Rows) != 4 || len(table.Years) != 2 || !table.Synthetic {
		t.Fatalf("tableau : %+v", table)
	}
	n, r, q := table.Rows[0], table.Rows[2], table.Rows[3]
	if f := n.Figures[1]; !f.Numeric() || f.Shown() != "4" || f.Deviation == nil || !f.Deviation.Important || f.Synthetic {
		t.Errorf("n 2024 : %+v", f)
	}
	if f := n.Figures[0]; f.Has || n.Pending != 1 {
		t.Errorf("n 2023 : une valeur soumise compte (%+v, %d en attente)", f, n.Pending)
	}
	if f := r.Figures[1]; f.Shown() != "2" || !f.Synthetic {
		t.Errorf("un rapport calculé sur des données fictives doit être signalé fictif : %+v", f)
	}
	if f := q.Figures[1]; f.Shown() != "Carte publiée" || f.Numeric() {
		t.Errorf("qualitatif : %+v", f)
	}
	if d := table.Deviations(); len(d) != 1 || d[0].Code != "n" || d[0].Year != "2024" || d[0].Percent != -60 {
		t.Errorf("écarts importants : %+v", d)
	}
	if rows := table.Fiche("1.1"); len(rows) != 4 {
		t.Errorf("fiche 1.1 : %d lignes", len(rows))
	}

	table.Diffuse(secrecy.Mask)
	if f := table.Rows[0].Figures[1]; f.Shown() != "< 5" || f.Numeric() || f.Deviation != nil {
		t.Errorf("effectif de 4 diffusé : %+v", f)
	}
	if len(table.Deviations()) != 0 {
		t.Error("l'écart d'un effectif masqué en donne la valeur")
	}
	if f := table.Rows[3].Figures[1]; f.Shown() != "Carte publiée" {
		t.Errorf("un texte n'est pas un effectif : %+v", f)
	}
}
