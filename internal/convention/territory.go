package convention

import (
	"sort"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// ResolveTerritory fills c.Territory's looked-up fields from the reference
// data: the EPCI's name, every commune of the territory marked signatory
// when a commune party carries its INSEE code, and the population: the
// sum of the communes' (municipal populations), as the table of the
// communes and the coverage of the département count it, rather than the
// EPCI's total population the INSEE file gives apart.
func ResolveTerritory(c *model.Convention, ref *territory.Data) {
	t := &c.Territory
	codes := t.Communes
	if e, ok := ref.EPCI(t.EPCI); ok {
		t.EPCIName = e.Name
		if len(codes) == 0 {
			codes = e.Members
		}
	}
	signed := map[string]bool{}
	orgs := map[string]model.Organization{}
	for _, o := range c.Organizations {
		orgs[o.Key] = o
	}
	for _, p := range c.Parties {
		if o := orgs[p.Organization]; o.Kind == model.KindCommune && o.INSEE != "" {
			signed[o.INSEE] = true
		}
	}
	t.Resolved = make([]model.TerritoryCommune, 0, len(codes))
	for _, code := range codes {
		tc := model.TerritoryCommune{INSEE: code, Signatory: signed[code]}
		if com, ok := ref.Commune(code); ok {
			tc.Name, tc.SIREN, tc.Population = com.Name, com.SIREN, com.Population
		}
		t.Resolved = append(t.Resolved, tc)
	}
	// Largest communes first, as a territory is usually presented.
	sort.SliceStable(t.Resolved, func(i, j int) bool { return t.Resolved[i].Population > t.Resolved[j].Population })
	t.Population = 0
	for _, tc := range t.Resolved {
		t.Population += tc.Population
	}
}
