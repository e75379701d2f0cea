package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
)

// formField is one field of an edit form as shown.
type formField struct {
	edit.Field
	Value   string
	Options []edit.Option
	Error   string
	// Shown is the value in words, for a reader who may not change it.
	Shown string
}

// Checked reports whether a list field holds the value (for checkboxes).
func (f formField) Checked(v string) bool {
	return slices.Contains(strings.Split(f.Value, "\n"), v)
}

type editData struct {
	Record   *app.Record
	Fields   []formField
	Version  int
	Original map[string]string
	Errors   []string
	Conflict *conflictView
	History  []historyRow
	Back     string
	// ParentID is set when the form adds a record under that parent.
	ParentID string
	// Amend is the page where an avenant is prepared, for the signed
	// fields.
	Amend string
}

// placeErrors puts each problem next to its field, or above the form.
func (d *editData) placeErrors(ve *model.ValidationError) {
	for _, fe := range ve.Errors {
		placed := false
		for i := range d.Fields {
			if d.Fields[i].Name == fe.Path {
				d.Fields[i].Error, placed = fe.Message, true
			}
		}
		if !placed {
			d.Errors = append(d.Errors, fe.String())
		}
	}
}

// conflictView shows what changed since the form was opened.
type conflictView struct {
	Changes []fieldChange
	Recent  []model.AuditEntry
}

type fieldChange struct {
	Label, Was, Now, Yours string
}

func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	rec, err := s.app.Record(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := s.editPage(r, rec, rec.Values, rec.Values)
	s.renderEdit(w, r, http.StatusOK, rec, d)
}

// editPage prepares the form with the values to show and the original
// values the user started from.
func (s *Server) editPage(r *http.Request, rec *app.Record, values, original map[string]string) *editData {
	d := &editData{Record: rec, Version: rec.Version, Original: original, Back: backURL(r, rec), Amend: amendmentsURL(rec.Convention.Slug)}
	for _, f := range rec.Fields() {
		ff := formField{Field: f, Value: values[f.Name], Shown: "—"}
		if ff.Value != "" {
			ff.Shown = fieldText(rec.Convention, f, ff.Value)
		}
		if f.Options != nil {
			ff.Options = f.Options(rec.Convention)
		}
		d.Fields = append(d.Fields, ff)
	}
	if rec.ParentID == "" {
		hist, err := s.app.History(r.Context(), actorOf(r), rec.Convention.Slug, []string{rec.Target.Meta.ID}, 50)
		if err == nil {
			d.History = historyRows(rec.Convention, hist)
		}
	}
	return d
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, status int, rec *app.Record, d *editData) {
	v := newConvView(rec.Convention, actorOf(r))
	s.render(w, r, status, "edit.html", page{Title: "Modifier : " + rec.Target.Label, Conv: v, Nav: navOfKind(rec.Kind.Name), Data: d})
}

// navOfKind is the section of the convention's navigation that a kind of
// record belongs to, for the current tab of its forms.
func navOfKind(kind string) string {
	switch kind {
	case "equipment":
		return "equipments"
	case "finding":
		return "diagnostic"
	case "committee", "contact":
		return "governance"
	case "article", "annex", "legal_basis":
		return "text"
	case "axis", "fiche", "step", "indicator":
		return "plan"
	}
	return "overview"
}

// flashCookie carries the confirmation of a save to the page the browser
// is sent to next; the page shows it once.
const flashCookie = "ctg_flash"

// setFlash asks the next page to confirm what was saved.
func setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 120,
		HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
}

// takeFlash returns the confirmation set by the previous request, and
// removes it so that it is shown once.
func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure(r), SameSite: http.SameSiteLaxMode})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil || !validText(msg) || len(msg) > 1000 {
		return ""
	}
	return msg
}

// backURL is where to return after saving: the page the user came from
// when it is local, else the page that shows the record.
func backURL(r *http.Request, rec *app.Record) string {
	// A local page of a convention only, checked as the sign-in's next page.
	if b := r.FormValue("retour"); strings.HasPrefix(b, "/c/") && !strings.Contains(b, "..") && safeNext(b) == b {
		return b
	}
	base := "/c/" + rec.Convention.Slug
	if rec.Target.Fiche != "" {
		return base + "/fiches/" + rec.Target.Fiche
	}
	return base + pageOfKind[rec.Kind.Name]
}

// pageOfKind is the page, under a convention's, that shows the records of
// a kind; the convention's overview for the others. A test checks that
// every name is an editable kind.
var pageOfKind = map[string]string{
	"equipment": "/equipements", "finding": "/diagnostic", "committee": "/gouvernance", "contact": "/gouvernance",
	"article": "/texte", "annex": "/texte", "legal_basis": "/texte", "axis": "/plan",
}

func (s *Server) editSubmit(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, kind, id := r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id")
	k, ok := edit.Lookup(kind)
	if !ok {
		s.notFound(w, r)
		return
	}
	// Only the fields the form carries are changed, so that a form showing
	// one field (a step's status) leaves the others alone.
	var values map[string]string
	original := map[string]string{}
	// Browsers send line breaks as CRLF; records hold LF.
	values = formValues(r, k.Fields, "")
	for name, v := range formValues(r, k.Fields, "orig.") {
		if _, sent := values[name]; sent {
			original[name] = v
		}
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		s.forbidden(w, r)
		return
	}
	comment := strings.NewReplacer("\r\n", " ", "\n", " ").Replace(r.PostFormValue("commentaire"))
	rec, ch, err := s.app.EditWithComment(r.Context(), a, slug, kind, id, version, values, comment)
	if err == nil {
		back := backURL(r, rec)
		if r.PostFormValue("retour") == "" {
			back = r.URL.Path
		}
		msg := savedMessage(rec.Convention, kind, rec.Target.Label, ch.Before, ch.After)
		if strings.TrimSpace(comment) != "" {
			if ch.Empty() {
				msg = "Enregistré : commentaire sur « " + rec.Target.Label + " »."
			} else {
				msg = strings.TrimSuffix(msg, ".") + ", avec votre commentaire."
			}
		}
		setFlash(w, r, msg)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	var ve *model.ValidationError
	var ce *app.ConflictError
	switch {
	case errors.As(err, &ve):
		rec, rerr := s.app.Record(r.Context(), a, slug, kind, id)
		if rerr != nil {
			s.pageError(w, r, rerr)
			return
		}
		d := s.editPage(r, rec, merge(rec.Values, values), merge(rec.Values, original))
		d.Version = version
		d.placeErrors(ve)
		s.renderEdit(w, r, http.StatusUnprocessableEntity, rec, d)
	case errors.As(err, &ce):
		rec, rerr := s.app.Record(r.Context(), a, slug, kind, id)
		if rerr != nil {
			s.pageError(w, r, rerr)
			return
		}
		// Keep what the user typed, on top of the current version: saving
		// again is then a deliberate choice made knowing what changed.
		d := s.editPage(r, rec, merge(rec.Values, values), rec.Values)
		cv := &conflictView{Recent: ce.Recent}
		for _, f := range k.Fields {
			was, seen := original[f.Name]
			if seen && was != ce.Current[f.Name] {
				cv.Changes = append(cv.Changes, fieldChange{Label: f.Label, Was: was, Now: ce.Current[f.Name], Yours: values[f.Name]})
			}
		}
		d.Conflict = cv
		s.renderEdit(w, r, http.StatusConflict, rec, d)
	default:
		s.pageError(w, r, err)
	}
}

func merge(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
