package edit

import (
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

func describedConvention() *model.Convention {
	c := convention()
	c.Organizations = []model.Organization{{Key: "caf", Name: "Caf des Alpes de Haute-Provence", Kind: model.KindCaf},
		{Key: "salignac", Name: "Commune de Salignac", Kind: model.KindCommune}}
	c.Parties = []model.Party{{Organization: "caf"}, {Organization: "salignac"}}
	c.Axes[0].Fiches[0].Steps = append(c.Axes[0].Fiches[0].Steps, model.Step{}, model.Step{Number: 3})
	c.Committees = []model.Committee{{Kind: model.CommitteeSteering, Name: "Comité de pilotage"}}
	return c
}

func TestDescribePathNamesFieldsInFrench(t *testing.T) {
	c := describedConvention()
	for path, want := range map[string]string{
		"parties[1].authorization.date":                  "Partie 2 — Commune de Salignac : date de la délibération",
		"parties[0].representatives[0].name":             "Partie 1 — Caf des Alpes de Haute-Provence — représentant·e 1 : nom",
		"axes[0].fiches[0].steps[2].schedule.as_written": "Fiche 2.2 — étape 3 : calendrier tel qu'écrit",
		"axes[0].fiches[0].steps[1].indicators[0].label": "Fiche 2.2 — étape 2 — indicateur 1 : libellé",
		"axes[0].fiches[0].objectives[1]":                "Fiche 2.2 : objectif 2",
		"axes[0].fiches_due_by":                          "Axe 2 : fiches promises au plus tard le",
		"equipments[0].commune":                          "Équipement 1 — Crèche : commune",
		"organizations[1].kind":                          "Organisation 2 — Commune de Salignac : type d'organisation",
		"committees[0].composition[1].label":             "Comité de pilotage — groupe 2 de la composition : libellé",
		"period.start":                                   "Période : début",
		"territory.epci":                                 "Territoire : SIREN de l'EPCI",
		"axes[0]":                                        "Axe 2",
		"parties":                                        "Parties",
		"not a path!":                                    "not a path!",
	} {
		if got := DescribePath(c, path); got != want {
			t.Errorf("%s : « %s », attendu « %s »", path, got, want)
		}
	}
}

func TestDescribeValueGivesLabelsOfCodes(t *testing.T) {
	c := describedConvention()
	for _, tc := range []struct{ path, value, want string }{
		{"organizations[0].kind", "caf", "Caf"},
		{"organizations[1].kind", "epci", "EPCI"},
		{"axes[0].fiches[0].status", "planned", "prévue"},
		{"committees[0].kind", "copil", "comité de pilotage"},
		{"equipments[0].operator", "salignac", "Commune de Salignac"},
		{"signature.date", "2022-11-09", "9 novembre 2022"},
		{"annexes[0].holds", "equipments", "équipements et services"},
		{"articles[0].title", "OBJET", "OBJET"},
	} {
		if got := DescribeValue(c, tc.path, tc.value); got != tc.want {
			t.Errorf("%s = %s : « %s », attendu « %s »", tc.path, tc.value, got, tc.want)
		}
	}
}
