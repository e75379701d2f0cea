package bench

import (
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func TestGeneratedConventionsAreValidSyntheticAndRepeatable(t *testing.T) {
	ref := territory.MustLoad()
	a, err := Generate(ref, Options{Seed: 3, Conventions: 40})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate(ref, Options{Seed: 3, Conventions: 40})
	deps := map[string]bool{}
	for i, g := range a.Conventions {
		c := g.Convention
		deps[g.Departement] = true
		if !c.Synthetic {
			t.Errorf("%s n'est pas marquée comme fictive", c.Slug)
		}
		data, err := interchange.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := interchange.Encode(b.Conventions[i].Convention)
		if string(data) != string(other) {
			t.Fatalf("%s : même graine, fichiers différents", c.Slug)
		}
		back, err := interchange.Decode(data, ref)
		if err != nil {
			t.Fatalf("%s refusée à l'import : %v", c.Slug, err)
		}
		for _, f := range lint.Run(back, ref, model.Date{Year: 2026, Month: time.November, Day: 1}) {
			if f.Severity == lint.Error {
				t.Errorf("%s : erreur du contrôle : %s %s %s", c.Slug, f.Rule, f.Path, f.Message)
			}
		}
		if len(c.Equipments) != 50 || len(g.Values) == 0 {
			t.Errorf("%s : %d équipements, %d valeurs", c.Slug, len(c.Equipments), len(g.Values))
		}
		for _, v := range g.Values {
			if !v.Synthetic {
				t.Fatalf("valeur non marquée comme fictive : %+v", v)
			}
		}
		for _, o := range c.Organizations {
			if o.Kind == model.KindCaf && o.SIREN != "" {
				t.Errorf("SIREN de Caf inventé : %s", o.SIREN)
			}
		}
	}
	if len(deps) != 40 {
		t.Errorf("40 conventions sur %d départements seulement", len(deps))
	}
}
