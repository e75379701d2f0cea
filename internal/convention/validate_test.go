package convention

import (
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func TestValidSIREN(t *testing.T) {
	for s, want := range map[string]bool{
		"240400440": true, "210400883": true, "240400441": false, "24040044": false, "2404004400": false, "24040044a": false,
	} {
		if got := ValidSIREN(s); got != want {
			t.Errorf("ValidSIREN(%q) = %v", s, got)
		}
	}
}

func TestResolveTerritoryMarksSignatories(t *testing.T) {
	c := &model.Convention{
		Territory:     model.Territory{EPCI: "240400440"},
		Organizations: []model.Organization{{Key: "f", Kind: model.KindCommune, INSEE: "04088"}, {Key: "l", Kind: model.KindCommune, INSEE: "04104"}},
		Parties:       []model.Party{{Organization: "f"}, {Organization: "l"}},
	}
	ResolveTerritory(c, territory.MustLoad())
	if len(c.Territory.Resolved) != 13 {
		t.Fatalf("%d communes", len(c.Territory.Resolved))
	}
	signed := 0
	for _, tc := range c.Territory.Resolved {
		if tc.Signatory {
			signed++
			if tc.INSEE != "04088" && tc.INSEE != "04104" {
				t.Errorf("%s marquée signataire", tc.Name)
			}
		}
	}
	if signed != 2 || c.Territory.Resolved[0].Name != "Forcalquier" || !strings.Contains(c.Territory.EPCIName, "Forcalquier") {
		t.Errorf("territoire = %+v", c.Territory)
	}
}

func TestIndicatorCatalogue(t *testing.T) {
	ref := territory.MustLoad()
	base := func() *model.Convention {
		return &model.Convention{
			Format: model.FormatVersion, Slug: "c", Title: "C", Status: model.StatusDraft,
			Period:        model.Period{Start: model.MustDate("2023-01-01"), End: model.MustDate("2026-12-31")},
			Territory:     model.Territory{EPCI: "240400440"},
			Organizations: []model.Organization{{Key: "caf", Kind: model.KindCaf, Name: "Caf"}},
			Parties:       []model.Party{{Organization: "caf", Representatives: []model.Representative{{Name: "A", Title: "D"}}}},
			Axes: []model.Axis{{Number: 2, Title: "Accès aux droits", Fiches: []model.Fiche{{Code: "2.2", Title: "F", Status: model.ActionPlanned,
				Steps: []model.Step{
					{Text: "a", Status: model.ActionPlanned, Indicators: []model.Indicator{{Code: "2.2-1", Label: "Personnes contactées", Unit: "count"}}},
					{Text: "b", Status: model.ActionPlanned, Indicators: []model.Indicator{{Code: "2.2-1", Label: "Personnes contactées", Unit: "count"}}},
				},
				Indicators: []model.Indicator{{Code: "2.2-2", Label: "Montant moyen", Unit: "euros", Combine: "ratio", Numerator: "2.2-3", Denominator: "2.2-1"},
					{Code: "2.2-3", Label: "Montant total", Unit: "euros", Targets: []model.Target{{Period: "2024", Value: 1500.5}}, Tolerance: 20}},
			}}}},
		}
	}
	if err := Validate(base(), ref); err != nil {
		t.Fatalf("catalogue valide refusé : %v", err)
	}
	cases := map[string]struct {
		change func(c *model.Convention)
		path   string
	}{
		"code pris par un autre libellé": {func(c *model.Convention) { c.Axes[0].Fiches[0].Indicators[1].Code = "2.2-1" }, "axes[0].fiches[0].steps[0].indicators[0].code"},
		"mentions décrites autrement":    {func(c *model.Convention) { c.Axes[0].Fiches[0].Steps[1].Indicators[0].Unit = "places" }, "axes[0].fiches[0].steps[1].indicators[0].code"},
		"ratio vers un code inconnu":     {func(c *model.Convention) { c.Axes[0].Fiches[0].Indicators[0].Numerator = "9.9-9" }, "axes[0].fiches[0].indicators[0].numerator"},
		"période de cible invalide":      {func(c *model.Convention) { c.Axes[0].Fiches[0].Indicators[1].Targets[0].Period = "24" }, "axes[0].fiches[0].indicators[1].targets[0].period"},
		"ventilation inconnue":           {func(c *model.Convention) { c.Axes[0].Fiches[0].Indicators[1].Dimensions = []string{"age"} }, "axes[0].fiches[0].indicators[1].dimensions[0]"},
	}
	for name, tc := range cases {
		c := base()
		tc.change(c)
		err := Validate(c, ref)
		ve, ok := err.(*model.ValidationError)
		if !ok {
			t.Errorf("%s : accepté", name)
			continue
		}
		found := false
		for _, fe := range ve.Errors {
			found = found || fe.Path == tc.path
		}
		if !found {
			t.Errorf("%s : %v", name, err)
		}
	}
}
