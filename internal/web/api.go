package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ctg-territoires/ctg/docs"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// apiError is the body of every error answer of the API.
type apiError struct {
	Error   string             `json:"error"`
	Details []model.FieldError `json:"details,omitempty"`
}

// writeError is the one place that maps errors to an HTTP status and a
// French message safe to show; unexpected errors are logged, not shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "données invalides", Details: ve.Errors})
	case errors.Is(err, model.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{Error: "introuvable"})
	case errors.Is(err, model.ErrConflict):
		writeJSON(w, http.StatusConflict, apiError{Error: err.Error()})
	default:
		s.log.Error("erreur interne", "chemin", r.URL.Path, "erreur", err)
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "erreur interne du serveur"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Store.Ping(r.Context()); err != nil {
		s.log.Error("base injoignable", "erreur", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "indisponible"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": s.app.Store.Dialect(), "version": s.version})
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(docs.Schema)
}

// conventionItem is a convention as listed by the API.
type conventionItem struct {
	store.Summary
	URL string `json:"url"`
}

func (s *Server) listConventions(w http.ResponseWriter, r *http.Request) {
	list, err := s.app.Conventions(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Conventions []conventionItem `json:"conventions"`
	}{Conventions: []conventionItem{}}
	for _, c := range list {
		out.Conventions = append(out.Conventions, conventionItem{c, "/api/v1/conventions/" + c.Slug})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getConvention(w http.ResponseWriter, r *http.Request) {
	c, err := s.app.Convention(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) exportConvention(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	data, err := s.app.Export(r.Context(), slug)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+slug+`.yaml"`)
	_, _ = w.Write(data)
}
