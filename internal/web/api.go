package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/ctg-territoires/ctg/docs"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// apiError is the body of every error answer of the API.
type apiError struct {
	Error   string             `json:"error"`
	Details []model.FieldError `json:"details,omitempty"`
	// Current is the record as it is now, on a version conflict.
	Current *recordJSON `json:"current,omitempty"`
}

// writeError is the one place that maps errors to an HTTP status and a
// French message safe to show; unexpected errors are logged, not shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *model.ValidationError
	var ce *app.ConflictError
	switch {
	case errors.As(err, &ve):
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: "données invalides", Details: ve.Errors})
	case errors.As(err, &ce):
		writeJSON(w, http.StatusConflict, apiError{Error: "modifié entre-temps : relisez la version courante avant de réessayer",
			Current: &recordJSON{Version: ce.Version, Fields: ce.Current}})
	case errors.Is(err, model.ErrNotFound):
		writeJSON(w, http.StatusNotFound, apiError{Error: "introuvable"})
	case errors.Is(err, model.ErrForbidden):
		writeJSON(w, http.StatusForbidden, apiError{Error: "action non autorisée"})
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

// apiActor returns the authenticated caller or answers 401.
func apiActor(w http.ResponseWriter, r *http.Request) *auth.Actor {
	a := actorOf(r)
	if a == nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="ctg"`)
		writeJSON(w, http.StatusUnauthorized, apiError{Error: "authentification requise : jeton d'accès personnel (Authorization: Bearer …) ou session"})
	}
	return a
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	database, err := s.app.Health(r.Context())
	if err != nil {
		s.log.Error("base injoignable", "erreur", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "indisponible"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": database, "version": s.version})
}

func (s *Server) schema(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(docs.Schema)
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(docs.OpenAPI)
}

// conventionItem is a convention as listed by the API.
type conventionItem struct {
	model.ConventionSummary
	URL string `json:"url"`
}

func (s *Server) apiConventions(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	list, err := s.app.Conventions(r.Context(), a)
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

func (s *Server) apiConvention(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	c, err := s.app.Convention(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	data, err := s.app.Export(r.Context(), a, slug)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+slug+`.yaml"`)
	_, _ = w.Write(data)
}

func (s *Server) apiHistory(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var ids []string
	if id := r.URL.Query().Get("object"); id != "" {
		ids = []string{id}
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 100
	}
	hist, err := s.app.History(r.Context(), a, r.PathValue("slug"), ids, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if hist == nil {
		hist = []model.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"history": hist})
}

// recordJSON is one editable record in the API: its fields as text, the
// version to send back with an edit, and whether the caller may edit it.
type recordJSON struct {
	Kind    string            `json:"kind,omitempty"`
	ID      string            `json:"id,omitempty"`
	Label   string            `json:"label,omitempty"`
	Version int               `json:"version"`
	CanEdit bool              `json:"can_edit"`
	Fields  map[string]string `json:"fields"`
}

func toRecordJSON(rec *app.Record) recordJSON {
	return recordJSON{Kind: rec.Kind.Name, ID: rec.Target.Meta.ID, Label: rec.Target.Label, Version: rec.Version, CanEdit: rec.CanEdit, Fields: rec.Values}
}

func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	rec, err := s.app.Record(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRecordJSON(rec))
}

// editRequest is the body of PATCH …/records/{kind}/{id}.
type editRequest struct {
	Version int               `json:"version"`
	Fields  map[string]string `json:"fields"`
}

func (s *Server) apiEdit(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil || browserWithoutCSRF(w, r) {
		return
	}
	var req editRequest
	if !decodeBody(w, r, &req, `{"version": n, "fields": {"champ": "valeur"}}`) {
		return
	}
	if req.Version <= 0 {
		badBody(w, `{"version": n, "fields": {"champ": "valeur"}}`, "version", "version de l'élément lu, obligatoire")
		return
	}
	rec, _, err := s.app.Edit(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id"), req.Version, req.Fields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRecordJSON(rec))
}

// decodeBody reads a JSON request body of at most 1 MiB with no unknown
// field into v; on failure it answers 400 showing the expected shape.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, shape string) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		badBody(w, shape, "", "corps illisible : "+err.Error())
		return false
	}
	return true
}

func badBody(w http.ResponseWriter, shape, path, msg string) {
	writeJSON(w, http.StatusBadRequest, apiError{Error: "corps JSON attendu : " + shape, Details: []model.FieldError{{Path: path, Message: msg}}})
}

// createRequest is the body of POST …/records/{kind}.
type createRequest struct {
	Parent string            `json:"parent"`
	Fields map[string]string `json:"fields"`
}

// browserWithoutCSRF refuses a state-changing API call made with a session
// cookie but without the session's CSRF token.
func browserWithoutCSRF(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") == "" && r.Header.Get("X-CSRF-Token") != csrfOf(r) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "jeton CSRF absent ou invalide (en-tête X-CSRF-Token)"})
		return true
	}
	return false
}

func (s *Server) apiCreate(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil || browserWithoutCSRF(w, r) {
		return
	}
	var req createRequest
	if !decodeBody(w, r, &req, `{"parent": "id", "fields": {"champ": "valeur"}}`) {
		return
	}
	if req.Parent == "" {
		badBody(w, `{"parent": "id", "fields": {"champ": "valeur"}}`, "parent", "identifiant de l'élément parent, obligatoire")
		return
	}
	rec, err := s.app.Create(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), req.Parent, req.Fields)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/conventions/"+r.PathValue("slug")+"/records/"+rec.Kind.Name+"/"+rec.Target.Meta.ID)
	writeJSON(w, http.StatusCreated, toRecordJSON(rec))
}

func (s *Server) apiDelete(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil || browserWithoutCSRF(w, r) {
		return
	}
	version, err := strconv.Atoi(r.URL.Query().Get("version"))
	if err != nil || version <= 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "paramètre version obligatoire",
			Details: []model.FieldError{{Path: "version", Message: "version de l'élément lu, obligatoire"}}})
		return
	}
	if err := s.app.Delete(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id"), version); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiValues(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, values, err := s.app.Values(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if values == nil {
		values = []model.Value{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"values": values})
}

// valueRequest is the body of POST …/indicators/{code}/values.
type valueRequest struct {
	ID        string `json:"id"`
	Version   int    `json:"version"`
	Period    string `json:"period"`
	Breakdown string `json:"breakdown"`
	Value     string `json:"value"`
	Text      string `json:"text"`
	Source    string `json:"source"`
	Comment   string `json:"comment"`
}

func (s *Server) apiSaveValue(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil || browserWithoutCSRF(w, r) {
		return
	}
	var req valueRequest
	if !decodeBody(w, r, &req, `{"period": "2024", "value": "12"}`) {
		return
	}
	v, err := s.app.SaveValue(r.Context(), a, r.PathValue("slug"), r.PathValue("code"), app.ValueInput{ID: req.ID, Version: req.Version,
		Period: req.Period, Breakdown: req.Breakdown, Number: req.Value, Text: req.Text, Source: req.Source, Comment: req.Comment})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if req.ID == "" {
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
}

// actionRequest is the body of POST …/values/{id}/{action}.
type actionRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) apiValueAction(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil || browserWithoutCSRF(w, r) {
		return
	}
	var req actionRequest
	if !decodeBody(w, r, &req, `{"version": n, "reason": "motif, pour renvoyer"}`) {
		return
	}
	v, err := s.app.ValueAction(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), req.Version, r.PathValue("action"), req.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
