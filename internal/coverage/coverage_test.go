package coverage_test

import (
	"bufio"
	"encoding/xml"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// rawCommune is a line of the INSEE communes file, read here without the
// territory package.
type rawCommune struct {
	insee, kind, dep, epci string
	population             int
}

func readCommunes(t *testing.T) []rawCommune {
	t.Helper()
	f, err := os.Open("../territory/data/communes.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rawCommune
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		pop, err := strconv.Atoi(fields[4])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rawCommune{insee: fields[0], kind: fields[1], dep: fields[5], epci: fields[6], population: pop})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// expected are the figures of a département counted from the raw file:
// its current communes and their population, its intercommunalities, and
// those of one intercommunality.
type expected struct {
	communes, population, epcis  int
	epciCommunes, epciPopulation int
	spanning                     map[string]bool
}

func count(t *testing.T, dep, epci string) expected {
	all := readCommunes(t)
	e := expected{spanning: map[string]bool{}}
	epcis := map[string]bool{}
	for _, c := range all {
		if c.kind != "c" || c.dep != dep {
			continue
		}
		e.communes++
		e.population += c.population
		if c.epci != "" {
			epcis[c.epci] = true
		}
		if c.epci == epci {
			e.epciCommunes++
			e.epciPopulation += c.population
		}
	}
	e.epcis = len(epcis)
	for _, c := range all {
		if c.kind == "c" && c.dep != dep && epcis[c.epci] {
			e.spanning[c.epci] = true
		}
	}
	return e
}

func forcalquier(t *testing.T) *model.Convention {
	t.Helper()
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCoverageOfAlpesDeHauteProvenceByForcalquier(t *testing.T) {
	ref := territory.MustLoad()
	c := forcalquier(t)
	want := count(t, "04", c.Territory.EPCI)
	if want.communes == 0 || want.epciCommunes == 0 || len(want.spanning) == 0 {
		t.Fatalf("the raw file does not hold what the test expects: %+v", want)
	}
	for _, tc := range []struct {
		day   string
		state lifecycle.State
		class coverage.Class
	}{
		// Before its councils deliberated, the convention was being
		// prepared: its territory is covered by a convention in
		// preparation, not by one in force.
		{"2021-06-30", lifecycle.Draft, coverage.Planned},
		{"2023-06-30", lifecycle.InForce, coverage.InForce},
		{"2024-12-31", lifecycle.InForce, coverage.InForce},
		{"2025-01-01", lifecycle.Ended, coverage.Ended},
	} {
		t.Run(tc.day, func(t *testing.T) {
			r, err := coverage.Compute(ref, "04", []*model.Convention{c}, model.MustDate(tc.day))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Communes) != want.communes || r.Population != want.population || len(r.EPCIs) != want.epcis {
				t.Fatalf("04: %d communes, %d inhabitants, %d EPCI; the INSEE file counts %d, %d, %d",
					len(r.Communes), r.Population, len(r.EPCIs), want.communes, want.population, want.epcis)
			}
			if len(r.Conventions) != 1 || r.Conventions[0].State != tc.state {
				t.Fatalf("conventions: %+v, want one %s", r.Conventions, tc.state)
			}
			covered := coverage.Tally{Communes: want.epciCommunes, EPCIs: 1, Population: want.epciPopulation}
			rest := coverage.Tally{Communes: want.communes - want.epciCommunes, EPCIs: want.epcis - 1, Population: want.population - want.epciPopulation}
			if tc.class == coverage.None {
				covered = coverage.Tally{}
				rest = coverage.Tally{Communes: want.communes, EPCIs: want.epcis, Population: want.population}
			} else if got := r.Totals[tc.class]; got != covered {
				t.Errorf("%s: %+v, want %+v", tc.class, got, covered)
			}
			if got := r.Totals[coverage.None]; got != rest {
				t.Errorf("not covered: %+v, want %+v", got, rest)
			}
			wantShare := 0.0
			if tc.class == coverage.InForce {
				wantShare = float64(want.epciPopulation) / float64(want.population)
			}
			if r.Covered() != wantShare {
				t.Errorf("covered share %v, want %v", r.Covered(), wantShare)
			}
			for _, e := range r.EPCIs {
				if e.OtherDepartements != want.spanning[e.SIREN] {
					t.Errorf("%s (%s): spans other départements %v, the file says %v", e.Name, e.SIREN, e.OtherDepartements, want.spanning[e.SIREN])
				}
				if e.SIREN == c.Territory.EPCI && (e.Class != tc.class || e.Partial || e.Communes != want.epciCommunes) {
					t.Errorf("the convention's EPCI: %+v", e)
				}
			}
			for _, com := range r.Communes {
				if com.EPCI == c.Territory.EPCI && com.Class != tc.class {
					t.Errorf("commune %s %s: %s, want %s", com.INSEE, com.Name, com.Class, tc.class)
				}
			}
		})
	}
}

func TestCoverageWithoutConventionIsZero(t *testing.T) {
	want := count(t, "04", "")
	r, err := coverage.Compute(territory.MustLoad(), "04", nil, model.MustDate("2023-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Covered() != 0 || r.Totals[coverage.None].Population != want.population || r.Totals[coverage.None].Communes != want.communes {
		t.Errorf("without convention: %v covered, %+v not covered; want 0 and all of %+v", r.Covered(), r.Totals[coverage.None], want)
	}
	if coverage.Percent(r.Covered()) != "0,0\u202f%" {
		t.Errorf("share written %q", coverage.Percent(r.Covered()))
	}
}

// A convention on part of an intercommunality leaves it partly covered,
// in the class of its least covered commune.
func TestCoverageOfPartOfAnIntercommunality(t *testing.T) {
	ref := territory.MustLoad()
	c := forcalquier(t)
	e, _ := ref.EPCI(c.Territory.EPCI)
	c.Territory.Communes = e.Members[:2]
	r, err := coverage.Compute(ref, "04", []*model.Convention{c}, model.MustDate("2023-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Totals[coverage.InForce]; got.Communes != 2 || got.EPCIs != 0 {
		t.Errorf("in force: %+v, want 2 communes and no whole EPCI", got)
	}
	for _, row := range r.EPCIs {
		if row.SIREN == e.SIREN && (!row.Partial || row.Class != coverage.None) {
			t.Errorf("the EPCI: %+v, want partly covered, classed not covered", row)
		}
	}
}

func TestCoverageOfUnknownDepartement(t *testing.T) {
	_, err := coverage.Compute(territory.MustLoad(), "99", nil, model.MustDate("2023-06-30"))
	if err == nil || !strings.Contains(err.Error(), "« 99 »") {
		t.Errorf("error %v, want one naming the département", err)
	}
}

func TestSVGParsesAndCarriesTheFigures(t *testing.T) {
	r, err := coverage.Compute(territory.MustLoad(), "04", []*model.Convention{forcalquier(t)}, model.MustDate("2023-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	svg := coverage.SVG(r)
	var doc struct {
		XMLName xml.Name
		Title   string `xml:"title"`
		Desc    string `xml:"desc"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("the SVG does not parse: %v\n%s", err, svg)
	}
	if doc.XMLName.Local != "svg" || !strings.Contains(doc.Title, "département 04") || !strings.Contains(doc.Title, "30 juin 2023") {
		t.Errorf("root %s, title %q", doc.XMLName.Local, doc.Title)
	}
	for _, figure := range []string{
		coverage.Percent(r.Covered()),
		coverage.Number(r.Population),
		coverage.Number(r.Totals[coverage.InForce].Population),
		coverage.Number(r.Totals[coverage.None].Population),
		">" + strconv.Itoa(r.Totals[coverage.None].Communes) + "<",
		">" + strconv.Itoa(len(r.Communes)) + "<",
	} {
		if !strings.Contains(svg, figure) {
			t.Errorf("the SVG lacks %q", figure)
		}
	}
	if !strings.Contains(doc.Desc, coverage.Percent(r.Covered())) {
		t.Errorf("the description lacks the covered share: %q", doc.Desc)
	}
	if r.Covered() <= 0 || r.Covered() >= 1 {
		t.Errorf("covered share %v, want between 0 and 1 exclusive", r.Covered())
	}
}

// A terminated convention covers no more than an ended one, and a
// commune covered by an ended convention and one in force is in force.
func TestCoverageTakesTheBestConventionOfACommune(t *testing.T) {
	ref := territory.MustLoad()
	old := forcalquier(t)
	old.Slug = "ancienne"
	old.Acts.Termination = &model.Termination{ReceivedOn: model.MustDate("2022-12-01"), EffectiveOn: model.MustDate("2023-03-01")}
	day := model.MustDate("2023-06-30")
	r, err := coverage.Compute(ref, "04", []*model.Convention{old}, day)
	if err != nil {
		t.Fatal(err)
	}
	if r.Conventions[0].State != lifecycle.Terminated || r.Totals[coverage.Ended].Communes == 0 || r.Covered() != 0 {
		t.Fatalf("terminated: %+v, totals %+v", r.Conventions, r.Totals)
	}
	r, err = coverage.Compute(ref, "04", []*model.Convention{old, forcalquier(t)}, day)
	if err != nil {
		t.Fatal(err)
	}
	if r.Totals[coverage.Ended].Communes != 0 || r.Covered() == 0 {
		t.Errorf("with one in force beside: totals %+v", r.Totals)
	}
	for _, com := range r.Communes {
		if com.Class == coverage.InForce && (len(com.Conventions) != 1 || com.Conventions[0] != examples.ForcalquierSlug) {
			t.Errorf("%s: conventions %v, want the one in force only", com.Name, com.Conventions)
		}
	}
}
