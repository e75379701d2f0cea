package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
)

func (s *Server) createForm(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	rec, err := s.app.NewRecord(r.Context(), a, r.PathValue("slug"), r.PathValue("kind"), r.URL.Query().Get("parent"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !rec.CanEdit {
		s.forbidden(w, r)
		return
	}
	d := s.editPage(r, rec, rec.Values, rec.Values)
	d.ParentID = r.URL.Query().Get("parent")
	s.renderEdit(w, r, http.StatusOK, rec, d)
}

// formValues reads the submitted fields, with LF line breaks.
func formValues(r *http.Request, fields []edit.Field, prefix string) map[string]string {
	lf := strings.NewReplacer("\r\n", "\n")
	out := map[string]string{}
	for _, f := range fields {
		if vals, ok := r.PostForm[prefix+f.Name]; ok {
			out[f.Name] = lf.Replace(strings.Join(vals, "\n"))
		}
	}
	return out
}

func (s *Server) createSubmit(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, kind, parent := r.PathValue("slug"), r.PathValue("kind"), r.PostFormValue("parent")
	k, ok := edit.Lookup(kind)
	if !ok {
		s.notFound(w, r)
		return
	}
	values := formValues(r, k.CreateFields(), "")
	rec, err := s.app.Create(r.Context(), a, slug, kind, parent, values)
	if err == nil {
		setFlash(w, r, "Enregistré : ajout de « "+rec.Target.Label+" ».")
		http.Redirect(w, r, backURL(r, rec), http.StatusSeeOther)
		return
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		s.pageError(w, r, err)
		return
	}
	blank, rerr := s.app.NewRecord(r.Context(), a, slug, kind, parent)
	if rerr != nil {
		s.pageError(w, r, rerr)
		return
	}
	d := s.editPage(r, blank, merge(blank.Values, values), blank.Values)
	d.ParentID = parent
	d.placeErrors(ve)
	s.renderEdit(w, r, http.StatusUnprocessableEntity, blank, d)
}

func (s *Server) deleteSubmit(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, kind, id := r.PathValue("slug"), r.PathValue("kind"), r.PathValue("id")
	rec, err := s.app.Record(r.Context(), a, slug, kind, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	back := backURL(r, rec)
	if r.PostFormValue("confirm") != "oui" {
		d := s.editPage(r, rec, rec.Values, rec.Values)
		d.Errors = []string{"Cochez la case de confirmation pour supprimer cet élément."}
		s.renderEdit(w, r, http.StatusUnprocessableEntity, rec, d)
		return
	}
	err = s.app.Delete(r.Context(), a, slug, kind, id, version)
	var ce *app.ConflictError
	if errors.As(err, &ce) {
		d := s.editPage(r, rec, rec.Values, rec.Values)
		d.Errors = []string{"Cet élément a été modifié entre-temps par " + lastActor(ce) + " : vérifiez-le avant de le supprimer."}
		s.renderEdit(w, r, http.StatusConflict, rec, d)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, "Enregistré : suppression de « "+rec.Target.Label+" » (elle reste visible dans l'historique).")
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func lastActor(ce *app.ConflictError) string {
	if len(ce.Recent) > 0 {
		return ce.Recent[0].Actor
	}
	return "quelqu'un d'autre"
}
