package web

import (
	"net/http"

	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
)

// checkRow is a finding with the link to the record to fix.
type checkRow struct {
	lint.Finding
	Label, URL string
}

type checksData struct {
	At model.Date
	// Counts is by severity name, for the templates.
	Counts map[string]int
	Rows   []checkRow
}

// today is the date of the checks: today in Paris, or ?au=AAAA-MM-JJ.
func (s *Server) today(r *http.Request) model.Date {
	if d, err := model.ParseDate(r.URL.Query().Get("au")); err == nil {
		return d
	}
	return model.DateOf(s.now().In(paris))
}

// checksOf runs the checker for the page's convention.
func (s *Server) checksOf(r *http.Request, v *convView) (checksData, error) {
	at := s.today(r)
	fs := s.app.Findings(v.Convention, at)
	d := checksData{At: at, Counts: map[string]int{}}
	for sev, n := range lint.Count(fs) {
		d.Counts[string(sev)] = n
	}
	for _, f := range fs {
		row := checkRow{Finding: f, Label: lint.Labels[f.Severity]}
		if f.Kind != "" && f.ID != "" {
			row.URL = "/c/" + v.Slug + "/modifier/" + f.Kind + "/" + f.ID
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// checksPage loads the convention of the URL and its findings; it answers
// the request itself and returns nil on failure.
func (s *Server) checksPage(w http.ResponseWriter, r *http.Request) (*convView, checksData) {
	v := s.conventionPage(w, r)
	if v == nil {
		return nil, checksData{}
	}
	d, err := s.checksOf(r, v)
	if err != nil {
		s.pageError(w, r, err)
		return nil, checksData{}
	}
	return v, d
}

func (s *Server) checks(w http.ResponseWriter, r *http.Request) {
	v, d := s.checksPage(w, r)
	if v == nil {
		return
	}
	s.render(w, r, http.StatusOK, "checks.html", page{Title: "Contrôles", Conv: v, Nav: "checks", Data: d})
}

// checksCSV exports the findings for Excel in French.
func (s *Server) checksCSV(w http.ResponseWriter, r *http.Request) {
	v, d := s.checksPage(w, r)
	if v == nil {
		return
	}
	var rows [][]string
	for _, row := range d.Rows {
		rows = append(rows, []string{row.Label, row.Rule, row.Where, row.Message, row.Fix, row.Path})
	}
	writeCSV(w, v.Slug+"-controles-"+d.At.String()+".csv", []string{"Gravité", "Règle", "Partie du texte", "Constat", "Que faire", "Emplacement"}, rows)
}

func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	at := model.DateOf(s.now().In(paris))
	if q := r.URL.Query().Get("at"); q != "" {
		d, err := model.ParseDate(q)
		if err != nil {
			badBody(w, "?at=AAAA-MM-JJ", "at", err.Error())
			return
		}
		at = d
	}
	_, fs, err := s.app.Check(r.Context(), a, r.PathValue("slug"), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if fs == nil {
		fs = []lint.Finding{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": at, "counts": lint.Count(fs), "findings": fs})
}
