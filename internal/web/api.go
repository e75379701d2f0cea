package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/docs"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// apiError is the body of every error answer of the API.
type apiError struct {
	Error string `json:"error"`
	// Code names a refusal a client may act on: "signed_content".
	Code    string             `json:"code,omitempty"`
	Details []model.FieldError `json:"details,omitempty"`
	// Current is the record as it is now, on a version conflict.
	Current *recordJSON `json:"current,omitempty"`
}

// writeError answers a failed API call with the status and the French
// message of classify, and the details that help fix the request.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	f := s.classify(r, err)
	out := apiError{Error: f.message, Code: f.code, Details: f.details}
	if f.conflict != nil {
		out.Current = &recordJSON{Version: f.conflict.Version, Fields: f.conflict.Current}
	}
	writeJSON(w, f.status, out)
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
		s.log.Error("base injoignable", "error", err)
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

// apiDate is the day an API request asks about: ?at=AAAA-MM-JJ, default
// today in Paris. A malformed date is answered with 400 and ok false.
func (s *Server) apiDate(w http.ResponseWriter, r *http.Request) (at model.Date, ok bool) {
	q := r.URL.Query().Get("at")
	if q == "" {
		return model.DateOf(s.now().In(paris)), true
	}
	d, err := model.ParseDate(q)
	if err != nil {
		badBody(w, "?at=AAAA-MM-JJ", "at", err.Error())
		return model.Date{}, false
	}
	return d, true
}

// conventionItem is a convention as listed by the API.
type conventionItem struct {
	model.ConventionSummary
	// State is where the convention stands in its life on the day asked
	// (?au=AAAA-MM-JJ, default today).
	State lifecycle.Standing `json:"state"`
	URL   string             `json:"url"`
	// NextDeadline is the first overdue obligation, else the next one to
	// come; absent when there is none.
	NextDeadline *nextDeadlineJSON `json:"next_deadline,omitempty"`
}

// nextDeadlineJSON is a convention's next obligation in the list.
type nextDeadlineJSON struct {
	Date    model.Date `json:"date"`
	Label   string     `json:"label"`
	Overdue bool       `json:"overdue"`
}

func (s *Server) apiConventions(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	today, ok := s.apiDate(w, r)
	if !ok {
		return
	}
	f, errs := conventionsQuery(r)
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "paramètres acceptés : texte, etat, page (1, 2…), at (AAAA-MM-JJ)", Details: errs})
		return
	}
	list, err := s.app.ListConventions(r.Context(), a, f, today)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Conventions []conventionItem `json:"conventions"`
		Total       int              `json:"total"`
		Page        int              `json:"page"`
		Pages       int              `json:"pages"`
		PerPage     int              `json:"per_page"`
	}{Conventions: []conventionItem{}, Total: list.Total, Page: list.Page, Pages: list.Pages, PerPage: app.ConventionListPageSize}
	for _, c := range list.Rows {
		item := conventionItem{ConventionSummary: c.ConventionSummary, State: c.State, URL: "/api/v1/conventions/" + c.Slug}
		if c.HasNext {
			item.NextDeadline = &nextDeadlineJSON{Date: c.Next.Date, Label: c.Next.Label, Overdue: c.Next.Overdue}
		}
		out.Conventions = append(out.Conventions, item)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiConvention(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	today, ok := s.apiDate(w, r)
	if !ok {
		return
	}
	c, err := s.app.Convention(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		*model.Convention
		State lifecycle.Standing `json:"state"`
	}{c, lifecycle.Of(c).StandingOn(today)})
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
	// Editable lists the fields the caller may change: after signature,
	// the follow-up only.
	Editable []string `json:"editable_fields"`
}

func toRecordJSON(rec *app.Record) recordJSON {
	out := recordJSON{Kind: rec.Kind.Name, ID: rec.Target.Meta.ID, Label: rec.Target.Label, Version: rec.Version, Fields: rec.Values, Editable: []string{}}
	if rec.CanEdit {
		for _, f := range rec.Fields() {
			if rec.Editable(f.Name) {
				out.Editable = append(out.Editable, f.Name)
			}
		}
	}
	out.CanEdit = len(out.Editable) > 0
	return out
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
	// Comment is kept in the history entry of the change.
	Comment string `json:"comment"`
}

func (s *Server) apiEdit(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
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
	rec, _, err := s.app.EditWithComment(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id"), req.Version, req.Fields, req.Comment)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toRecordJSON(rec))
}

// decodeBody reads a JSON request body of at most 1 MiB with no unknown
// field into v; on failure it answers 400 showing the expected shape, or
// 413 for a body over 1 MiB. Every
// API write reads its body here, so here text that is not valid UTF-8, or
// holds a NUL character, is refused before anything is stored.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, shape string) bool {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: "corps de la requête trop volumineux : 1 Mio au plus",
				Details: []model.FieldError{{Message: "1 Mio au plus"}}})
			return false
		}
		badBody(w, shape, "", "corps illisible")
		return false
	}
	if path, bad := invalidJSONText(data); bad {
		msg := "le corps de la requête contient des caractères invalides (UTF-8 attendu)"
		if path != "" {
			msg = fmt.Sprintf("le champ « %s » contient des caractères invalides (UTF-8 attendu)", path)
		}
		writeJSON(w, http.StatusBadRequest, apiError{Error: msg, Details: []model.FieldError{{Path: path, Message: "caractères invalides (UTF-8 attendu, sans caractère NUL)"}}})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		path, msg := jsonProblem(err)
		badBody(w, shape, path, msg)
		return false
	}
	return true
}

const maxBody = 1 << 20

// jsonProblem says in French what is wrong with a JSON body, and where.
func jsonProblem(err error) (path, msg string) {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "", "corps vide"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", "JSON incomplet"
	case errors.As(err, &syntax):
		return "", fmt.Sprintf("JSON mal formé (octet %d)", syntax.Offset)
	case errors.As(err, &typ):
		if want, ok := jsonKinds[typ.Type.Kind()]; ok {
			return typ.Field, fmt.Sprintf("type inattendu : %s attendu", want)
		}
		return typ.Field, "type inattendu"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return name, fmt.Sprintf("champ inconnu « %s »", name)
	}
	return "", "JSON illisible"
}

var jsonKinds = map[reflect.Kind]string{
	reflect.Int: "un nombre entier", reflect.String: "un texte", reflect.Map: "un objet", reflect.Struct: "un objet",
	reflect.Slice: "une liste", reflect.Bool: "true ou false", reflect.Float64: "un nombre",
}

// invalidJSONText reports whether a JSON body holds text that is not
// valid UTF-8 or holds a NUL character, with the path of the first such
// string when it can tell.
func invalidJSONText(data []byte) (string, bool) {
	valid := utf8.Valid(data)
	if valid && !bytes.Contains(data, []byte(`\u0000`)) {
		return "", false
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		// Not JSON at all: the decoder will say so, unless the bytes are
		// not even text.
		return "", !valid
	}
	// The decoder turned invalid bytes into U+FFFD: the first string
	// holding one (or a NUL) is the culprit.
	bad := func(s string) bool {
		return strings.ContainsRune(s, 0) || (!valid && strings.ContainsRune(s, utf8.RuneError))
	}
	if path, found := badString(v, "", bad); found {
		return path, true
	}
	return "", !valid
}

// badString walks a decoded JSON value, keys in order, and returns the
// path of the first key or string for which bad is true.
func badString(v any, path string, bad func(string) bool) (string, bool) {
	switch x := v.(type) {
	case string:
		return path, bad(x)
	case []any:
		for i, e := range x {
			if p, ok := badString(e, fmt.Sprintf("%s[%d]", path, i), bad); ok {
				return p, true
			}
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if bad(k) {
				return strings.ToValidUTF8(strings.ReplaceAll(p, "\x00", ""), "?"), true
			}
			if p, ok := badString(x[k], p, bad); ok {
				return p, true
			}
		}
	}
	return "", false
}

func badBody(w http.ResponseWriter, shape, path, msg string) {
	writeJSON(w, http.StatusBadRequest, apiError{Error: "corps JSON attendu : " + shape, Details: []model.FieldError{{Path: path, Message: msg}}})
}

// createRequest is the body of POST …/records/{kind}.
type createRequest struct {
	Parent string            `json:"parent"`
	Fields map[string]string `json:"fields"`
}

func (s *Server) apiCreate(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
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
	if a == nil {
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
	if a == nil {
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
	if a == nil {
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
