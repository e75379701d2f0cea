package web

import (
	"errors"
	"net/http"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// lifeData is the page « Vie de la convention »: its timeline and the
// forms that record its acts.
type lifeData struct {
	*app.Life
	Modes []model.TerminationMode
	// Renewal and Termination are the forms as typed, and their errors by
	// field ("" for the form as a whole).
	Renewal     app.RenewalInput
	Termination app.TerminationInput
	Errors      map[string]string
	// Failed names the form whose input was refused: "renewal", "termination".
	Failed string
}

// Err returns the error of a field, "" when none.
func (d lifeData) Err(field string) string { return d.Errors[field] }

func (s *Server) life(w http.ResponseWriter, r *http.Request) {
	s.renderLife(w, r, http.StatusOK, lifeData{})
}

func (s *Server) renderLife(w http.ResponseWriter, r *http.Request, status int, d lifeData) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	l, err := s.app.Life(r.Context(), a, r.PathValue("slug"), s.today(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Life, d.Modes = l, model.TerminationModes
	if d.Failed != "renewal" {
		d.Renewal = app.RenewalInput{Slug: l.NextSlug, Title: l.NextTitle, Start: l.NextPeriod.Start.String(), End: l.NextPeriod.End.String()}
	}
	v := newConvView(l.Convention, a)
	s.render(w, r, status, "life.html", page{Title: "Vie de la convention", Conv: v, Nav: "life", Data: d})
}

// lifeFailure shows the page again with the input kept and the errors
// next to their fields, or answers the failure that is no input error.
func (s *Server) lifeFailure(w http.ResponseWriter, r *http.Request, d lifeData, err error) {
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		s.pageError(w, r, err)
		return
	}
	d.Errors = map[string]string{}
	for _, fe := range ve.Errors {
		if _, ok := d.Errors[fe.Path]; !ok {
			d.Errors[fe.Path] = upperFirst(fe.Message) + "."
		}
	}
	s.renderLife(w, r, http.StatusUnprocessableEntity, d)
}

func (s *Server) lifeRenewal(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	in := app.RenewalInput{DecidedOn: r.PostFormValue("decided_on"), Acts: r.PostFormValue("acts"), Slug: r.PostFormValue("successor_slug"),
		Title: r.PostFormValue("successor_title"), Start: r.PostFormValue("successor_start"), End: r.PostFormValue("successor_end")}
	_, next, err := s.app.DecideRenewal(r.Context(), a, slug, in)
	if err != nil {
		s.lifeFailure(w, r, lifeData{Renewal: in, Failed: "renewal"}, err)
		return
	}
	setFlash(w, r, "Renouvellement enregistré : la convention suivante « "+next.Title+" » est créée en projet.")
	http.Redirect(w, r, "/c/"+slug+"/vie", http.StatusSeeOther)
}

func (s *Server) lifeTermination(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	in := app.TerminationInput{Mode: r.PostFormValue("mode"), Sender: r.PostFormValue("sender"), LetterOn: r.PostFormValue("letter_on"),
		ReceivedOn: r.PostFormValue("received_on"), References: r.PostFormValue("references")}
	t, err := s.app.RecordTermination(r.Context(), a, slug, in)
	if err != nil {
		s.lifeFailure(w, r, lifeData{Termination: in, Failed: "termination"}, err)
		return
	}
	setFlash(w, r, "Résiliation enregistrée : elle prend effet le "+textutil.FrenchDate(t.EffectiveOn)+".")
	http.Redirect(w, r, "/c/"+slug+"/vie", http.StatusSeeOther)
}

// actsJSON is the answer of GET …/acts: the acts, the state and the
// timeline of the day.
type actsJSON struct {
	model.LifecycleActs
	State  lifecycle.Standing `json:"state"`
	Events []lifecycle.Event  `json:"events"`
}

func (s *Server) apiActs(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	at, ok := s.apiDate(w, r)
	if !ok {
		return
	}
	l, err := s.app.Life(r.Context(), a, r.PathValue("slug"), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, actsJSON{LifecycleActs: l.Convention.Acts, State: l.State, Events: l.Events})
}

const renewalShape = `{"decided_on": "AAAA-MM-JJ", "acts": "délibérations…", "successor_slug": "…", "successor_title": "…", "successor_start": "AAAA-MM-JJ", "successor_end": "AAAA-MM-JJ"}`

func (s *Server) apiRenewal(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var in app.RenewalInput
	if !decodeBody(w, r, &in, renewalShape) {
		return
	}
	renewal, next, err := s.app.DecideRenewal(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"renewal": renewal, "successor": "/api/v1/conventions/" + next.Slug})
}

const terminationShape = `{"mode": "breach_of_obligations | breach_of_laws | change_without_avenant | mutual_consent", "sender": "clé de l'organisation", "letter_on": "AAAA-MM-JJ", "received_on": "AAAA-MM-JJ", "references": "…"}`

func (s *Server) apiTermination(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var in app.TerminationInput
	if !decodeBody(w, r, &in, terminationShape) {
		return
	}
	t, err := s.app.RecordTermination(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"termination": t})
}

// lifeField is one input of the page's forms, with its error.
type lifeField struct {
	Form, Name, Label, Type, Value, Hint, Error string
}

// Field describes an input of form ("renewal", "termination"), with the
// error of the field when that form was refused.
func (d lifeData) Field(form, name, label, typ, value, hint string) lifeField {
	f := lifeField{Form: form, Name: name, Label: label, Type: typ, Value: value, Hint: hint}
	if d.Failed == form {
		f.Error = d.Errors[name]
	}
	return f
}
