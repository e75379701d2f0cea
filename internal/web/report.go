package web

import (
	"net/http"
	"strconv"
)

// bilan sends the annual (?annee=) or final (?final=1) bilan as PDF or XLSX.
func (s *Server) bilan(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.signedIn(w, r)
		if a == nil {
			return
		}
		slug := r.PathValue("slug")
		year, _ := strconv.Atoi(r.URL.Query().Get("annee"))
		final := r.URL.Query().Get("final") == "1"
		public := r.URL.Query().Get("diffusable") == "1"
		rep, err := s.app.Report(r.Context(), a, slug, year, final, public)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		var data []byte
		contentType := "application/pdf"
		if format == "pdf" {
			data, err = rep.PDF()
		} else {
			data, err = rep.XLSX()
			contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		name := slug + "-bilan-" + strconv.Itoa(year)
		if final {
			name = slug + "-bilan-final"
		}
		if public {
			name += "-diffusable"
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
		_, _ = w.Write(data)
	}
}
