package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/model"
)

// bilan sends the annual (?annee=) or final (?final=1) bilan as PDF or XLSX.
func (s *Server) bilan(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.signedIn(w, r)
		if a == nil {
			return
		}
		slug := r.PathValue("slug")
		final := r.URL.Query().Get("final") == "1"
		year, err := strconv.Atoi(r.URL.Query().Get("annee"))
		if err != nil && !final {
			s.errorPage(w, r, http.StatusBadRequest, "Bilan : année à préciser",
				"Précisez l'année du bilan annuel (?annee=2024, par exemple), ou demandez le bilan final (?final=1).")
			return
		}
		public := r.URL.Query().Get("diffusable") == "1"
		rep, err := s.app.Report(r.Context(), a, slug, year, final, public)
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			// The only thing a reader can get wrong here is the year.
			s.errorPage(w, r, http.StatusBadRequest, "Bilan : année hors de la convention", upperFirst(ve.Errors[0].Message)+".")
			return
		}
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

// conventionPDF sends the consolidated text of the convention as a PDF.
func (s *Server) conventionPDF(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	data, err := s.app.ConventionPDF(r.Context(), a, slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// A text read at a date says so in its name, apart from today's.
	name := slug + "-convention"
	if d, ok := app.DateOf(r.Context()); ok {
		name += "-" + d.String()
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	_, _ = w.Write(data)
}
