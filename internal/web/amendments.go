package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/amend"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// versionDate reads ?a=AAAA-MM-JJ, the day whose version of the convention
// a page or the API shows; it answers a malformed date or a change asked
// on a past version itself, and returns false then.
func (s *Server) versionDate(w http.ResponseWriter, r *http.Request) (*http.Request, bool) {
	q := r.URL.Query().Get("a")
	if q == "" || !(strings.HasPrefix(r.URL.Path, "/c/") || strings.HasPrefix(r.URL.Path, "/api/v1/conventions/")) {
		return r, true
	}
	d, err := model.ParseDate(q)
	msg := ""
	switch {
	case err != nil:
		msg = fmt.Sprintf("la date « %s » de ?a= est invalide : format attendu AAAA-MM-JJ, par exemple ?a=2023-03-15", q)
	case !safeMethod(r.Method):
		msg = "une version à une date se lit seulement : retirez ?a= de l'adresse pour modifier la convention"
	}
	if msg != "" {
		if isAPI(r) {
			writeJSON(w, http.StatusBadRequest, apiError{Error: msg, Details: []model.FieldError{{Path: "a", Message: msg}}})
		} else {
			s.errorPage(w, r, http.StatusBadRequest, "Date invalide", upperFirst(msg)+".")
		}
		return r, false
	}
	return r.WithContext(app.OnDate(r.Context(), d)), true
}

// versionView says which version of the convention a page shows.
type versionView struct {
	Date    model.Date
	Version app.Version
}

// workingCopyView designates the avenant whose working copy a page shows.
type workingCopyView struct {
	Parent string
	Number int
}

// decorate tells the page of a convention whether it shows the working
// copy of an avenant or the version in force on a day (?a=).
func (s *Server) decorate(r *http.Request, v *convView) {
	if parent, n, ok := model.WorkingCopyOf(v.Slug); ok {
		v.WorkingCopy = &workingCopyView{Parent: parent, Number: n}
		return
	}
	d, ok := app.DateOf(r.Context())
	if !ok {
		return
	}
	ver, err := s.app.VersionOn(r.Context(), actorOf(r), v.Slug, d)
	if err != nil {
		s.log.Error("version à une date", "path", r.URL.Path, "error", err)
	}
	v.At = &versionView{Date: d, Version: ver}
}

var (
	convLink = textutil.LazyRegexp(`(<a [^>]*?)href="(/c/[^"#]*)(#[^"]*)?"`)
	convForm = textutil.LazyRegexp(`<form [^>]*?method="get" action="(/c/[^"?#]*)(?:#[^"]*)?"[^>]*>`)
)

// keepDate makes the links and the filter forms of a page read at a date
// that lead to the same convention keep ?a=, so that the reader stays on
// that day's version.
func keepDate(html []byte, slug string, d model.Date) []byte {
	prefix := "/c/" + slug
	html = convForm.ReplaceAllFunc(html, func(m []byte) []byte {
		path := string(convForm.FindSubmatch(m)[1])
		if path != prefix && !strings.HasPrefix(path, prefix+"/") {
			return m
		}
		// m is a slice of html: appending to it would write over what follows.
		return []byte(string(m) + `<input type="hidden" name="a" value="` + d.String() + `">`)
	})
	return convLink.ReplaceAllFunc(html, func(m []byte) []byte {
		sub := convLink.FindSubmatch(m)
		start, path, frag := string(sub[1]), string(sub[2]), string(sub[3])
		if strings.Contains(start, "data-today") || (path != prefix && !strings.HasPrefix(path, prefix+"/") && !strings.HasPrefix(path, prefix+"?")) {
			return m
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&amp;"
		}
		return []byte(start + `href="` + path + sep + "a=" + d.String() + frag + `"`)
	})
}

// amendmentsData is the avenants page.
type amendmentsData struct {
	List      []model.Amendment
	CanManage bool
	// CanPrepare: the convention is signed and no avenant is in the works.
	CanPrepare bool
	// Waiting says why no avenant can be prepared now, if one is pending.
	Waiting string
	Object  string
	Error   string
}

func (s *Server) amendments(w http.ResponseWriter, r *http.Request) {
	s.renderAmendments(w, r, http.StatusOK, "", "")
}

func (s *Server) renderAmendments(w http.ResponseWriter, r *http.Request, status int, object, msg string) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	list, err := s.app.Amendments(r.Context(), v.actor, v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	_, dated := app.DateOf(r.Context())
	d := amendmentsData{List: list, CanManage: app.CanManageAmendments(v.actor, v.Slug) && !dated, Object: object, Error: msg}
	d.CanPrepare = d.CanManage && v.Signature.Date != nil
	for _, x := range list {
		switch {
		case x.State == model.AmendmentDraft:
			d.CanPrepare = false
			d.Waiting = fmt.Sprintf("L'avenant n° %d est en préparation : signez-le ou abandonnez-le avant d'en préparer un autre.", x.Number)
		case x.State == model.AmendmentSigned && x.AppliedAt == nil && x.EffectiveOn != nil:
			d.CanPrepare = false
			d.Waiting = fmt.Sprintf("L'avenant n° %d prend effet le %s : le suivant se prépare à partir de cette date, sur le texte qu'il aura modifié.",
				x.Number, textutil.FrenchDate(*x.EffectiveOn))
		}
	}
	s.render(w, r, status, "amendments.html", page{Title: "Avenants", Conv: v, Nav: "amendments", Data: d})
}

func (s *Server) prepareAmendment(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, object := r.PathValue("slug"), r.PostFormValue("objet")
	x, err := s.app.PrepareAmendment(r.Context(), a, slug, object)
	if msg, status, ok := s.formFailure(r, err); ok {
		s.renderAmendments(w, r, status, object, msg)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, fmt.Sprintf("Avenant n° %d créé : modifiez sa copie de travail, puis enregistrez les autorisations et la signature.", x.Number))
	http.Redirect(w, r, fmt.Sprintf("/c/%s/avenants/%d", slug, x.Number), http.StatusSeeOther)
}

// formFailure turns what the service refused in a form (invalid input,
// a state that does not allow it) into the message shown above the
// form; ok is false for any other error.
func (s *Server) formFailure(r *http.Request, err error) (msg string, status int, ok bool) {
	var ve *model.ValidationError
	switch {
	case err == nil:
		return "", 0, false
	case errors.As(err, &ve):
		msgs := make([]string, len(ve.Errors))
		for i, e := range ve.Errors {
			msgs[i] = e.Message
		}
		return upperFirst(strings.Join(msgs, " ; ")) + ".", http.StatusUnprocessableEntity, true
	case errors.Is(err, model.ErrConflict), errors.Is(err, model.ErrStale):
		f := s.classify(r, err)
		return upperFirst(strings.TrimSuffix(f.message, " : "+model.ErrConflict.Error())) + ".", http.StatusConflict, true
	}
	return "", 0, false
}

// amendmentData is an avenant's page.
type amendmentData struct {
	*app.AmendmentDetail
	CanManage bool
	// Documents are the files attached to the avenant: the signed avenant.
	Documents documentBlock
	// Form holds what was typed in a form that was not saved, and its message.
	Form amendmentForm
}

type amendmentForm struct {
	// Which names the form: "signature", or the organization key of an authorization.
	Which, Error                 string
	SignedOn, Place, EffectiveOn string
	Authorization                app.AuthorizationInput
}

// PartyName names a party's organization.
func (d amendmentData) PartyName(key string) string {
	for _, o := range d.Organizations {
		if o.Key == key {
			return o.Name
		}
	}
	return key
}

// Typed returns the authorization form of a party: what was typed when it
// was not saved, else what is recorded.
func (d amendmentData) Typed(org string) app.AuthorizationInput {
	if d.Form.Which == org {
		return d.Form.Authorization
	}
	in := app.AuthorizationInput{Organization: org}
	if x := d.Authorization(org); x != nil {
		in.Body, in.Reference, in.PrefectureAcknowledgement = x.Body, x.Reference, x.PrefectureAcknowledgement
		if x.DecidedOn != nil {
			in.DecidedOn = x.DecidedOn.String()
		}
	}
	return in
}

func (s *Server) amendment(w http.ResponseWriter, r *http.Request) {
	s.renderAmendment(w, r, http.StatusOK, amendmentForm{})
}

func (s *Server) renderAmendment(w http.ResponseWriter, r *http.Request, status int, form amendmentForm) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	d, err := s.app.Amendment(r.Context(), v.actor, v.Slug, n)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	docs, err := s.app.Documents(r.Context(), v.actor, v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	_, dated := app.DateOf(r.Context())
	s.render(w, r, status, "amendment.html", page{Title: fmt.Sprintf("Avenant n° %d", n), Conv: v, Nav: "amendments",
		Data: amendmentData{AmendmentDetail: d, CanManage: app.CanManageAmendments(v.actor, v.Slug) && !dated, Form: form,
			Documents: s.ownerDocuments(r, v, docs, model.OwnerAmendment, strconv.Itoa(n), fmt.Sprintf("Documents de l'avenant n° %d", n))}})
}

func (s *Server) amendmentNumber(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		s.notFound(w, r)
	}
	return n, err == nil
}

// amendmentPost answers a form of avenant n° {number}: act does the work
// and says what to flash and where to go next; when it is refused, the
// avenant's page shows again with the form as typed and why.
func (s *Server) amendmentPost(w http.ResponseWriter, r *http.Request, act func(a *auth.Actor, slug string, n int) (form amendmentForm, flash, next string, err error)) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	n, ok := s.amendmentNumber(w, r)
	if !ok {
		return
	}
	form, flash, next, err := act(a, r.PathValue("slug"), n)
	if msg, status, ok := s.formFailure(r, err); ok {
		form.Error = msg
		s.renderAmendment(w, r, status, form)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, flash)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) saveAmendmentAuthorization(w http.ResponseWriter, r *http.Request) {
	s.amendmentPost(w, r, func(a *auth.Actor, slug string, n int) (amendmentForm, string, string, error) {
		in := app.AuthorizationInput{Organization: r.PostFormValue("organisation"), Body: r.PostFormValue("organe"), DecidedOn: r.PostFormValue("date"),
			Reference: r.PostFormValue("reference"), PrefectureAcknowledgement: r.PostFormValue("accuse")}
		_, err := s.app.SaveAmendmentAuthorization(r.Context(), a, slug, n, in)
		return amendmentForm{Which: in.Organization, Authorization: in}, "Autorisation enregistrée.", fmt.Sprintf("/c/%s/avenants/%d#autorisations", slug, n), err
	})
}

func (s *Server) signAmendment(w http.ResponseWriter, r *http.Request) {
	s.amendmentPost(w, r, func(a *auth.Actor, slug string, n int) (amendmentForm, string, string, error) {
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		in := app.SignatureInput{SignedOn: r.PostFormValue("date"), Place: r.PostFormValue("lieu"), EffectiveOn: r.PostFormValue("effet"), Version: version}
		form := amendmentForm{Which: "signature", SignedOn: in.SignedOn, Place: in.Place, EffectiveOn: in.EffectiveOn}
		x, err := s.app.SignAmendment(r.Context(), a, slug, n, in)
		if err != nil {
			return form, "", "", err
		}
		msg := fmt.Sprintf("Signature de l'avenant n° %d enregistrée : la convention est modifiée depuis le %s.", n, frenchDate(x.EffectiveOn))
		if x.AppliedAt == nil {
			msg = fmt.Sprintf("Signature de l'avenant n° %d enregistrée : la convention sera modifiée le %s.", n, frenchDate(x.EffectiveOn))
		}
		return form, msg, fmt.Sprintf("/c/%s/avenants/%d", slug, n), nil
	})
}

func (s *Server) abandonAmendment(w http.ResponseWriter, r *http.Request) {
	s.amendmentPost(w, r, func(a *auth.Actor, slug string, n int) (amendmentForm, string, string, error) {
		form := amendmentForm{Which: "abandon"}
		if app.CanManageAmendments(a, slug) && r.PostFormValue("confirmer") != "oui" {
			return form, "", "", &model.ValidationError{Errors: []model.FieldError{{Path: "confirmer",
				Message: "rien n'a été abandonné : cochez la case qui confirme l'abandon de l'avenant"}}}
		}
		version, _ := strconv.Atoi(r.PostFormValue("version"))
		_, err := s.app.AbandonAmendment(r.Context(), a, slug, n, version)
		return form, fmt.Sprintf("Avenant n° %d abandonné : sa copie de travail est supprimée.", n), fmt.Sprintf("/c/%s/avenants", slug), err
	})
}

// versionsData is the versions page: the list and a comparison.
type versionsData struct {
	Versions   []app.Version
	From, To   int
	Comparison *app.Comparison
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	list, err := s.app.Versions(r.Context(), v.actor, v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := versionsData{Versions: list, From: 0, To: list[len(list)-1].Number}
	q := r.URL.Query()
	if x, err := strconv.Atoi(q.Get("de")); err == nil {
		d.From = x
	}
	if x, err := strconv.Atoi(q.Get("vers")); err == nil {
		d.To = x
	}
	if d.From != d.To {
		if d.Comparison, err = s.app.CompareVersions(r.Context(), v.actor, v.Slug, d.From, d.To); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "versions.html", page{Title: "Versions de la convention", Conv: v, Nav: "amendments", Data: d})
}

// The JSON API of avenants.

type amendmentJSON struct {
	model.Amendment
	Changes []amend.Change `json:"changes"`
}

func toAmendmentJSON(d *app.AmendmentDetail) amendmentJSON {
	out := amendmentJSON{Amendment: d.Amendment, Changes: d.Changes}
	if out.Authorizations == nil {
		out.Authorizations = []model.AmendmentAuthorization{}
	}
	if out.Changes == nil {
		out.Changes = []amend.Change{}
	}
	return out
}

func (s *Server) apiAmendments(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	list, err := s.app.Amendments(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if list == nil {
		list = []model.Amendment{}
	}
	for i := range list {
		if list[i].Authorizations == nil {
			list[i].Authorizations = []model.AmendmentAuthorization{}
		}
	}
	writeJSON(w, http.StatusOK, struct {
		Amendments []model.Amendment `json:"amendments"`
	}{list})
}

// apiAmendmentReply answers with avenant n° n as it is now.
func (s *Server) apiAmendmentReply(w http.ResponseWriter, r *http.Request, status, n int) {
	d, err := s.app.Amendment(r.Context(), actorOf(r), r.PathValue("slug"), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, toAmendmentJSON(d))
}

func (s *Server) apiNumber(w http.ResponseWriter, r *http.Request) (int, bool) {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, apiError{Error: "avenant introuvable"})
	}
	return n, err == nil
}

func (s *Server) apiAmendment(w http.ResponseWriter, r *http.Request) {
	if apiActor(w, r) == nil {
		return
	}
	if n, ok := s.apiNumber(w, r); ok {
		s.apiAmendmentReply(w, r, http.StatusOK, n)
	}
}

func (s *Server) apiPrepareAmendment(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var req struct {
		Object string `json:"object"`
	}
	if !decodeBody(w, r, &req, `{"object": "objet de l'avenant"}`) {
		return
	}
	x, err := s.app.PrepareAmendment(r.Context(), a, r.PathValue("slug"), req.Object)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/conventions/%s/amendments/%d", x.Convention, x.Number))
	s.apiAmendmentReply(w, r, http.StatusCreated, x.Number)
}

// amendmentAction answers an API call acting on avenant n° {number}: its
// JSON body (example shows what to send) decoded into a T, then act, then
// the avenant as it stands.
func amendmentAction[T any](s *Server, example string, act func(r *http.Request, a *auth.Actor, n int, req T) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := apiActor(w, r)
		if a == nil {
			return
		}
		n, ok := s.apiNumber(w, r)
		if !ok {
			return
		}
		var req T
		if !decodeBody(w, r, &req, example) {
			return
		}
		if err := act(r, a, n, req); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.apiAmendmentReply(w, r, http.StatusOK, n)
	}
}

// apiAmendmentAuthorization records a party's authorization to sign.
func (s *Server) apiAmendmentAuthorization() http.HandlerFunc {
	type request struct {
		Body                      string `json:"body"`
		DecidedOn                 string `json:"decided_on"`
		Reference                 string `json:"reference"`
		PrefectureAcknowledgement string `json:"prefecture_acknowledgement"`
	}
	return amendmentAction(s, `{"body": "organe", "decided_on": "AAAA-MM-JJ", "reference": "…", "prefecture_acknowledgement": "…"}`,
		func(r *http.Request, a *auth.Actor, n int, req request) error {
			_, err := s.app.SaveAmendmentAuthorization(r.Context(), a, r.PathValue("slug"), n, app.AuthorizationInput{Organization: r.PathValue("organization"),
				Body: req.Body, DecidedOn: req.DecidedOn, Reference: req.Reference, PrefectureAcknowledgement: req.PrefectureAcknowledgement})
			return err
		})
}

// apiSignAmendment records the signature of an avenant.
func (s *Server) apiSignAmendment() http.HandlerFunc {
	type request struct {
		SignedOn    string `json:"signed_on"`
		Place       string `json:"place"`
		EffectiveOn string `json:"effective_on"`
		Version     int    `json:"version"`
	}
	return amendmentAction(s, `{"signed_on": "AAAA-MM-JJ", "place": "lieu", "effective_on": "AAAA-MM-JJ", "version": 1}`,
		func(r *http.Request, a *auth.Actor, n int, req request) error {
			_, err := s.app.SignAmendment(r.Context(), a, r.PathValue("slug"), n, app.SignatureInput{SignedOn: req.SignedOn, Place: req.Place,
				EffectiveOn: req.EffectiveOn, Version: req.Version})
			return err
		})
}

// apiAbandonAmendment abandons an avenant in preparation.
func (s *Server) apiAbandonAmendment() http.HandlerFunc {
	type request struct {
		Version int `json:"version"`
	}
	return amendmentAction(s, `{"version": 1}`, func(r *http.Request, a *auth.Actor, n int, req request) error {
		_, err := s.app.AbandonAmendment(r.Context(), a, r.PathValue("slug"), n, req.Version)
		return err
	})
}
