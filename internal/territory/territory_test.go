package territory

import (
	"strings"
	"testing"
)

func TestForcalquierEPCI(t *testing.T) {
	d := MustLoad()
	e, ok := d.EPCI("240400440")
	if !ok {
		t.Fatal("EPCI 240400440 introuvable")
	}
	if !strings.Contains(e.Name, "Forcalquier") {
		t.Errorf("nom de l'EPCI = %q", e.Name)
	}
	if len(e.Members) != 13 {
		t.Fatalf("%d communes membres, 13 attendues: %v", len(e.Members), e.Members)
	}
	c, ok := d.Commune("04088")
	if !ok || c.Name != "Forcalquier" || c.EPCI != "240400440" || c.SIREN != "210400883" {
		t.Errorf("Forcalquier = %+v", c)
	}
	if len(c.PostalCodes) != 1 || c.PostalCodes[0] != "04300" {
		t.Errorf("codes postaux de Forcalquier = %v", c.PostalCodes)
	}
}

func TestWholeCountry(t *testing.T) {
	d := MustLoad()
	communes, epcis := d.Counts()
	if communes < 34000 || epcis < 1200 {
		t.Errorf("données incomplètes : %d communes, %d EPCI", communes, epcis)
	}
	if _, ok := d.Commune("75056"); !ok {
		t.Error("Paris (75056) absente")
	}
	if _, ok := d.Commune("99999"); ok {
		t.Error("code 99999 accepté")
	}
}
