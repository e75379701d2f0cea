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
