package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/model"
)

// assessmentForm is the fiche page's block "Appréciation {year}": the
// coordinator's written assessment of the fiche for a year, printed in
// that year's bilan.
type assessmentForm struct {
	Year  int
	Years []assessmentYear
	// Current is the stored assessment of the year, nil if none.
	Current *model.Assessment
	// Text and Version are what the form holds: the stored text, or what
	// the user typed when it was not saved.
	Text     string
	Version  int
	CanWrite bool
	Saved    bool
	Error    string
	// Conflict is the text someone else saved meanwhile.
	Conflict *string
	ids      []string
}

type assessmentYear struct {
	Year    int
	Written bool
}

// assessmentInput is an assessment sent and not saved.
type assessmentInput struct {
	Year     string
	Text     string
	Version  int
	Error    string
	Conflict *string
}

func (s *Server) assessmentForm(r *http.Request, v *convView, f *model.Fiche, in *assessmentInput) (*assessmentForm, error) {
	list, err := s.app.Assessments(r.Context(), actorOf(r), v.Slug, f.Code)
	if err != nil {
		return nil, err
	}
	asked := r.URL.Query().Get("annee")
	if in != nil {
		asked = in.Year
	}
	_, dated := app.DateOf(r.Context())
	d := &assessmentForm{Year: app.CollectionYear(v.Convention, s.today(r)), CanWrite: !dated && app.CanAssess(actorOf(r), v.Slug, f),
		Saved: in == nil && r.URL.Query().Get("enregistre") == "1"}
	written := map[int]*model.Assessment{}
	for i := range list {
		written[list[i].Year] = &list[i]
		d.ids = append(d.ids, list[i].ID)
	}
	for y := v.Period.Start.Year; y <= v.Period.End.Year; y++ {
		d.Years = append(d.Years, assessmentYear{Year: y, Written: written[y] != nil})
	}
	if y, err := strconv.Atoi(asked); err == nil && slices.ContainsFunc(d.Years, func(x assessmentYear) bool { return x.Year == y }) {
		d.Year = y
	}
	if x := written[d.Year]; x != nil {
		d.Current, d.Text, d.Version = x, x.Text, x.Version
	}
	if in != nil {
		d.Text, d.Error, d.Conflict = in.Text, in.Error, in.Conflict
		if in.Conflict == nil {
			d.Version = in.Version
		}
	}
	return d, nil
}

// saveAssessment writes a fiche's assessment for a year and comes back to
// the fiche with a confirmation, or shows the form again with the text
// typed and what went wrong.
func (s *Server) saveAssessment(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, code := r.PathValue("slug"), r.PathValue("code")
	in := &assessmentInput{Year: r.PostFormValue("annee"), Text: r.PostFormValue("texte")}
	year, err := strconv.Atoi(in.Year)
	if err != nil {
		in.Error = "choisissez l'année de l'appréciation."
		s.renderFiche(w, r, http.StatusUnprocessableEntity, in)
		return
	}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	_, err = s.app.SaveAssessment(r.Context(), a, slug, code, year, in.Version, in.Text)
	var ve *model.ValidationError
	var ce *app.ConflictError
	switch {
	case err == nil:
		q := url.Values{"annee": {in.Year}, "enregistre": {"1"}}
		http.Redirect(w, r, "/c/"+slug+"/fiches/"+code+"?"+q.Encode()+"#appreciation", http.StatusSeeOther)
	case errors.As(err, &ve):
		in.Error = ve.Errors[0].Message + "."
		s.renderFiche(w, r, http.StatusUnprocessableEntity, in)
	case errors.As(err, &ce):
		current := ce.Current["appréciation"]
		in.Conflict = &current
		s.renderFiche(w, r, http.StatusConflict, in)
	case errors.Is(err, model.ErrStale):
		in.Error = "quelqu'un a enregistré une appréciation pour cette année entre-temps ; rechargez la page pour la lire."
		s.renderFiche(w, r, http.StatusConflict, in)
	default:
		s.pageError(w, r, err)
	}
}
