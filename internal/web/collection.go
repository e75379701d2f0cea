package web

import (
	"net/http"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/app"
)

type collectionData struct {
	Year  int
	Years []string
	Rows  []app.Progress
}

func (s *Server) collectionData(w http.ResponseWriter, r *http.Request) (*convView, *collectionData) {
	v := s.conventionPage(w, r)
	if v == nil {
		return nil, nil
	}
	year, err := strconv.Atoi(r.URL.Query().Get("annee"))
	if err != nil || year < v.Period.Start.Year || year > v.Period.End.Year {
		year = min(max(s.today(r).Year-1, v.Period.Start.Year), v.Period.End.Year)
	}
	rows, err := s.app.CollectionProgress(r.Context(), actorOf(r), v.Slug, year)
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	return v, &collectionData{Year: year, Years: years(v.Convention), Rows: rows}
}

// collection shows which organizations have answered the collection of a year.
func (s *Server) collection(w http.ResponseWriter, r *http.Request) {
	if v, d := s.collectionData(w, r); d != nil {
		s.render(w, r, http.StatusOK, "collection.html", page{Title: "Collecte " + strconv.Itoa(d.Year), Conv: v, Nav: "indicators", Data: d})
	}
}

func (s *Server) collectionCSV(w http.ResponseWriter, r *http.Request) {
	v, d := s.collectionData(w, r)
	if d == nil {
		return
	}
	var rows [][]string
	for _, p := range d.Rows {
		name := "Sans organisation responsable"
		if p.Organization != "" {
			name = v.OrgName(p.Organization)
		}
		rows = append(rows, []string{name, strconv.Itoa(p.Indicators), strconv.Itoa(p.Expected), strconv.Itoa(p.Entered), strconv.Itoa(p.Submitted),
			strconv.Itoa(p.Validated), strconv.Itoa(p.Returned)})
	}
	writeCSV(w, v.Slug+"-collecte-"+strconv.Itoa(d.Year)+".csv",
		[]string{"Organisation", "Indicateurs", "Valeurs attendues", "Saisies", "Soumises", "Validées", "Renvoyées"}, rows)
}
