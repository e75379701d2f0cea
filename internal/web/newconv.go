package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/newconv"
)

// newConvData is the wizard of a new convention: step 1 searches the
// intercommunality, step 2 (Proposal set) proposes the convention.
type newConvData struct {
	Query    string
	Searched bool
	Matches  []newconv.Match
	Proposal *app.ConventionProposal
	Form     newConvForm
	// Errors are the messages of the refused fields, by path.
	Errors map[string]string
}

// newConvForm is step 2 as typed (or proposed).
type newConvForm struct {
	EPCI                                                          string
	CafName, CafShort, CafSIREN, MSAName, Start, End, Title, Slug string
	CafSigns, EPCISigns                                           bool
	Communes                                                      map[string]bool
	Articles                                                      []model.Article
}

func (s *Server) newConvActor(w http.ResponseWriter, r *http.Request, post bool) *auth.Actor {
	a := s.signedIn(w, r)
	if a == nil {
		return nil
	}
	if !app.CanCreateConvention(a) || (post && !s.validCSRF(r)) {
		s.forbidden(w, r)
		return nil
	}
	return a
}

func (s *Server) renderNewConv(w http.ResponseWriter, r *http.Request, status int, d newConvData) {
	title := "Nouvelle convention"
	if d.Proposal != nil {
		title = "Nouvelle convention — " + d.Proposal.Match.EPCI.Name
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "newconv.html", page{Title: title, Data: d})
}

// newConventionPage is the wizard: the search of the intercommunality
// (?q=), then the convention proposed for the one chosen (?epci=SIREN).
func (s *Server) newConventionPage(w http.ResponseWriter, r *http.Request) {
	a := s.newConvActor(w, r, false)
	if a == nil {
		return
	}
	q := r.URL.Query()
	if siren := strings.TrimSpace(q.Get("epci")); siren != "" {
		p, err := s.app.ProposeConvention(r.Context(), a, siren)
		var ve *model.ValidationError
		if errors.As(err, &ve) {
			s.renderNewConv(w, r, http.StatusNotFound, newConvData{Errors: map[string]string{"epci": ve.Errors[0].Message}})
			return
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		in := p.Input
		f := newConvForm{EPCI: in.EPCI.SIREN, CafName: in.Caf.Name, CafShort: in.Caf.ShortName, CafSIREN: in.Caf.SIREN, MSAName: in.MSA.Name,
			Start: in.Start.String(), End: in.End.String(),
			Title: in.Title, Slug: in.Slug, CafSigns: true, EPCISigns: true, Communes: map[string]bool{}, Articles: in.Articles}
		for _, c := range in.Communes {
			f.Communes[c] = true
		}
		d := newConvData{Proposal: p, Form: f, Errors: map[string]string{}}
		if p.SlugTaken {
			d.Errors["slug"] = "Identifiant : « " + in.Slug + " » est déjà celui d'une convention ; choisissez-en un autre"
		}
		s.renderNewConv(w, r, http.StatusOK, d)
		return
	}
	d := newConvData{Query: strings.TrimSpace(q.Get("q"))}
	if d.Query != "" {
		d.Searched = true
		var err error
		if d.Matches, err = s.app.SearchEPCI(a, d.Query); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.renderNewConv(w, r, http.StatusOK, d)
}

// createConvention creates the convention of step 2, then opens it.
func (s *Server) createConvention(w http.ResponseWriter, r *http.Request) {
	a := s.newConvActor(w, r, true)
	if a == nil {
		return
	}
	f := newConvForm{EPCI: strings.TrimSpace(r.PostFormValue("epci")), CafName: r.PostFormValue("caf_nom"), CafShort: r.PostFormValue("caf_court"),
		CafSIREN: r.PostFormValue("caf_siren"), MSAName: r.PostFormValue("msa_nom"), Start: r.PostFormValue("debut"), End: r.PostFormValue("fin"),
		Title: r.PostFormValue("titre"), Slug: r.PostFormValue("identifiant"),
		CafSigns: r.PostFormValue("partie_caf") != "", EPCISigns: r.PostFormValue("partie_epci") != "", Communes: map[string]bool{}}
	communes := []string{}
	for _, c := range r.PostForm["commune"] {
		f.Communes[c] = true
		communes = append(communes, c)
	}
	for i := range r.PostForm["article_numero"] {
		n, err := strconv.Atoi(r.PostForm["article_numero"][i])
		if err != nil {
			n = 0
		}
		f.Articles = append(f.Articles, model.Article{Number: n, Title: formAt(r, "article_titre", i), Text: strings.ReplaceAll(formAt(r, "article_texte", i), "\r\n", "\n")})
	}
	p, err := s.app.ProposeConvention(r.Context(), a, f.EPCI)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	in := app.NewConventionInput{EPCI: f.EPCI, Caf: newconv.Org{Name: f.CafName, ShortName: f.CafShort, SIREN: f.CafSIREN}, MSA: newconv.Org{Name: f.MSAName},
		Start: f.Start, End: f.End, Slug: f.Slug, Title: f.Title, WithoutCaf: !f.CafSigns, WithoutEPCI: !f.EPCISigns,
		Communes: communes, WithoutCommunes: len(communes) == 0, Articles: f.Articles}
	if in.Articles == nil {
		in.Articles = []model.Article{}
	}
	c, err := s.app.NewConvention(r.Context(), a, in)
	var ve *model.ValidationError
	switch {
	case err == nil:
		setFlash(w, r, "Convention « "+c.Title+" » créée en projet : complétez-la (représentant·es, délibérations, diagnostic, plan d'actions…) ; la page Contrôles dit ce qui manque.")
		http.Redirect(w, r, "/c/"+url.PathEscape(c.Slug), http.StatusSeeOther)
	case errors.As(err, &ve):
		d := newConvData{Proposal: p, Form: f, Errors: map[string]string{}}
		for _, fe := range ve.Errors {
			path := fe.Path
			if _, ok := d.Errors[path]; ok {
				d.Errors[path] += " ; " + fe.Message
				continue
			}
			d.Errors[path] = fe.Message
		}
		s.renderNewConv(w, r, http.StatusUnprocessableEntity, d)
	default:
		s.pageError(w, r, err)
	}
}

// formAt is the i-th value of a repeated form field, or "".
func formAt(r *http.Request, name string, i int) string {
	if v := r.PostForm[name]; i < len(v) {
		return v[i]
	}
	return ""
}

// newConventionJSON is the body of POST /api/v1/conventions.
type newConventionJSON struct {
	EPCI            string      `json:"epci"`
	Caf             newconv.Org `json:"caf"`
	MSA             newconv.Org `json:"msa"`
	Start           string      `json:"start"`
	End             string      `json:"end"`
	Slug            string      `json:"slug"`
	Title           string      `json:"title"`
	WithoutCommunes bool        `json:"without_communes"`
	Communes        []string    `json:"communes"`
}

const newConventionShape = `{"epci": "nom, SIREN ou commune", "caf": {"name": "…", "short_name": "la Caf", "siren": "…"}, "msa": {"name": "…"}, "start": "AAAA-MM-JJ", "end": "AAAA-MM-JJ", "slug": "…", "title": "…", "without_communes": false, "communes": ["04104"]}`

// apiNewConvention creates a convention in draft for an intercommunality.
func (s *Server) apiNewConvention(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var in newConventionJSON
	if !decodeBody(w, r, &in, newConventionShape) {
		return
	}
	c, err := s.app.NewConvention(r.Context(), a, app.NewConventionInput{EPCI: in.EPCI, Caf: in.Caf, MSA: in.MSA, Start: in.Start, End: in.End,
		Slug: in.Slug, Title: in.Title, Communes: in.Communes, WithoutCommunes: in.WithoutCommunes})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loc := "/api/v1/conventions/" + url.PathEscape(c.Slug)
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, map[string]any{"slug": c.Slug, "title": c.Title, "location": loc, "page": "/c/" + url.PathEscape(c.Slug)})
}
