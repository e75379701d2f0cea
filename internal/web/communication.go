package web

import (
	"bytes"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// communicationData is the page « Supports communs » (article 8).
type communicationData struct {
	Article *model.Article
	// PartyTable holds the parties' logos, in the order of the parties;
	// OtherTable the logos of the other organizations that have one.
	PartyTable logoTable
	OtherTable *logoTable
	// Missing names the parties without a logo.
	Missing []string
	HasLogo bool
	// Upload lists the organizations whose logo the viewer may change.
	Upload   []option
	Events   []eventView
	NewEvent *eventForm
	CSRF     string
	// Error says why the last form was refused.
	Error string
}

type logoTable struct {
	Caption, Slug, CSRF string
	Rows                []logoRow
}

type logoRow struct {
	Key, Name string
	Logo      *model.Logo
	CanChange bool
}

// Size is the logo's size in French units.
func (r logoRow) Size() string { return document.SizeText(r.Logo.Size) }

// Type names the logo's type: "PNG", "SVG".
func (r logoRow) Type() string {
	if r.Logo.ContentType == document.SVG {
		return "SVG"
	}
	return document.TypeName(r.Logo.ContentType)
}

type eventView struct {
	model.EventRequest
	KindLabel, Label, Subject, SubjectLink, Proposed, Other string
	Organizer, Financer, DateState, CharterState            string
	// State and StateLabel say where the request stands as a whole;
	// StateClass colours it.
	State                       model.EventState
	StateLabel, StateClass      string
	CanAnswer                   bool
	DateChoices, CharterChoices []option
	// CanAcceptOther: the organizer's side may accept the date the
	// financer proposed instead; CanPropose: it may propose another date.
	CanAcceptOther, CanPropose bool
	// Edit is the form that changes every field, for editors and
	// administrators.
	Edit *eventForm
}

type eventForm struct {
	Organizations, Kinds, Subjects, Financers []option
	In                                        app.EventRequestInput
	Subject                                   string
	// DefaultFinancer names the Caf party, the financer of the events a
	// contributor declares (Financers is empty for them).
	DefaultFinancer string
	// Prefix makes the ids of the form's fields unique on the page.
	Prefix string
}

// eventStateClass colours a request's state.
func eventStateClass(st model.EventState) string {
	switch st {
	case model.EventGranted:
		return "ok"
	case model.EventToReview:
		return "warn"
	case model.EventLapsed:
		return "bad"
	}
	return ""
}

// eventJSON is an event request as the API sends it, with its state.
type eventJSON struct {
	model.EventRequest
	State model.EventState `json:"state"`
}

func (s *Server) communicationPage(w http.ResponseWriter, r *http.Request) {
	s.renderCommunication(w, r, http.StatusOK, "", nil)
}

// renderCommunication shows the page, with why a form was refused and
// what it held when it was.
func (s *Server) renderCommunication(w http.ResponseWriter, r *http.Request, status int, refused string, typed *app.EventRequestInput) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	a := actorOf(r)
	_, logos, err := s.app.Logos(r.Context(), a, v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	_, events, err := s.app.EventRequests(r.Context(), a, v.Slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	c := v.Convention
	d := &communicationData{Article: app.CommunicationArticle(c), CSRF: csrfOf(r), Error: refused, HasLogo: len(logos) > 0}
	byOrg := map[string]*model.Logo{}
	for i := range logos {
		byOrg[logos[i].Organization] = &logos[i]
	}
	d.PartyTable = logoTable{Caption: "Logos des parties signataires", Slug: v.Slug, CSRF: d.CSRF}
	var others []logoRow
	party := map[string]bool{}
	writable := v.At == nil
	for _, p := range c.Parties {
		party[p.Organization] = true
		row := logoRow{Key: p.Organization, Name: c.OrgName(p.Organization), Logo: byOrg[p.Organization],
			CanChange: writable && app.CanChangeLogo(a, v.Slug, p.Organization)}
		d.PartyTable.Rows = append(d.PartyTable.Rows, row)
		if row.Logo == nil {
			d.Missing = append(d.Missing, row.Name)
		}
	}
	for _, o := range c.Organizations {
		if !party[o.Key] && byOrg[o.Key] != nil {
			others = append(others, logoRow{Key: o.Key, Name: o.Name, Logo: byOrg[o.Key], CanChange: writable && app.CanChangeLogo(a, v.Slug, o.Key)})
		}
	}
	if len(others) > 0 {
		d.OtherTable = &logoTable{Caption: "Logos des autres organisations", Slug: v.Slug, CSRF: d.CSRF, Rows: others}
	}
	for _, o := range c.Organizations {
		if writable && app.CanChangeLogo(a, v.Slug, o.Key) {
			d.Upload = append(d.Upload, option{o.Key, o.Name})
		}
	}
	today := s.today(r)
	for _, x := range events {
		ev := eventView{EventRequest: x, KindLabel: model.PublicEventKindLabels[x.Kind], Label: app.EventLabel(c, &x), Subject: app.EventSubjectLabel(&x),
			Proposed: textutil.FrenchDate(x.ProposedDate), Organizer: c.OrgName(x.Organization), Financer: c.OrgName(x.Financer),
			DateState: model.DateAgreementLabels[x.Date], CharterState: model.CharterAgreementLabels[x.Charter],
			CanAnswer: writable && app.CanAnswerEvent(a, v.Slug, &x), State: x.StateOn(today)}
		ev.StateLabel, ev.StateClass = model.EventStateLabels[ev.State], eventStateClass(ev.State)
		ev.CanPropose = writable && app.CanRequestEvent(a, v.Slug, x.Organization)
		ev.CanAcceptOther = ev.CanPropose && x.Date == model.DateOther && x.OtherDate != nil
		if x.SubjectKind == model.SubjectFiche {
			ev.SubjectLink = "/c/" + v.Slug + "/fiches/" + x.SubjectKey
		}
		if x.OtherDate != nil {
			ev.Other = textutil.FrenchDate(*x.OtherDate)
		}
		for _, k := range model.DateAgreements[1:] {
			ev.DateChoices = append(ev.DateChoices, option{string(k), model.DateAgreementLabels[k]})
		}
		for _, k := range model.CharterAgreements[1:] {
			ev.CharterChoices = append(ev.CharterChoices, option{string(k), model.CharterAgreementLabels[k]})
		}
		d.Events = append(d.Events, ev)
	}
	f := &eventForm{In: app.EventRequestInput{Kind: string(model.EventInauguration), Financer: app.CafParty(c)}, Prefix: "ev"}
	if typed != nil {
		f.In = *typed
		if f.In.SubjectKind != "" {
			f.Subject = f.In.SubjectKind + "|" + f.In.SubjectKey
		}
	}
	for _, o := range c.Organizations {
		if writable && app.CanRequestEvent(a, v.Slug, o.Key) {
			f.Organizations = append(f.Organizations, option{o.Key, o.Name})
		}
	}
	if caf := app.CafParty(c); caf != "" {
		f.DefaultFinancer = c.OrgName(caf)
	}
	for _, p := range c.Parties {
		if app.CanChooseFinancer(a, v.Slug) {
			f.Financers = append(f.Financers, option{p.Organization, c.OrgName(p.Organization)})
		}
	}
	for _, k := range model.PublicEventKinds {
		f.Kinds = append(f.Kinds, option{string(k), upperFirst(model.PublicEventKindLabels[k])})
	}
	for _, ax := range c.Axes {
		for _, fi := range ax.Fiches {
			f.Subjects = append(f.Subjects, option{"fiche|" + fi.Code, "Fiche " + fi.Code + " – " + fi.Title})
		}
	}
	for _, e := range app.EquipmentChoices(c) {
		f.Subjects = append(f.Subjects, option{"equipment|" + e.Key, "Équipement – " + e.Label})
	}
	if len(f.Organizations) > 0 {
		d.NewEvent = f
	}
	for i := range d.Events {
		x := &d.Events[i]
		if !writable || !app.CanChooseFinancer(a, v.Slug) {
			continue
		}
		edit := *f
		edit.Prefix = "ev-" + x.ID
		edit.In = app.EventRequestInput{Version: x.Version, Organization: x.Organization, Financer: x.Financer, Kind: string(x.Kind), Title: x.Title,
			SubjectKind: string(x.SubjectKind), SubjectKey: x.SubjectKey, ProposedDate: x.ProposedDate.String(), Place: x.Place}
		edit.Subject = ""
		if x.SubjectKind != "" {
			edit.Subject = string(x.SubjectKind) + "|" + x.SubjectKey
			if !slices.ContainsFunc(edit.Subjects, func(o option) bool { return o.Value == edit.Subject }) {
				// A subject saved before homonyms were told apart.
				edit.Subjects = append(slices.Clip(edit.Subjects), option{edit.Subject, x.Subject})
			}
		}
		x.Edit = &edit
	}
	s.render(w, r, status, "communication.html", page{Title: "Communication (article 8)", Conv: v, Nav: "governance", Data: d})
}

// communicationRefused shows the page again with why nothing was written,
// or the error page for what a form cannot fix.
func (s *Server) communicationRefused(w http.ResponseWriter, r *http.Request, err error, typed *app.EventRequestInput) {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		var msgs []string
		for _, e := range ve.Errors {
			msgs = append(msgs, e.Message)
		}
		s.renderCommunication(w, r, http.StatusUnprocessableEntity, "Rien n'a été enregistré : "+strings.Join(msgs, " ; ")+".", typed)
		return
	}
	s.pageError(w, r, err)
}

func (s *Server) communicationDone(w http.ResponseWriter, r *http.Request, msg, anchor string) {
	setFlash(w, r, msg)
	http.Redirect(w, r, "/c/"+r.PathValue("slug")+"/communication"+anchor, http.StatusSeeOther)
}

// uploadLogo stores the logo sent from the page.
func (s *Server) uploadLogo(w http.ResponseWriter, r *http.Request) {
	a := s.uploader(w, r)
	if a == nil {
		return
	}
	in := app.LogoInput{Organization: r.FormValue("organization")}
	file, header, err := r.FormFile("fichier")
	if err == nil {
		defer file.Close()
		in.Name, in.Content = header.Filename, file
	}
	l, err := s.app.PutLogo(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	s.communicationDone(w, r, "Logo enregistré : "+s.orgName(r, l.Organization)+".", "#logos")
}

// orgName names an organization of the convention of the request.
func (s *Server) orgName(r *http.Request, key string) string {
	c, err := s.app.Convention(r.Context(), actorOf(r), r.PathValue("slug"))
	if err != nil {
		return key
	}
	return c.OrgName(key)
}

// sendLogo answers with a logo, shown in place, of the type found in its
// bytes, which the browser must not second-guess. An SVG opened on its own
// may run nothing nor fetch anything: its policy allows inline styles only.
func sendLogo(w http.ResponseWriter, l *model.Logo, data []byte) {
	h := w.Header()
	h.Set("Content-Type", l.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": app.LogoFileName(l)}))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-cache")
	_, _ = w.Write(data)
}

func (s *Server) logoImage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	l, data, err := s.app.LogoFile(r.Context(), a, r.PathValue("slug"), r.PathValue("organization"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	sendLogo(w, l, data)
}

// logosZip sends every logo of the convention in one archive.
func (s *Server) logosZip(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	var b bytes.Buffer
	if err := s.app.WriteLogosZip(r.Context(), a, r.PathValue("slug"), &b); err != nil {
		s.pageError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", attachment(r.PathValue("slug")+"-logos.zip"))
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	_, _ = w.Write(b.Bytes())
}

func (s *Server) removeLogo(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	org := r.PathValue("organization")
	if err := s.app.RemoveLogo(r.Context(), a, r.PathValue("slug"), org); err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	s.communicationDone(w, r, "Logo retiré : "+s.orgName(r, org)+". L'historique garde son nom, sa taille et son empreinte.", "#logos")
}

// createEventRequest declares a public event from the page's form.
func (s *Server) createEventRequest(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	in := app.EventRequestInput{Organization: r.PostFormValue("organization"), Financer: r.PostFormValue("financer"), Kind: r.PostFormValue("kind"),
		Title: r.PostFormValue("title"), ProposedDate: r.PostFormValue("proposed_date"), Place: r.PostFormValue("place")}
	in.SubjectKind, in.SubjectKey, _ = strings.Cut(r.PostFormValue("subject"), "|")
	x, err := s.app.SaveEventRequest(r.Context(), a, r.PathValue("slug"), "", in)
	if err != nil {
		s.communicationRefused(w, r, err, &in)
		return
	}
	s.communicationDone(w, r, "Demande enregistrée : la Caf doit maintenant donner son accord sur la date et sur sa charte graphique.", "#evenement-"+x.ID)
}

// updateEventRequest changes an event request from the page: every
// field from an editor's form, the proposed date alone from the
// organizer's. The fields the form leaves out stay as they are.
func (s *Server) updateEventRequest(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	_, x, err := s.app.EventRequest(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := app.EventRequestInput{Version: version, Organization: x.Organization, Financer: x.Financer, Kind: string(x.Kind), Title: x.Title,
		SubjectKind: string(x.SubjectKind), SubjectKey: x.SubjectKey, ProposedDate: x.ProposedDate.String(), Place: x.Place}
	for name, field := range map[string]*string{"financer": &in.Financer, "kind": &in.Kind, "title": &in.Title, "proposed_date": &in.ProposedDate, "place": &in.Place} {
		if v, ok := r.PostForm[name]; ok && len(v) > 0 {
			*field = v[0]
		}
	}
	if v, ok := r.PostForm["subject"]; ok && len(v) > 0 {
		in.SubjectKind, in.SubjectKey, _ = strings.Cut(v[0], "|")
	}
	saved, err := s.app.SaveEventRequest(r.Context(), a, r.PathValue("slug"), x.ID, in)
	if err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	msg := "Demande modifiée."
	if saved.Date == model.DatePending && saved.Charter == model.CharterPending && app.EventChanged(x, saved) {
		msg = "Demande modifiée : la Caf doit à nouveau donner son accord sur la date et sur sa charte graphique."
	}
	s.communicationDone(w, r, msg, "#evenement-"+x.ID)
}

// acceptOtherDate makes the date the financer proposed the event's date.
func (s *Server) acceptOtherDate(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	x, err := s.app.AcceptOtherDate(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), version)
	if err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	s.communicationDone(w, r, "Date acceptée : la manifestation aura lieu le "+textutil.FrenchDate(x.ProposedDate)+".", "#evenement-"+x.ID)
}

func (s *Server) answerEventDate(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := app.DateAnswerInput{Version: version, Answer: r.PostFormValue("date_agreement"), OtherDate: r.PostFormValue("other_date"),
		Note: r.PostFormValue("date_note")}
	if _, err := s.app.AnswerEventDate(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), in); err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	s.communicationDone(w, r, "Réponse sur la date enregistrée.", "#evenement-"+r.PathValue("id"))
}

func (s *Server) answerEventCharter(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := app.CharterAnswerInput{Version: version, Answer: r.PostFormValue("charter_agreement"), Conditions: r.PostFormValue("charter_conditions")}
	if _, err := s.app.AnswerEventCharter(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), in); err != nil {
		s.communicationRefused(w, r, err, nil)
		return
	}
	s.communicationDone(w, r, "Réponse sur la charte graphique enregistrée.", "#evenement-"+r.PathValue("id"))
}

// apiLogos lists the logos of a convention, without their content.
func (s *Server) apiLogos(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, list, err := s.app.Logos(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"logos": list})
}

func (s *Server) apiLogo(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	l, data, err := s.app.LogoFile(r.Context(), a, r.PathValue("slug"), r.PathValue("organization"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sendLogo(w, l, data)
}

// apiUploadLogo stores a logo sent as multipart/form-data (fields file,
// organization).
func (s *Server) apiUploadLogo(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	if !apiUpload(w, r, "logo", app.MaxLogoSize, "file, organization") {
		return
	}
	in := app.LogoInput{Organization: r.FormValue("organization")}
	file, header, err := r.FormFile("file")
	if err == nil {
		defer file.Close()
		in.Name, in.Content = header.Filename, file
	}
	l, err := s.app.PutLogo(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/conventions/"+l.Convention+"/communication/logos/"+l.Organization)
	writeJSON(w, http.StatusCreated, l)
}

func (s *Server) apiRemoveLogo(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	if err := s.app.RemoveLogo(r.Context(), a, r.PathValue("slug"), r.PathValue("organization")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiEventRequests(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, list, err := s.app.EventRequests(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	today := s.today(r)
	out := make([]eventJSON, 0, len(list))
	for _, x := range list {
		out = append(out, eventJSON{EventRequest: x, State: x.StateOn(today)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"event_requests": out})
}

// eventCall answers an API call that changes an event request: its JSON
// body (example shows what to send) decoded into a T, then save, then
// the request as it stands.
func eventCall[T any](s *Server, example string, status int, save func(r *http.Request, in T) (*model.EventRequest, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if apiActor(w, r) == nil {
			return
		}
		var in T
		if !decodeBody(w, r, &in, example) {
			return
		}
		x, err := save(r, in)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if status == http.StatusCreated {
			w.Header().Set("Location", "/api/v1/conventions/"+x.Convention+"/communication/events/"+x.ID)
		}
		writeJSON(w, status, eventJSON{EventRequest: *x, State: x.StateOn(s.today(r))})
	}
}

func (s *Server) apiCreateEventRequest() http.HandlerFunc {
	return eventCall(s, `{"organization": "cordeliere", "kind": "inauguration", "title": "…", "proposed_date": "2025-06-14", "place": "…"}`,
		http.StatusCreated, func(r *http.Request, in app.EventRequestInput) (*model.EventRequest, error) {
			return s.app.SaveEventRequest(r.Context(), actorOf(r), r.PathValue("slug"), "", in)
		})
}

func (s *Server) apiUpdateEventRequest() http.HandlerFunc {
	return eventCall(s, `{"version": 1, "kind": "inauguration", "title": "…", "proposed_date": "2025-06-21", "place": "…"}`,
		http.StatusOK, func(r *http.Request, in app.EventRequestInput) (*model.EventRequest, error) {
			return s.app.SaveEventRequest(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in)
		})
}

func (s *Server) apiEventDate() http.HandlerFunc {
	return eventCall(s, `{"version": 1, "date_agreement": "other_date", "other_date": "2025-06-21", "date_note": "…"}`,
		http.StatusOK, func(r *http.Request, in app.DateAnswerInput) (*model.EventRequest, error) {
			return s.app.AnswerEventDate(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in)
		})
}

func (s *Server) apiEventCharter() http.HandlerFunc {
	return eventCall(s, `{"version": 2, "charter_agreement": "granted", "charter_conditions": "…"}`,
		http.StatusOK, func(r *http.Request, in app.CharterAnswerInput) (*model.EventRequest, error) {
			return s.app.AnswerEventCharter(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in)
		})
}
