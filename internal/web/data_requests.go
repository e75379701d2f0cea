package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// dataRequestRow is a request in the list.
type dataRequestRow struct {
	ID, Title, Requester, Holder, State, FiledOn string
}

// dataRequestTable is a table of requests, linked to their pages.
type dataRequestTable struct {
	Slug string
	Rows []dataRequestRow
}

type dataRequestsData struct {
	// Mine are the requests addressed to the DPO's organization, still to
	// study or to give an opinion on; All are every request.
	Mine, All dataRequestTable
	DPOOf     string
	CanFile   bool
	// NotParty names the contributor's organization when it is not a
	// party: article 7 is between the parties.
	NotParty string
}

// fileableParties lists the parties the actor may file a request for.
func fileableParties(a *auth.Actor, c *model.Convention) []option {
	var out []option
	for _, p := range c.Parties {
		if app.CanFileDataRequest(a, c.Slug, p.Organization) {
			out = append(out, option{p.Organization, c.OrgName(p.Organization)})
		}
	}
	return out
}

func dataRequestRowOf(c *model.Convention, r *model.DataRequest) dataRequestRow {
	return dataRequestRow{ID: r.ID, Title: r.Title, Requester: c.OrgName(r.Requester), Holder: c.OrgName(r.Holder),
		State: model.DataRequestStateLabels[r.State], FiledOn: textutil.FrenchDate(r.FiledOn)}
}

// dataRequestsPage lists the data-exchange requests of a convention, those
// a DPO has to study first.
func (s *Server) dataRequestsPage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, list, err := s.app.DataRequests(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, a)
	d := dataRequestsData{CanFile: v.At == nil && v.WorkingCopy == nil && len(fileableParties(a, c)) > 0,
		Mine: dataRequestTable{Slug: c.Slug}, All: dataRequestTable{Slug: c.Slug}}
	m := a.Memberships[c.Slug]
	if m.Role == auth.RoleDPO {
		d.DPOOf = c.OrgName(m.Organization)
	}
	if m.Role == auth.RoleContributor && !slices.ContainsFunc(c.Parties, func(p model.Party) bool { return p.Organization == m.Organization }) {
		d.NotParty = c.OrgName(m.Organization)
	}
	for i := range list {
		x := &list[i]
		row := dataRequestRowOf(c, x)
		if m.Role == auth.RoleDPO && x.Holder == m.Organization && (x.State == model.DataRequestFiled || x.State == model.DataRequestInStudy) {
			d.Mine.Rows = append(d.Mine.Rows, row)
		}
		d.All.Rows = append(d.All.Rows, row)
	}
	s.render(w, r, http.StatusOK, "data_requests.html", page{Title: "Échanges de données personnelles", Conv: v, Nav: "governance", Data: d})
}

// dataRequestForm is the form of a new request.
type dataRequestForm struct {
	CSRF       string
	In         app.DataRequestInput
	Errors     map[string]string
	Requesters []option
	Holders    []option
	Bases      []option
}

func (s *Server) renderDataRequestForm(w http.ResponseWriter, r *http.Request, status int, c *model.Convention, f *dataRequestForm) {
	a := actorOf(r)
	f.CSRF, f.Requesters = csrfOf(r), fileableParties(a, c)
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	for _, p := range c.Parties {
		f.Holders = append(f.Holders, option{p.Organization, c.OrgName(p.Organization)})
	}
	for _, b := range model.GDPRBases {
		f.Bases = append(f.Bases, option{string(b), model.GDPRBasisLabels[b]})
	}
	s.render(w, r, status, "data_request_new.html", page{Title: "Demander un échange de données", Conv: newConvView(c, a), Nav: "governance", Data: f})
}

func (s *Server) newDataRequest(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, err := s.app.Convention(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(fileableParties(a, c)) == 0 {
		s.forbidden(w, r)
		return
	}
	s.renderDataRequestForm(w, r, http.StatusOK, c, &dataRequestForm{})
}

func (s *Server) createDataRequest(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	in := app.DataRequestInput{Requester: r.PostFormValue("requester"), Holder: r.PostFormValue("holder"), Title: r.PostFormValue("title"),
		DataCategories: r.PostFormValue("data_categories"), Purpose: r.PostFormValue("purpose"), LegalBasis: r.PostFormValue("legal_basis"),
		Persons: r.PostFormValue("persons"), Retention: r.PostFormValue("retention"), Recipients: r.PostFormValue("recipients"),
		Transfers: r.PostFormValue("transfers_outside_eu") == "oui", TransferDetail: r.PostFormValue("transfer_detail"),
		Security: r.PostFormValue("security_measures")}
	x, err := s.app.FileDataRequest(r.Context(), a, slug, in)
	if err != nil {
		var ve *model.ValidationError
		if c, cerr := s.app.Convention(r.Context(), a, slug); cerr == nil && errors.As(err, &ve) {
			f := &dataRequestForm{In: in, Errors: map[string]string{}}
			meetingFieldErrors(err, f.Errors)
			s.renderDataRequestForm(w, r, http.StatusUnprocessableEntity, c, f)
			return
		}
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, "Demande déposée : le·la délégué·e à la protection des données de "+orgNameIn(s, r, slug, x.Holder)+" en est averti·e.")
	http.Redirect(w, r, "/c/"+slug+"/echanges-donnees/"+x.ID, http.StatusSeeOther)
}

// orgNameIn names an organization of a convention the actor reads.
func orgNameIn(s *Server, r *http.Request, slug, key string) string {
	c, err := s.app.Convention(r.Context(), actorOf(r), slug)
	if err != nil {
		return key
	}
	return c.OrgName(key)
}

// dataRequestData is the page of one request.
type dataRequestData struct {
	Request                     *model.DataRequest
	Requester, Holder           string
	State, LegalBasis, Opinion  string
	FiledOn, StudyOn, OpinionOn string
	DecidedOn, ImplementedOn    string
	CSRF                        string
	CanStudy, CanDecide         bool
	Opinions                    []option
	Errors                      map[string]string
	Step                        app.DataRequestStep
	Steps                       []stepView
	Filed, InStudy, HasOpinion  bool
	Accepted                    bool
	// Orphans are the messages of fields no form on the page shows (a
	// step out of order).
	Orphans []string
}

// stepView is one step of the procedure, done or not.
type stepView struct {
	Label, Detail string
	Done, Current bool
}

func frenchDateOf(d *model.Date) string {
	if d == nil {
		return ""
	}
	return textutil.FrenchDate(*d)
}

func (s *Server) dataRequestPage(w http.ResponseWriter, r *http.Request) {
	s.renderDataRequest(w, r, http.StatusOK, nil, app.DataRequestStep{})
}

func (s *Server) renderDataRequest(w http.ResponseWriter, r *http.Request, status int, errs map[string]string, step app.DataRequestStep) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, x, err := s.app.DataRequest(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, a)
	if errs == nil {
		errs = map[string]string{}
	}
	d := dataRequestData{Request: x, Requester: c.OrgName(x.Requester), Holder: c.OrgName(x.Holder), State: model.DataRequestStateLabels[x.State],
		LegalBasis: model.GDPRBasisLabels[x.LegalBasis], Opinion: model.DPOOpinionLabels[x.Opinion], FiledOn: textutil.FrenchDate(x.FiledOn),
		StudyOn: frenchDateOf(x.StudyOn), OpinionOn: frenchDateOf(x.OpinionOn), DecidedOn: frenchDateOf(x.DecidedOn),
		ImplementedOn: frenchDateOf(x.ImplementedOn), CSRF: csrfOf(r), Errors: errs, Step: step,
		CanStudy: v.At == nil && app.CanStudyDataRequest(a, c.Slug, x.Holder), CanDecide: v.At == nil && app.CanDecideDataRequest(a, c.Slug, x.Holder),
		Filed: x.State == model.DataRequestFiled, InStudy: x.State == model.DataRequestInStudy, HasOpinion: x.State == model.DataRequestOpinion,
		Accepted: x.State == model.DataRequestAccepted}
	shown := map[string]bool{}
	if d.CanStudy && d.InStudy {
		for _, f := range []string{"opportunity", "feasibility", "compliance", "opinion", "opinion_text", "recommendations"} {
			shown[f] = true
		}
	}
	if d.CanDecide && d.HasOpinion {
		shown["decision"], shown["decision_note"] = true, true
	}
	if d.CanDecide && d.Accepted {
		shown["implemented_on"] = true
	}
	for f, msg := range errs {
		if !shown[f] {
			d.Orphans = append(d.Orphans, msg)
		}
	}
	for _, o := range model.DPOOpinions {
		d.Opinions = append(d.Opinions, option{string(o), model.DPOOpinionLabels[o]})
	}
	order := map[model.DataRequestState]int{model.DataRequestFiled: 0, model.DataRequestInStudy: 1, model.DataRequestOpinion: 2,
		model.DataRequestAccepted: 3, model.DataRequestRefused: 3, model.DataRequestImplemented: 4}
	at := order[x.State]
	decision := "Décision de " + d.Holder
	if x.State == model.DataRequestAccepted || x.State == model.DataRequestRefused || x.State == model.DataRequestImplemented {
		decision += " : " + map[bool]string{true: "refusée", false: "acceptée"}[x.State == model.DataRequestRefused]
	}
	for i, st := range []struct{ label, detail string }{
		{"Demande déposée", "le " + d.FiledOn + " par " + x.FiledBy},
		{"Étude par le·la DPO de " + d.Holder, d.StudyOn},
		{"Avis du DPO", d.Opinion},
		{decision, d.DecidedOn},
		{"Mise en œuvre", d.ImplementedOn},
	} {
		d.Steps = append(d.Steps, stepView{Label: st.label, Detail: st.detail, Done: i <= at, Current: i == at})
	}
	s.render(w, r, status, "data_request.html", page{Title: x.Title, Conv: v, Nav: "governance", Data: d})
}

// dataRequestSteps maps the steps of the pages' addresses to the service's.
var dataRequestSteps = map[string]string{"etude": app.StepStudy, "avis": app.StepOpinion, "decision": app.StepDecision,
	"mise-en-oeuvre": app.StepImplementation}

func (s *Server) advanceDataRequest(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	step, ok := dataRequestSteps[r.PathValue("step")]
	if !ok {
		s.notFound(w, r)
		return
	}
	in := app.DataRequestStep{Opportunity: r.PostFormValue("opportunity"), Feasibility: r.PostFormValue("feasibility"),
		Compliance: r.PostFormValue("compliance"), Opinion: r.PostFormValue("opinion"), OpinionText: r.PostFormValue("opinion_text"),
		Recommendations: r.PostFormValue("recommendations"), Decision: r.PostFormValue("decision"), DecisionNote: r.PostFormValue("decision_note"),
		ImplementedOn: r.PostFormValue("implemented_on")}
	in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	slug, id := r.PathValue("slug"), r.PathValue("id")
	_, err := s.app.AdvanceDataRequest(r.Context(), a, slug, id, step, in)
	if err != nil {
		errs := map[string]string{}
		if meetingFieldErrors(err, errs) {
			s.renderDataRequest(w, r, http.StatusUnprocessableEntity, errs, in)
			return
		}
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, map[string]string{app.StepStudy: "Étude ouverte.", app.StepOpinion: "Avis enregistré : la personne qui a déposé la demande en est avertie.",
		app.StepDecision: "Décision enregistrée.", app.StepImplementation: "Mise en œuvre enregistrée : l'échange figure au registre des traitements."}[step])
	http.Redirect(w, r, "/c/"+slug+"/echanges-donnees/"+id, http.StatusSeeOther)
}

// registerData is the page of the Art. 30 register.
type registerData struct {
	Entries      []registerEntryView
	Organization string
	Choices      []option
	Query        string
}

type registerEntryView struct {
	Heading string
	Fields  [][2]string
}

// register reads the Art. 30 register a page asks for (filtered by the
// organization its query names); nil when the answer is already written.
func (s *Server) register(w http.ResponseWriter, r *http.Request) (a *auth.Actor, c *model.Convention, entries []app.RegisterEntry, org string) {
	if a = s.signedIn(w, r); a == nil {
		return nil, nil, nil, ""
	}
	org = r.URL.Query().Get("organisation")
	c, entries, err := s.app.Register(r.Context(), a, r.PathValue("slug"), org)
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil, nil, ""
	}
	return a, c, entries, org
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	a, c, entries, org := s.register(w, r)
	if c == nil {
		return
	}
	d := registerData{Organization: org}
	if org != "" {
		d.Query = "?" + url.Values{"organisation": {org}}.Encode()
	}
	for _, p := range c.Parties {
		d.Choices = append(d.Choices, option{p.Organization, c.OrgName(p.Organization)})
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, registerEntryView{Heading: e.Controller + " — " + e.Title, Fields: e.Fields()})
	}
	s.render(w, r, http.StatusOK, "register.html", page{Title: "Registre des traitements (article 30 du RGPD)", Conv: newConvView(c, a), Nav: "governance", Data: d})
}

func (s *Server) registerCSV(w http.ResponseWriter, r *http.Request) {
	_, c, entries, _ := s.register(w, r)
	if c == nil {
		return
	}
	var header []string
	var rows [][]string
	for i, e := range entries {
		var row []string
		for _, f := range e.Fields() {
			if i == 0 {
				header = append(header, f[0])
			}
			row = append(row, f[1])
		}
		rows = append(rows, row)
	}
	if header == nil {
		for _, f := range (app.RegisterEntry{}).Fields() {
			header = append(header, f[0])
		}
	}
	writeCSV(w, c.Slug+"-registre-art30.csv", header, rows)
}

func (s *Server) registerPDF(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	data, err := s.app.RegisterPDF(r.Context(), a, slug, r.URL.Query().Get("organisation"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", attachment(slug+"-registre-art30.pdf"))
	_, _ = w.Write(data)
}

// apiDataRequests lists a convention's data-exchange requests.
func (s *Server) apiDataRequests(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, list, err := s.app.DataRequests(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		DataRequests []model.DataRequest `json:"data_requests"`
	}{list})
}

func (s *Server) apiDataRequest(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, x, err := s.app.DataRequest(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}

func (s *Server) apiFileDataRequest(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var in app.DataRequestInput
	if !decodeBody(w, r, &in, `{"requester": "cc-pflm", "holder": "caf04", "title": "…", "data_categories": "…", "purpose": "…", "legal_basis": "public_task", "persons": "…", "retention": "…", "recipients": "…", "transfers_outside_eu": false, "security_measures": "…"}`) {
		return
	}
	x, err := s.app.FileDataRequest(r.Context(), a, r.PathValue("slug"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/conventions/"+r.PathValue("slug")+"/data-requests/"+x.ID)
	writeJSON(w, http.StatusCreated, x)
}

func (s *Server) apiAdvanceDataRequest(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	step := r.PathValue("step")
	if _, ok := map[string]bool{app.StepStudy: true, app.StepOpinion: true, app.StepDecision: true, app.StepImplementation: true}[step]; !ok {
		s.writeError(w, r, model.ErrNotFound)
		return
	}
	var in app.DataRequestStep
	if !decodeBody(w, r, &in, `{"version": 2, "opportunity": "…", "feasibility": "…", "compliance": "…", "opinion": "favorable", "opinion_text": "…"}`) {
		return
	}
	x, err := s.app.AdvanceDataRequest(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), step, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, x)
}
