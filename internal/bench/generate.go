// Package bench generates a synthetic national-scale dataset of
// conventions over the real INSEE territories embedded in ctg, and
// measures the platform on it against baselines taken in the same run
// (docs/performance.md).
//
// Everything it makes is marked synthetic: each convention carries
// `synthetic: true`, each indicator value is a synthetic value whose
// source says so. Names of people are made up; SIRENs and INSEE codes are
// those of the reference data only, never invented (the Caf's SIREN is
// left empty).
package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/demo"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// DefaultConventions is the size of the national dataset: about one
// convention per French intercommunality.
const DefaultConventions = 1200

// Source is written on every value the generator makes.
const Source = demo.Source + " (jeu national de mesure)"

// ValueYears are the ten years each convention carries values for.
var ValueYears = []int{2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026}

// Dataset is a generated national dataset.
type Dataset struct {
	Conventions []Generated
}

// Generated is one synthetic convention with what goes beside it.
type Generated struct {
	Convention *model.Convention
	// Departement is the code of the département the convention's EPCI
	// is counted in (that of its most populated commune).
	Departement string
	// Values are ten years of synthetic validated indicator values.
	Values []model.Value
	// Coordinator is the e-mail of the convention's coordinator account.
	Coordinator string
}

// Adviser returns the e-mail of the Caf adviser of a département, who is
// given a role in every convention of that département.
func Adviser(dep string) string {
	return "conseil.caf" + strings.ToLower(dep) + "@mesure.ctg.localhost"
}

// Options says what to generate.
type Options struct {
	Seed        uint64
	Conventions int
	// EquipmentsPer is the number of equipments of each convention (about
	// 50 when 0).
	EquipmentsPer int
}

// epciPick is an intercommunality with the département it is counted in.
type epciPick struct {
	e   *territory.EPCI
	dep string
}

// PickEPCIs chooses n distinct intercommunalities spread over every
// département: the EPCIs of each département are shuffled by the seed,
// then taken in turn, one per département and round, départements in
// code order. It returns fewer when the data holds fewer.
func PickEPCIs(ref *territory.Data, n int, seed uint64) []epciPick {
	byDep := map[string][]epciPick{}
	for _, e := range ref.EPCIs() {
		dep, best := "", -1
		for _, insee := range e.Members {
			c, ok := ref.Commune(insee)
			if ok && c.Type == territory.CommuneCurrent && c.Population > best {
				dep, best = c.Departement, c.Population
			}
		}
		if dep == "" {
			continue
		}
		byDep[dep] = append(byDep[dep], epciPick{e, dep})
	}
	deps := make([]string, 0, len(byDep))
	for d := range byDep {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	r := rand.New(rand.NewPCG(seed, 0x51ed))
	for _, d := range deps {
		l := byDep[d]
		r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
	}
	var out []epciPick
	for round := 0; len(out) < n; round++ {
		took := false
		for _, d := range deps {
			if round < len(byDep[d]) && len(out) < n {
				out = append(out, byDep[d][round])
				took = true
			}
		}
		if !took {
			break
		}
	}
	return out
}

// Generate builds the dataset; the same options give the same dataset.
func Generate(ref *territory.Data, o Options) (*Dataset, error) {
	if o.Conventions <= 0 {
		o.Conventions = DefaultConventions
	}
	if o.EquipmentsPer <= 0 {
		o.EquipmentsPer = 50
	}
	picks := PickEPCIs(ref, o.Conventions, o.Seed)
	if len(picks) < o.Conventions {
		return nil, fmt.Errorf("les données INSEE ne comptent que %d intercommunalités : %d conventions demandées", len(picks), o.Conventions)
	}
	ds := &Dataset{}
	for i, p := range picks {
		g := newGen(ref, o.Seed, i)
		c := g.convention(p, o.EquipmentsPer)
		ds.Conventions = append(ds.Conventions, Generated{Convention: c, Departement: p.dep, Values: g.values(c),
			Coordinator: "coordination." + c.Slug + "@mesure.ctg.localhost"})
	}
	return ds, nil
}

// Slug is the identifier of the i-th convention of a dataset on an EPCI.
func slugOf(e *territory.EPCI) string { return "synthetique-" + e.SIREN }

type gen struct {
	ref *territory.Data
	r   *rand.Rand
}

func newGen(ref *territory.Data, seed uint64, i int) *gen {
	return &gen{ref: ref, r: rand.New(rand.NewPCG(seed, uint64(i)+1))}
}

func (g *gen) pick(l []string) string { return l[g.r.IntN(len(l))] }

var (
	firstNames = []string{"Claire", "Jean", "Sophie", "Luc", "Nadia", "Pierre", "Amina", "Marc", "Julie", "Thomas", "Inès", "Paul", "Élise", "Karim", "Anne", "Louis"}
	lastNames  = []string{"Martin", "Bernard", "Durand", "Lefebvre", "Moreau", "Garnier", "Roux", "Fontaine", "Chevalier", "Blanc", "Guerin", "Muller", "Henry", "Perrin", "Morel", "Girard"}
)

func (g *gen) person() string { return g.pick(firstNames) + " " + strings.ToUpper(g.pick(lastNames)) }

func date(y, m, d int) model.Date { return model.Date{Year: y, Month: time.Month(m), Day: d} }

func datep(y, m, d int) *model.Date { x := date(y, m, d); return &x }

// axes are the plan's themes, each with fiches (title, indicator labels).
var axes = []struct {
	title  string
	fiches []struct{ title, ind1, ind2 string }
}{
	{"Petite enfance", []struct{ title, ind1, ind2 string }{
		{"Développer l'offre d'accueil du jeune enfant", "Le nombre de places d'accueil créées", "Le nombre de structures d'accueil"},
		{"Soutenir les assistantes maternelles", "Le nombre de réunions du relais petite enfance", "Le nombre de professionnelles accompagnées"},
	}},
	{"Enfance et jeunesse", []struct{ title, ind1, ind2 string }{
		{"Structurer l'accueil de loisirs", "Le nombre d'enfants accueillis", "Le nombre de projets de jeunes soutenus"},
		{"Accompagner les adolescents", "Le nombre de rencontres avec les jeunes", "Le nombre de projets de jeunes portés"},
		{"Coordonner l'action jeunesse", "Le nombre de réunions de coordination", "Le nombre de partenaires engagés"},
	}},
	{"Parentalité", []struct{ title, ind1, ind2 string }{
		{"Renforcer le soutien à la parentalité", "Le nombre de familles accompagnées", "Le nombre d'actions collectives"},
		{"Ouvrir un lieu d'accueil enfants-parents", "Le nombre de visites du lieu d'accueil", "Le nombre de permanences tenues"},
	}},
	{"Accès aux droits et vie sociale", []struct{ title, ind1, ind2 string }{
		{"Faciliter l'accès aux droits", "Le nombre de personnes contactées", "Le nombre de nouveaux droits ouverts"},
		{"Animer la vie sociale", "Le nombre de projets d'habitants", "Le nombre de bénévoles mobilisés"},
	}},
}

var activities = []struct{ kind, nature string }{
	{"Établissement d'accueil du jeune enfant", "Multi-accueil"},
	{"Accueil de loisirs sans hébergement", "Accueil périscolaire"},
	{"Accueil de loisirs sans hébergement", "Accueil extrascolaire"},
	{"Accueil de loisirs sans hébergement", "Accueils Adolescents"},
	{"Relais petite enfance", "Relais petite enfance"},
	{"Lieu d'accueil enfants-parents", "Lieu d'accueil enfants-parents"},
	{"Animation de la vie sociale", "Espace de vie sociale"},
	{"Animation de la vie sociale", "Centre social"},
}

var streets = []string{"RUE DE LA MAIRIE", "PLACE DE L'ÉGLISE", "AVENUE DE LA GARE", "CHEMIN DES ÉCOLES", "RUE DU STADE", "GRANDE RUE", "ROUTE NATIONALE", "RUE DES JARDINS"}

// convention builds the convention of an intercommunality.
func (g *gen) convention(p epciPick, nEquip int) *model.Convention {
	e := p.e
	var communes []*territory.Commune
	for _, insee := range e.Members {
		if c, ok := g.ref.Commune(insee); ok && c.Type == territory.CommuneCurrent {
			communes = append(communes, c)
		}
	}
	seat := communes[0]
	for _, c := range communes {
		if c.Population > seat.Population {
			seat = c
		}
	}
	startYear := 2017
	start := date(startYear, 1, 1)
	end := date(startYear+9+g.r.IntN(2), 12, 31)
	signed := date(startYear-1, 10+g.r.IntN(3), 1+g.r.IntN(28))
	cafName := "Caisse d'Allocations Familiales du département " + p.dep
	c := &model.Convention{
		Format: model.FormatVersion, Slug: slugOf(e), Synthetic: true, Status: model.StatusSigned,
		Title:  fmt.Sprintf("Convention territoriale globale %d-%d — %s (données fictives)", start.Year, end.Year, e.Name),
		Period: model.Period{Start: start, End: end, Renewal: "Renouvelable par avenant"},
		Signature: model.Signature{Place: seat.Name, PlaceAsWritten: seat.Name, Date: &signed,
			Copies: "En trois exemplaires originaux"},
		Territory: model.Territory{EPCI: e.SIREN},
		Organizations: []model.Organization{
			{Key: "caf", Kind: model.KindCaf, Name: cafName, ShortName: "la Caf"},
			{Key: "epci", Kind: model.KindEPCI, Name: e.Name, SIREN: e.SIREN},
		},
	}
	deliberation := date(signed.Year, int(signed.Month), 1)
	c.Parties = []model.Party{
		{Organization: "caf", Designation: "la Caf", Representatives: []model.Representative{{Civility: "Madame", Name: g.person(), Title: "Directrice"}},
			Authorization: &model.Authorization{Kind: "deliberation", Body: "conseil d'administration", Date: &deliberation,
				DateAsWritten: fmt.Sprintf("%d/%02d/%d", deliberation.Day, deliberation.Month, deliberation.Year),
				Subject:       "Signature des conventions territoriales globales"}},
		{Organization: "epci", Designation: "l'intercommunalité", Representatives: []model.Representative{{Civility: "Monsieur", Name: g.person(), Title: "Président"}},
			Authorization: &model.Authorization{Kind: "deliberation", Body: "conseil communautaire", Date: &deliberation,
				DateAsWritten: fmt.Sprintf("%d/%02d/%d", deliberation.Day, deliberation.Month, deliberation.Year),
				Reference:     fmt.Sprintf("DEL-%d-%03d", deliberation.Year, 1+g.r.IntN(200)), Subject: "Signature de la convention territoriale globale"}},
	}
	c.LegalBases = []model.LegalBasis{
		{Text: "Vu le code de la sécurité sociale"},
		{Text: "Vu la délibération du conseil communautaire autorisant la signature de la présente convention", Party: "epci"},
	}
	c.Preamble = model.Preamble{Text: "La présente convention, fictive, est générée pour mesurer la plateforme à l'échelle nationale.",
		Themes: []string{"petite enfance", "jeunesse", "parentalité", "accès aux droits", "animation de la vie sociale"}}
	c.Articles = []model.Article{
		{Number: 1, Title: "Objet de la convention", Text: "La convention définit le projet social partagé du territoire de " + e.Name + "."},
		{Number: 2, Title: "Durée", Text: fmt.Sprintf("La convention est conclue du %d au %d.", start.Year, end.Year)},
		{Number: 3, Title: "Gouvernance", Text: "Un comité de pilotage et un comité technique suivent la convention."},
	}
	c.Annexes = []model.Annex{
		{Number: 1, Title: "Diagnostic partagé", Holds: "diagnostic"},
		{Number: 2, Title: "Équipements et services soutenus", Holds: "equipments"},
		{Number: 3, Title: "Plan d'actions", Holds: "action_plan"},
		{Number: 4, Title: "Gouvernance", Holds: "governance"},
	}
	c.Diagnostic = model.Diagnostic{Author: "la Caf", Summary: fmt.Sprintf("Territoire de %d communes et %d habitants.", len(communes), e.Population)}
	for _, a := range axes {
		c.Diagnostic.Findings = append(c.Diagnostic.Findings, model.Finding{Theme: a.title, Kind: model.FindingQualitative,
			Text: "Les besoins en matière de " + strings.ToLower(a.title) + " restent à couvrir sur une partie du territoire."})
	}
	for ai, a := range axes {
		ax := model.Axis{Number: ai + 1, Title: a.title}
		for fi, f := range a.fiches {
			code := fmt.Sprintf("%d.%d", ai+1, fi+1)
			fiche := model.Fiche{Code: code, Title: f.title, Context: "Constat du diagnostic partagé.",
				Objectives: []string{"Améliorer l'offre", "Mieux coordonner les acteurs"}, Status: model.ActionInProgress,
				Pilots: []string{"epci"}, Partners: []string{"caf"}, TargetPublic: []string{"familles"}}
			for si := 0; si < 3; si++ {
				y := start.Year + g.r.IntN(4) + si*2
				if y > end.Year {
					y = end.Year
				}
				st := model.Step{Number: si + 1, Text: fmt.Sprintf("Étape %d de l'action %s", si+1, code), Status: model.ActionPlanned,
					Schedule: model.Schedule{AsWritten: fmt.Sprintf("En %d", y), Start: datep(y, 1, 1), End: datep(y, 12, 31)}}
				if y < 2026 {
					st.Status = model.ActionDone
				}
				if si == 2 {
					st.Schedule = model.Schedule{AsWritten: "Chaque année", Start: datep(start.Year, 1, 1), End: datep(end.Year, 12, 31), Recurrence: model.RecurYearly}
				}
				fiche.Steps = append(fiche.Steps, st)
			}
			for ii, label := range []string{f.ind1, f.ind2} {
				ind := model.Indicator{Code: fmt.Sprintf("%s-%d", code, ii+1), Label: label, Unit: "count", Periodicity: "year",
					Combine: model.CombineSum, Responsible: []string{"epci", "caf"}[ii]}
				for _, y := range []int{2020, 2023, 2026} {
					ind.Targets = append(ind.Targets, model.Target{Period: fmt.Sprint(y), Value: float64(10 + g.r.IntN(90))})
				}
				fiche.Indicators = append(fiche.Indicators, ind)
			}
			ax.Fiches = append(ax.Fiches, fiche)
		}
		c.Axes = append(c.Axes, ax)
	}
	// Equipments: each in a commune of the territory, run by the commune
	// or by an association; communes running one are organizations.
	orgOf := map[string]string{}
	for i := 0; i < nEquip; i++ {
		cm := communes[g.r.IntN(len(communes))]
		act := activities[g.r.IntN(len(activities))]
		key, ok := orgOf[cm.INSEE]
		if !ok {
			key = "commune-" + strings.ToLower(cm.INSEE)
			orgOf[cm.INSEE] = key
			c.Organizations = append(c.Organizations, model.Organization{Key: key, Kind: model.KindCommune, Name: communeName(cm), SIREN: cm.SIREN, INSEE: cm.INSEE})
		}
		eq := model.Equipment{OperatorName: communeName(cm), Operator: key,
			Name: fmt.Sprintf("%s n° %d — %s", act.nature, i+1, cm.Name), ActivityType: act.kind, ActivityNature: act.nature,
			Address: []string{fmt.Sprintf("%d %s", 1+g.r.IntN(60), g.pick(streets))}, City: strings.ToUpper(cm.Name), Commune: cm.INSEE}
		if len(cm.PostalCodes) > 0 {
			eq.PostalCode = cm.PostalCodes[0]
		}
		if act.kind == "Établissement d'accueil du jeune enfant" {
			eq.Places = 10 + g.r.IntN(50)
		}
		c.Equipments = append(c.Equipments, eq)
	}
	c.Committees = []model.Committee{
		{Key: "copil", Kind: model.CommitteeSteering, Name: "Comité de pilotage",
			Composition: []model.MemberGroup{{Label: "Les signataires", Organizations: []string{"caf", "epci"}, Members: []string{"la directrice de la Caf", "le président de l'intercommunalité"}}},
			Purposes:    []string{"Valider les orientations", "Suivre l'évaluation"}, CoChairs: []string{"caf", "epci"}, Secretariat: "epci"},
		{Key: "cotech", Kind: model.CommitteeTechnical, Name: "Comité technique",
			Composition: []model.MemberGroup{{Label: "Les techniciens", Organizations: []string{"caf", "epci"}, Members: []string{"la conseillère territoriale", "la coordinatrice CTG"}}},
			Purposes:    []string{"Préparer le comité de pilotage"}},
	}
	c.Contacts = []model.Contact{
		{Label: "Coordination CTG", Organization: "epci", Email: "coordination." + c.Slug + "@mesure.ctg.localhost", Purpose: "suivi de la convention"},
		{Label: "Conseil territorial", Organization: "caf", Email: Adviser(p.dep), Purpose: "financements"},
	}
	return c
}

// danglingEnd is how the checker tells a name cut short ("Commune de");
// its ASCII word boundary also takes a real name ending in an accented
// letter then "des" (Spéracèdes) for one, so such a name is followed by
// its département.
var danglingEnd = textutil.LazyRegexp(`(?i)\b(de|du|des|d')\s*$`)

func communeName(cm *territory.Commune) string {
	name := "Commune de " + cm.Name
	if danglingEnd.MatchString(name) {
		name += " (" + cm.Departement + ")"
	}
	return name
}

// values returns ten years of synthetic validated values of every
// indicator of c.
func (g *gen) values(c *model.Convention) []model.Value {
	var out []model.Value
	for _, ax := range c.Axes {
		for _, f := range ax.Fiches {
			for _, ind := range f.Indicators {
				base := 5 + 80*g.r.Float64()
				for i, y := range ValueYears {
					if y < c.Period.Start.Year || y > c.Period.End.Year {
						continue
					}
					x := math.Round(base * math.Pow(0.9+0.3*g.r.Float64(), float64(i)/3))
					out = append(out, model.Value{Convention: c.Slug, Indicator: ind.Code, Period: fmt.Sprint(y), Number: &x,
						Organization: ind.Responsible, State: model.ValueValidated, Synthetic: true, Source: Source,
						EnteredBy: "ctg bench", ValidatedBy: "ctg bench"})
				}
			}
		}
	}
	return out
}
