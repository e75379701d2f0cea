package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// departements lists the codes of the départements of the INSEE data,
// sorted, computed once.
func (s *Server) departements() []string {
	if list, ok := departementLists.Load(s.app.Territory); ok {
		return list.([]string)
	}
	seen := map[string]bool{}
	var list []string
	for _, c := range s.app.Territory.Communes() {
		if c.Departement != "" && !seen[c.Departement] {
			seen[c.Departement] = true
			list = append(list, c.Departement)
		}
	}
	slices.Sort(list)
	departementLists.Store(s.app.Territory, list)
	return list
}

// departementLists keeps the list of départements of each reference
// data, by pointer: reading every commune for each request would be slow.
var departementLists sync.Map

// coverageQuery reads the département and the day of a coverage request;
// it returns the field errors in French, by field.
func (s *Server) coverageQuery(r *http.Request, dayParam string) (dep string, day model.Date, errs []model.FieldError) {
	q := r.URL.Query()
	dep = strings.ToUpper(strings.TrimSpace(q.Get("departement")))
	switch {
	case dep == "":
		errs = append(errs, model.FieldError{Path: "departement", Message: "département : choisissez un département (code INSEE : 04, 2A, 971…)"})
	case !slices.Contains(s.departements(), dep):
		errs = append(errs, model.FieldError{Path: "departement",
			Message: fmt.Sprintf("département : « %s » n'est pas un département des données INSEE (code attendu : 04, 2A, 971…)", dep)})
	}
	day = model.DateOf(s.now().In(paris))
	if text := strings.TrimSpace(q.Get(dayParam)); text != "" {
		d, err := model.ParseDate(text)
		if err != nil {
			errs = append(errs, model.FieldError{Path: dayParam, Message: fmt.Sprintf("date : « %s » n'est pas une date au format AAAA-MM-JJ (%v)", text, err)})
		} else {
			day = d
		}
	}
	return dep, day, errs
}

// coverageData is the coverage page.
type coverageData struct {
	Departements []string
	Departement  string
	Day          string
	Errors       []model.FieldError
	CoverageSummary
	EPCIs []coverageEPCIRow
	CSV   string
}

// CoverageSummary is the coverage of a département at a glance: the
// share covered, the chart and the figures by class (partial
// "coverage_summary", on the coverage and portfolio pages).
type CoverageSummary struct {
	Report       *coverage.Report
	Chart        template.HTML
	Classes      []coverageClassRow
	CoveredShare string
	Population   string
}

func newCoverageSummary(rep *coverage.Report) CoverageSummary {
	sum := CoverageSummary{Report: rep, CoveredShare: coverage.Percent(rep.Covered()), Population: coverage.Number(rep.Population),
		Chart: template.HTML(coverage.SVG(rep))} // built by package coverage, every text escaped
	for _, c := range coverage.Classes {
		t := rep.Totals[c]
		sum.Classes = append(sum.Classes, coverageClassRow{Class: c, Label: textutil.UpperFirst(c.Short()), EPCIs: t.EPCIs, Communes: t.Communes,
			Population: coverage.Number(t.Population), Share: coverage.Percent(rep.Share(c))})
	}
	return sum
}

type coverageClassRow struct {
	Class             coverage.Class
	Label             string
	EPCIs, Communes   int
	Population, Share string
}

type coverageEPCIRow struct {
	coverage.EPCI
	Label, Population, Notes string
}

// coveragePage shows the coverage of a département by the conventions
// the person may read: a chart, the figures by class and the
// intercommunalities.
func (s *Server) coveragePage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	d := coverageData{Departements: s.departements(), Departement: strings.TrimSpace(r.URL.Query().Get("departement")),
		Day: strings.TrimSpace(r.URL.Query().Get("au"))}
	if d.Departement == "" && d.Day == "" {
		s.render(w, r, http.StatusOK, "coverage.html", page{Title: "Couverture du département", Data: d})
		return
	}
	dep, day, errs := s.coverageQuery(r, "au")
	if len(errs) > 0 {
		for _, e := range errs {
			e.Message = upperFirst(e.Message)
			d.Errors = append(d.Errors, e)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "coverage.html", page{Title: "Couverture du département", Data: d})
		return
	}
	rep, err := s.app.Coverage(r.Context(), a, dep, day)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Departement, d.Day, d.CoverageSummary = dep, day.String(), newCoverageSummary(rep)
	for _, e := range rep.EPCIs {
		d.EPCIs = append(d.EPCIs, coverageEPCIRow{EPCI: e, Label: textutil.UpperFirst(e.Class.Short()), Population: coverage.Number(e.Population),
			Notes: strings.Join(epciNotes(e), " ; ")})
	}
	d.CSV = "/couverture.csv?departement=" + dep + "&au=" + day.String()
	s.render(w, r, http.StatusOK, "coverage.html", page{Title: "Couverture du département " + dep, Data: d})
}

// epciNotes says in French what a figure of an intercommunality does not.
func epciNotes(e coverage.EPCI) []string {
	var notes []string
	if e.Partial {
		notes = append(notes, "couverte en partie")
	}
	if e.OtherDepartements {
		notes = append(notes, "s'étend sur un autre département, comptée ici pour ses communes du département")
	}
	return notes
}

// coverageCSV exports the communes of the département with their
// coverage, one a row.
func (s *Server) coverageCSV(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	dep, day, errs := s.coverageQuery(r, "au")
	if len(errs) > 0 {
		s.coverageErrorPage(w, r, errs)
		return
	}
	rep, err := s.app.Coverage(r.Context(), a, dep, day)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	names := map[string]string{}
	for _, e := range rep.EPCIs {
		names[e.SIREN] = e.Name
	}
	rows := make([][]string, 0, len(rep.Communes))
	for _, c := range rep.Communes {
		rows = append(rows, []string{c.INSEE, c.Name, c.EPCI, names[c.EPCI], strconv.Itoa(c.Population), c.Class.Short(), strings.Join(c.Conventions, " ")})
	}
	writeCSV(w, "couverture-"+dep+"-"+day.String()+".csv", []string{"Code INSEE", "Commune", "SIREN de l'intercommunalité", "Intercommunalité",
		"Population", "Couverture", "Conventions"}, rows)
}

func (s *Server) coverageErrorPage(w http.ResponseWriter, r *http.Request, errs []model.FieldError) {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = upperFirst(e.Message) + "."
	}
	s.errorPage(w, r, http.StatusUnprocessableEntity, "Couverture impossible à calculer", strings.Join(msgs, " "))
}

// coverageJSON is the coverage as the API gives it.
type coverageJSON struct {
	Departement string                       `json:"departement"`
	Date        model.Date                   `json:"date"`
	Population  int                          `json:"population"`
	Covered     float64                      `json:"covered_share"`
	OutsideEPCI int                          `json:"communes_outside_epci"`
	Totals      map[coverage.Class]tallyJSON `json:"totals"`
	EPCIs       []epciJSON                   `json:"epcis"`
	Communes    []communeJSON                `json:"communes"`
	Conventions []conventionCoverageJSON     `json:"conventions"`
}

type tallyJSON struct {
	EPCIs      int     `json:"epcis"`
	Communes   int     `json:"communes"`
	Population int     `json:"population"`
	Share      float64 `json:"share"`
}

type epciJSON struct {
	SIREN             string         `json:"siren"`
	Name              string         `json:"name"`
	Class             coverage.Class `json:"class"`
	Communes          int            `json:"communes"`
	Population        int            `json:"population"`
	Partial           bool           `json:"partial"`
	OtherDepartements bool           `json:"other_departements"`
	Conventions       []string       `json:"conventions"`
}

type communeJSON struct {
	INSEE       string         `json:"insee"`
	Name        string         `json:"name"`
	EPCI        string         `json:"epci,omitempty"`
	Population  int            `json:"population"`
	Class       coverage.Class `json:"class"`
	Conventions []string       `json:"conventions"`
}

type conventionCoverageJSON struct {
	Slug  string         `json:"slug"`
	Title string         `json:"title"`
	State string         `json:"state"`
	Class coverage.Class `json:"class"`
}

func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	dep, day, errs := s.coverageQuery(r, "at")
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "paramètres attendus : ?departement=04[&at=AAAA-MM-JJ]", Details: errs})
		return
	}
	rep, err := s.app.Coverage(r.Context(), a, dep, day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, coverageOut(rep))
}

func coverageOut(rep *coverage.Report) coverageJSON {
	out := coverageJSON{Departement: rep.Departement, Date: rep.Day, Population: rep.Population, Covered: rep.Covered(), OutsideEPCI: rep.OutsideEPCI,
		Totals: map[coverage.Class]tallyJSON{}, EPCIs: []epciJSON{}, Communes: []communeJSON{}, Conventions: []conventionCoverageJSON{}}
	for _, c := range coverage.Classes {
		t := rep.Totals[c]
		out.Totals[c] = tallyJSON{EPCIs: t.EPCIs, Communes: t.Communes, Population: t.Population, Share: rep.Share(c)}
	}
	for _, e := range rep.EPCIs {
		out.EPCIs = append(out.EPCIs, epciJSON{e.SIREN, e.Name, e.Class, e.Communes, e.Population, e.Partial, e.OtherDepartements, nonNil(e.Conventions)})
	}
	for _, c := range rep.Communes {
		out.Communes = append(out.Communes, communeJSON{c.INSEE, c.Name, c.EPCI, c.Population, c.Class, nonNil(c.Conventions)})
	}
	for _, c := range rep.Conventions {
		out.Conventions = append(out.Conventions, conventionCoverageJSON{c.Slug, c.Title, string(c.State), c.Class})
	}
	return out
}

func nonNil(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}
