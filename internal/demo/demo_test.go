package demo

import (
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func TestDemoValuesAreSyntheticPlausibleAndRepeatable(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	a, b := Generate(c, 7), Generate(c, 7)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d et %d valeurs", len(a), len(b))
	}
	byCode := indicators.ByCode(indicators.Catalogue(c))
	for i, v := range a {
		if !v.Synthetic || v.Source == "" || v.State != "validated" {
			t.Fatalf("valeur non marquée comme fictive : %+v", v)
		}
		if *v.Number != *b[i].Number {
			t.Error("même graine, valeurs différentes")
		}
		if err := indicators.CheckNumber(*v.Number, byCode[v.Indicator].Unit); err != nil {
			t.Errorf("%s %s : %v", v.Indicator, v.Period, err)
		}
		if err := indicators.CheckPeriod(v.Period, byCode[v.Indicator].Periodicity, c); err != nil {
			t.Errorf("%s : %v", v.Indicator, err)
		}
	}
	if other := Generate(c, 8); *other[0].Number == *a[0].Number && *other[1].Number == *a[1].Number {
		t.Error("la graine ne change rien")
	}
}
