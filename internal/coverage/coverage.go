// Package coverage says, for a département, which intercommunalities and
// communes a convention covers on a given day: by one in force, only by
// one that has ended, or by none, with the population of each and the
// share of the population covered. It reads the INSEE reference data
// embedded in ctg (package territory) and whole conventions; it knows
// nothing of SQL or HTTP.
//
// The figures count the current communes of the département only
// (territory.CommuneCurrent): delegated and associated communes are parts
// of a current one and their population is already in it. The population
// is the sum of those communes' populations, also for an
// intercommunality: the population the INSEE data gives an EPCI as a
// whole may differ slightly and would count the communes of another
// département.
//
// A commune outside any intercommunality counts in the commune figures
// and the population, and in no intercommunality's row (OutsideEPCI says
// how many). An intercommunality that spans two départements is listed
// with its communes of this département only, its figures too, and
// marked (OtherDepartements).
package coverage

import (
	"fmt"
	"slices"
	"sort"

	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Class is how a commune or an intercommunality is covered on a day.
type Class string

// The classes, from the best covered to the least.
const (
	// InForce: covered by a convention in force that day.
	InForce Class = "in_force"
	// Planned: not covered by a convention in force, but by one being
	// prepared (a draft, awaiting signatures, or signed with its period
	// still to come): the coverage of tomorrow, and a renewal under way.
	Planned Class = "planned"
	// Ended: covered only by conventions whose period is over (échues,
	// renouvelées) or that were terminated (résiliées).
	Ended Class = "ended"
	// None: no convention covers it.
	None Class = "none"
)

// Classes lists every class, the best covered first.
var Classes = []Class{InForce, Planned, Ended, None}

var labels = map[Class]string{
	InForce: "couverte par une convention en vigueur",
	Planned: "couverte seulement par une convention en préparation",
	Ended:   "couverte seulement par une convention échue",
	None:    "non couverte",
}

var shortLabels = map[Class]string{InForce: "en vigueur", Planned: "en préparation", Ended: "échue", None: "non couverte"}

// Label describes the class in French, as a sentence's end.
func (c Class) Label() string { return labels[c] }

// Short names the class in French in a few words ("en vigueur").
func (c Class) Short() string { return shortLabels[c] }

// rank orders the classes, the best covered first.
func (c Class) rank() int {
	for i, k := range Classes {
		if k == c {
			return i
		}
	}
	return len(Classes)
}

// classOf is the class a convention in that state gives its territory.
func classOf(s lifecycle.State) Class {
	switch s {
	case lifecycle.InForce:
		return InForce
	case lifecycle.Ended, lifecycle.Renewed, lifecycle.Terminated:
		return Ended
	case lifecycle.Draft, lifecycle.AwaitingSignatures, lifecycle.Signed:
		return Planned
	}
	return None
}

// Tally is what a class counts.
type Tally struct {
	Communes   int
	EPCIs      int
	Population int
}

// Commune is a current commune of the département and its class.
type Commune struct {
	INSEE      string
	Name       string
	Population int
	// EPCI is the SIREN of its intercommunality, empty when it has none.
	EPCI  string
	Class Class
	// Conventions are the slugs of the conventions whose territory holds
	// it and that give it its class.
	Conventions []string
}

// EPCI is an intercommunality with communes in the département.
type EPCI struct {
	SIREN string
	Name  string
	// Communes and Population count its communes of the département.
	Communes   int
	Population int
	// Class is the least covered class of its communes: an
	// intercommunality is in force only when all its communes of the
	// département are.
	Class Class
	// Partial is set when its communes are not all in the same class.
	Partial bool
	// OtherDepartements is set when some of its communes lie in another
	// département.
	OtherDepartements bool
	// Conventions are the slugs of the conventions covering one of its
	// communes in the département.
	Conventions []string
}

// Convention is a convention that covers part of the département, with
// its state on the day.
type Convention struct {
	Slug  string
	Title string
	State lifecycle.State
	Class Class
}

// Report is the coverage of a département on a day.
type Report struct {
	Departement string
	Day         model.Date
	// Communes are sorted by name, EPCIs by name.
	Communes    []Commune
	EPCIs       []EPCI
	Conventions []Convention
	// Totals gives, for each class, its communes, intercommunalities and
	// population.
	Totals map[Class]Tally
	// Population is the population of the département's current communes.
	Population int
	// OutsideEPCI counts the communes that belong to no intercommunality.
	OutsideEPCI int
}

// Share returns the part of the population in class c, between 0 and 1.
func (r *Report) Share(c Class) float64 {
	if r.Population == 0 {
		return 0
	}
	return float64(r.Totals[c].Population) / float64(r.Population)
}

// Covered returns the part of the population covered by a convention in
// force, between 0 and 1.
func (r *Report) Covered() float64 { return r.Share(InForce) }

// Communes returns the INSEE codes of a convention's territory: the
// communes it lists, or else the members of its intercommunality, as
// convention.ResolveTerritory reads them.
func Communes(c *model.Convention, ref *territory.Data) []string {
	if len(c.Territory.Communes) > 0 {
		return c.Territory.Communes
	}
	if e, ok := ref.EPCI(c.Territory.EPCI); ok {
		return e.Members
	}
	return nil
}

// Compute returns the coverage of département dep on day by the
// conventions given. A convention covers the communes of its territory;
// a commune takes the best class of the conventions covering it.
func Compute(ref *territory.Data, dep string, conventions []*model.Convention, day model.Date) (*Report, error) {
	listed := make([]Listed, len(conventions))
	for i, c := range conventions {
		listed[i] = Listed{Slug: c.Slug, Title: c.Title, State: lifecycle.Of(c).On(day), Communes: Communes(c, ref)}
	}
	return ComputeListed(ref, dep, listed, day)
}

// Listed is what the coverage reads of a convention: its slug, title,
// state on the day and the communes of its territory (see Communes).
type Listed struct {
	Slug, Title string
	State       lifecycle.State
	Communes    []string
}

// ComputeListed returns the coverage of département dep on day by the
// conventions listed, as Compute.
func ComputeListed(ref *territory.Data, dep string, conventions []Listed, day model.Date) (*Report, error) {
	r := &Report{Departement: dep, Day: day, Totals: map[Class]Tally{}}
	index := map[string]int{}
	for _, c := range ref.CommunesIn(dep) {
		if c.Type != territory.CommuneCurrent {
			continue
		}
		index[c.INSEE] = len(r.Communes)
		r.Communes = append(r.Communes, Commune{INSEE: c.INSEE, Name: c.Name, Population: c.Population, EPCI: c.EPCI, Class: None})
	}
	if len(r.Communes) == 0 {
		return nil, fmt.Errorf("département « %s » : aucune commune dans les données INSEE (code attendu : 04, 2A, 971…)", dep)
	}
	for _, c := range conventions {
		state := c.State
		class := classOf(state)
		found := false
		for _, code := range c.Communes {
			i, ok := index[code]
			if !ok {
				continue
			}
			found = true
			com := &r.Communes[i]
			switch {
			case class.rank() < com.Class.rank():
				com.Class, com.Conventions = class, []string{c.Slug}
			case class == com.Class && class != None:
				com.Conventions = append(com.Conventions, c.Slug)
			}
		}
		if found {
			r.Conventions = append(r.Conventions, Convention{Slug: c.Slug, Title: c.Title, State: state, Class: class})
		}
	}
	sort.Slice(r.Conventions, func(i, j int) bool { return r.Conventions[i].Slug < r.Conventions[j].Slug })

	epcis := map[string]*EPCI{}
	for _, com := range r.Communes {
		r.Population += com.Population
		t := r.Totals[com.Class]
		t.Communes++
		t.Population += com.Population
		r.Totals[com.Class] = t
		if com.EPCI == "" {
			r.OutsideEPCI++
			continue
		}
		e := epcis[com.EPCI]
		if e == nil {
			e = &EPCI{SIREN: com.EPCI, Name: com.EPCI, Class: com.Class}
			if whole, ok := ref.EPCI(com.EPCI); ok {
				e.Name = whole.Name
				for _, m := range whole.Members {
					if mc, ok := ref.Commune(m); ok && mc.Type == territory.CommuneCurrent && mc.Departement != dep {
						e.OtherDepartements = true
					}
				}
			}
			epcis[com.EPCI] = e
		}
		e.Communes++
		e.Population += com.Population
		if com.Class != e.Class {
			e.Partial = true
			if com.Class.rank() > e.Class.rank() {
				e.Class = com.Class
			}
		}
		e.Conventions = appendNew(e.Conventions, com.Conventions...)
	}
	for _, e := range epcis {
		sort.Strings(e.Conventions)
		r.EPCIs = append(r.EPCIs, *e)
		t := r.Totals[e.Class]
		t.EPCIs++
		r.Totals[e.Class] = t
	}
	sort.Slice(r.EPCIs, func(i, j int) bool { return textutil.Fold(r.EPCIs[i].Name) < textutil.Fold(r.EPCIs[j].Name) })
	sort.SliceStable(r.Communes, func(i, j int) bool {
		return textutil.Fold(r.Communes[i].Name) < textutil.Fold(r.Communes[j].Name)
	})
	return r, nil
}

// appendNew appends the values not in list yet.
func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}
