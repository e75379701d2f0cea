package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// option is one choice of a select.
type option struct{ Value, Label string }

func meetingStatusOptions() []option {
	var out []option
	for _, st := range model.MeetingStatuses {
		out = append(out, option{string(st), model.MeetingStatusLabels[st]})
	}
	return out
}

func attendanceOptions() []option {
	var out []option
	for _, st := range model.AttendanceStatuses {
		out = append(out, option{string(st), model.AttendanceStatusLabels[st]})
	}
	return out
}

func decisionObjectOptions() []option {
	var out []option
	for _, k := range model.DecisionObjects {
		out = append(out, option{string(k), model.DecisionObjectLabels[k]})
	}
	return out
}

// meetingRow is a meeting in the list.
type meetingRow struct {
	ID, Date, Time, Place, Status string
	Decisions, Actions            int
}

// committeeMeetings are a committee's meetings, next and past.
type committeeMeetings struct {
	Key, Name  string
	Next, Past meetingTable
}

// meetingTable is a table of meetings, linked to their pages.
type meetingTable struct {
	Slug string
	Rows []meetingRow
}

type meetingsData struct {
	Committees []committeeMeetings
	CanPlan    bool
}

func meetingRowOf(m *model.Meeting) meetingRow {
	row := meetingRow{ID: m.ID, Date: textutil.FrenchDate(m.Date), Time: textutil.FrenchClock(m.StartTime), Place: m.Place, Status: model.MeetingStatusLabels[m.Status],
		Decisions: len(m.Decisions)}
	for _, d := range m.Decisions {
		row.Actions += len(d.Actions)
	}
	return row
}

// meetingsPage lists the meetings of each committee, the next ones first
// by date, then the past ones, the latest first.
func (s *Server) meetingsPage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, list, err := s.app.Meetings(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, a)
	today := s.today(r)
	d := meetingsData{CanPlan: v.At == nil && app.CanPlanMeetings(a, v.Slug)}
	for _, k := range c.Committees {
		cm := committeeMeetings{Key: k.Key, Name: k.Name, Next: meetingTable{Slug: v.Slug}, Past: meetingTable{Slug: v.Slug}}
		for i := range list {
			m := &list[i]
			if m.Committee != k.Key {
				continue
			}
			if m.Date.Before(today) {
				cm.Past.Rows = append([]meetingRow{meetingRowOf(m)}, cm.Past.Rows...)
			} else {
				cm.Next.Rows = append(cm.Next.Rows, meetingRowOf(m))
			}
		}
		d.Committees = append(d.Committees, cm)
	}
	s.render(w, r, http.StatusOK, "meetings.html", page{Title: "Réunions des comités", Conv: v, Nav: "meetings", Data: d})
}

func (s *Server) meetingsCSV(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, list, err := s.app.Meetings(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var rows [][]string
	for i := range list {
		m := &list[i]
		name := m.Committee
		if k := app.Committee(c, m.Committee); k != nil {
			name = k.Name
		}
		present := 0
		for _, x := range m.Attendance {
			if x.Status != model.AttendanceExcused {
				present++
			}
		}
		row := meetingRowOf(m)
		rows = append(rows, []string{name, m.Date.String(), m.StartTime, m.Place, row.Status, strings.Join(m.Agenda, " | "),
			strconv.Itoa(present), strconv.Itoa(row.Decisions), strconv.Itoa(row.Actions)})
	}
	writeCSV(w, c.Slug+"-reunions.csv", []string{"Comité", "Date", "Heure", "Lieu", "Statut", "Ordre du jour", "Présents ou représentés",
		"Décisions", "Actions"}, rows)
}

// meetingForm is the form of a meeting's own fields, with what was typed
// and the errors by field when it was not saved.
type meetingForm struct {
	// Action is where the form goes; Full adds the status and the minutes.
	Action, CSRF string
	Full         bool
	ID           string
	// ProposedOn is the day the proposed agenda reads the convention on.
	ProposedOn string
	Version    int
	In         app.MeetingInput
	Agenda     string
	Errors     map[string]string
	Committees []option
	Statuses   []option
}

func newMeetingForm(c *model.Convention, in app.MeetingInput) *meetingForm {
	f := &meetingForm{In: in, Agenda: strings.Join(in.Agenda, "\n"), Errors: map[string]string{}, Statuses: meetingStatusOptions()}
	for _, k := range c.Committees {
		f.Committees = append(f.Committees, option{k.Key, k.Name})
	}
	return f
}

// meetingFieldErrors maps a validation error's messages by field; false when err
// is not one.
func meetingFieldErrors(err error, into map[string]string) bool {
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Errors {
		if _, ok := into[fe.Path]; !ok {
			into[fe.Path] = upperFirst(fe.Message) + "."
		}
	}
	return true
}

// newMeeting shows the form to plan a meeting, its agenda proposed from
// the convention's state on its day.
func (s *Server) newMeeting(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	c, err := s.app.Convention(r.Context(), a, slug)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !app.CanPlanMeetings(a, slug) {
		s.forbidden(w, r)
		return
	}
	in := app.MeetingInput{Committee: r.URL.Query().Get("comite"), Date: r.URL.Query().Get("date")}
	on := s.today(r)
	if d, err := model.ParseDate(in.Date); err == nil {
		on = d
	}
	if in.Committee == "" && len(c.Committees) > 0 {
		in.Committee = c.Committees[0].Key
	}
	lines, err := s.app.ProposedAgenda(r.Context(), a, slug, on)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	in.Agenda = lines
	f := newMeetingForm(c, in)
	f.ProposedOn = on.String()
	s.renderNewMeeting(w, r, http.StatusOK, c, f)
}

func (s *Server) renderNewMeeting(w http.ResponseWriter, r *http.Request, status int, c *model.Convention, f *meetingForm) {
	f.Action, f.CSRF = "/c/"+c.Slug+"/reunions", csrfOf(r)
	s.render(w, r, status, "meeting_new.html", page{Title: "Planifier une réunion", Conv: newConvView(c, actorOf(r)), Nav: "meetings", Data: f})
}

func meetingInputOf(r *http.Request) app.MeetingInput {
	return app.MeetingInput{Committee: r.PostFormValue("committee"), Date: r.PostFormValue("date"), StartTime: r.PostFormValue("start_time"),
		Place: r.PostFormValue("place"), Status: r.PostFormValue("status"), Agenda: []string{r.PostFormValue("agenda")},
		Minutes: r.PostFormValue("minutes")}
}

// createMeeting plans a meeting and opens its page, or shows the form
// again with what was typed and the errors beside their fields.
func (s *Server) createMeeting(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	in := meetingInputOf(r)
	m, err := s.app.SaveMeeting(r.Context(), a, slug, "", 0, in)
	if err != nil {
		var ve *model.ValidationError
		if c, cerr := s.app.Convention(r.Context(), a, slug); cerr == nil && errors.As(err, &ve) {
			f := newMeetingForm(c, in)
			meetingFieldErrors(err, f.Errors)
			f.Agenda = r.PostFormValue("agenda")
			s.renderNewMeeting(w, r, http.StatusUnprocessableEntity, c, f)
			return
		}
		s.pageError(w, r, err)
		return
	}
	setFlash(w, r, "Réunion planifiée.")
	http.Redirect(w, r, "/c/"+slug+"/reunions/"+m.ID, http.StatusSeeOther)
}

// attendanceRow is one line of a meeting's attendance table: a member
// organization of the committee (recorded or not yet), or a guest.
type attendanceRow struct {
	Name, Status, Person, RepresentedBy string
	Guest                               bool
}

// decisionView is a decision with what it concerns and its actions.
type decisionView struct {
	model.Decision
	Object, Link string
	Actions      []actionView
}

type actionView struct {
	model.Action
	Who, Due, State string
	Overdue         bool
	// CanClose: the reader may mark it done, or to do again.
	CanClose bool
}

// meetingData is the page of one meeting.
type meetingData struct {
	Meeting       *model.Meeting
	CommitteeName string
	Date, Status  string
	Attendance    []attendanceRow
	Decisions     []decisionView
	// Form is the meeting's form, for those who may plan meetings.
	Form *meetingForm
	// Attend is the attendance form: the organizations the viewer may
	// record, and a guest line for planners.
	Attend         *attendanceForm
	Decide         *decisionForm
	ActionErrors   map[string]string
	ActionIn       app.ActionInput
	ActionDecision string
	Organizations  []option
	CanPlan        bool
}

type attendanceForm struct {
	Organizations []option
	Guests        bool
	Statuses      []option
	In            app.AttendanceInput
	Errors        map[string]string
}

type decisionForm struct {
	Kinds  []option
	In     app.DecisionInput
	Errors map[string]string
}

// meetingFailure is a form of the meeting page that was not saved.
type meetingFailure struct {
	meeting    *app.MeetingInput
	attendance *app.AttendanceInput
	decision   *app.DecisionInput
	action     *app.ActionInput
	decisionID string
	err        error
}

func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) {
	s.renderMeeting(w, r, http.StatusOK, nil)
}

func (s *Server) renderMeeting(w http.ResponseWriter, r *http.Request, status int, fail *meetingFailure) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	c, m, err := s.app.Meeting(r.Context(), a, r.PathValue("slug"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, a)
	canPlan := v.At == nil && app.CanPlanMeetings(a, v.Slug)
	d := &meetingData{Meeting: m, CommitteeName: m.Committee, Date: textutil.FrenchDate(m.Date), Status: model.MeetingStatusLabels[m.Status],
		CanPlan: canPlan}
	k := app.Committee(c, m.Committee)
	var members []string
	if k != nil {
		d.CommitteeName = k.Name
		members = app.CommitteeOrganizations(k)
	}
	recorded := map[string]*model.Attendance{}
	for i := range m.Attendance {
		if o := m.Attendance[i].Organization; o != "" {
			recorded[o] = &m.Attendance[i]
			if !slices.Contains(members, o) {
				members = append(members, o)
			}
		}
	}
	attend := &attendanceForm{Statuses: attendanceOptions(), Guests: canPlan, In: app.AttendanceInput{Status: string(model.AttendancePresent)},
		Errors: map[string]string{}}
	for _, o := range members {
		row := attendanceRow{Name: c.OrgName(o), Status: "non renseignée"}
		if x := recorded[o]; x != nil {
			row.Status, row.Person, row.RepresentedBy = model.AttendanceStatusLabels[x.Status], x.Person, x.RepresentedBy
		}
		d.Attendance = append(d.Attendance, row)
		if v.At == nil && app.CanRecordAttendance(a, v.Slug, o) {
			attend.Organizations = append(attend.Organizations, option{o, c.OrgName(o)})
		}
	}
	for _, x := range m.Attendance {
		if x.Organization == "" {
			d.Attendance = append(d.Attendance, attendanceRow{Name: x.Guest, Guest: true, Status: model.AttendanceStatusLabels[x.Status],
				Person: x.Person, RepresentedBy: x.RepresentedBy})
		}
	}
	if len(attend.Organizations) > 0 || attend.Guests {
		d.Attend = attend
	}
	today := s.today(r)
	for _, dec := range m.Decisions {
		dv := decisionView{Decision: dec, Object: dec.ObjectLabel()}
		switch {
		case dec.Fiche() != "":
			dv.Link = "/c/" + v.Slug + "/fiches/" + dec.Fiche()
		case dec.ObjectKind == model.DecisionOnIndicator:
			dv.Link = "/c/" + v.Slug + "/indicateurs/" + url.PathEscape(dec.ObjectKey)
		case dec.ObjectKind == model.DecisionOnAmendment && dec.ObjectKey == "":
			dv.Link = "/c/" + v.Slug + "/avenants"
		case dec.ObjectKind == model.DecisionOnAmendment:
			dv.Link = "/c/" + v.Slug + "/avenants/" + url.PathEscape(dec.ObjectKey)
		case dec.ObjectKind == model.DecisionOnRenewal:
			dv.Link = "/c/" + v.Slug + "/vie"
		}
		for _, x := range dec.Actions {
			av := actionViewOf(c, x, today)
			av.CanClose = v.At == nil && app.CanCloseAction(a, v.Slug, x)
			dv.Actions = append(dv.Actions, av)
		}
		d.Decisions = append(d.Decisions, dv)
	}
	if canPlan {
		d.Form = newMeetingForm(c, app.MeetingInput{Committee: m.Committee, Date: m.Date.String(), StartTime: m.StartTime, Place: m.Place,
			Status: string(m.Status), Agenda: m.Agenda, Minutes: m.Minutes})
		d.Form.ID, d.Form.Version, d.Form.Full = m.ID, m.Version, true
		d.Form.Action, d.Form.CSRF = "/c/"+v.Slug+"/reunions/"+m.ID, csrfOf(r)
		d.Decide = &decisionForm{Kinds: decisionObjectOptions(), Errors: map[string]string{}}
		d.ActionErrors = map[string]string{}
		for _, o := range c.Organizations {
			d.Organizations = append(d.Organizations, option{o.Key, o.Name})
		}
	}
	if fail != nil {
		switch {
		case fail.meeting != nil && d.Form != nil:
			d.Form.In, d.Form.Agenda = *fail.meeting, strings.Join(fail.meeting.Agenda, "\n")
			meetingFieldErrors(fail.err, d.Form.Errors)
		case fail.attendance != nil && d.Attend != nil:
			d.Attend.In = *fail.attendance
			meetingFieldErrors(fail.err, d.Attend.Errors)
		case fail.decision != nil && d.Decide != nil:
			d.Decide.In = *fail.decision
			meetingFieldErrors(fail.err, d.Decide.Errors)
		case fail.action != nil && d.ActionErrors != nil:
			d.ActionIn, d.ActionDecision = *fail.action, fail.decisionID
			meetingFieldErrors(fail.err, d.ActionErrors)
		}
	}
	s.render(w, r, status, "meeting.html", page{Title: d.CommitteeName + " du " + d.Date, Conv: v, Nav: "meetings", Data: d})
}

func actionViewOf(c *model.Convention, x model.Action, today model.Date) actionView {
	av := actionView{Action: x, State: model.FollowUpLabels[x.Status], Overdue: x.OverdueOn(today)}
	var who []string
	if x.Organization != "" {
		who = append(who, c.OrgName(x.Organization))
	}
	if x.Person != "" {
		who = append(who, x.Person)
	}
	av.Who = strings.Join(who, " – ")
	if x.DueOn != nil {
		av.Due = textutil.FrenchDate(*x.DueOn)
	}
	return av
}

// meetingAnswer comes back to the meeting page after a form: with a
// confirmation, or the page again with the form's input and its errors.
func (s *Server) meetingAnswer(w http.ResponseWriter, r *http.Request, err error, fail *meetingFailure, saved, anchor string) {
	if err == nil {
		setFlash(w, r, saved)
		http.Redirect(w, r, "/c/"+r.PathValue("slug")+"/reunions/"+r.PathValue("id")+anchor, http.StatusSeeOther)
		return
	}
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		fail.err = err
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, fail)
		return
	}
	s.pageError(w, r, err)
}

func (s *Server) updateMeeting(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	in := meetingInputOf(r)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	m, err := s.app.SaveMeeting(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), version, in)
	saved := "Réunion enregistrée."
	switch {
	case err != nil || !m.Convened:
	case m.Convocations == 0:
		saved = "Réunion enregistrée, mais aucune convocation n'est partie : ni les organisations qui siègent au comité ni l'administration de la convention n'ont de membre avec une adresse électronique (page Membres)."
	case s.app.MailConfigured():
		saved = fmt.Sprintf("Réunion enregistrée ; convocation envoyée par courriel à %d destinataire(s), avec l'ordre du jour et l'invitation pour l'agenda.", m.Convocations)
	default:
		saved = fmt.Sprintf("Réunion enregistrée ; %d convocation(s) préparée(s), non envoyée(s) : aucun serveur de courriel n'est configuré (voir l'administration, Courriels).", m.Convocations)
	}
	s.meetingAnswer(w, r, err, &meetingFailure{meeting: &in}, saved, "")
}

func (s *Server) recordAttendance(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	in := app.AttendanceInput{Organization: r.PostFormValue("organization"), Guest: r.PostFormValue("guest"), Person: r.PostFormValue("person"),
		Status: r.PostFormValue("status"), RepresentedBy: r.PostFormValue("represented_by")}
	if in.Organization == "-" {
		in.Organization = ""
	} else {
		in.Guest = ""
	}
	_, err := s.app.RecordAttendance(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), in)
	s.meetingAnswer(w, r, err, &meetingFailure{attendance: &in}, "Présence enregistrée.", "#presences")
}

func (s *Server) addDecision(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	in := app.DecisionInput{Text: r.PostFormValue("text"), ObjectKind: r.PostFormValue("object_kind"), ObjectKey: r.PostFormValue("object_key")}
	_, err := s.app.SaveDecision(r.Context(), a, r.PathValue("slug"), r.PathValue("id"), in)
	s.meetingAnswer(w, r, err, &meetingFailure{decision: &in}, "Décision enregistrée.", "#decisions")
}

// saveAction adds an action to a decision, or, with its id, changes its
// state (done / to do).
func (s *Server) saveAction(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug, id, decision := r.PathValue("slug"), r.PathValue("id"), r.PathValue("decision")
	in := app.ActionInput{ID: r.PostFormValue("action"), Text: r.PostFormValue("text"), Organization: r.PostFormValue("organization"),
		Person: r.PostFormValue("person"), DueOn: r.PostFormValue("due_on"), Status: r.PostFormValue("status")}
	if in.ID != "" {
		// A change of state keeps the rest of the action as it is.
		_, m, err := s.app.Meeting(r.Context(), a, slug, id)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		found := false
		for _, d := range m.Decisions {
			for _, x := range d.Actions {
				if x.ID == in.ID && d.ID == decision {
					found = true
					in.Text, in.Organization, in.Person = x.Text, x.Organization, x.Person
					if x.DueOn != nil {
						in.DueOn = x.DueOn.String()
					}
				}
			}
		}
		if !found {
			s.notFound(w, r)
			return
		}
		in.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	}
	_, err := s.app.SaveAction(r.Context(), a, slug, id, decision, in)
	s.meetingAnswer(w, r, err, &meetingFailure{action: &in, decisionID: decision}, "Action enregistrée.", "#decision-"+decision)
}

// apiMeetings lists a convention's meetings, whole.
func (s *Server) apiMeetings(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	_, list, err := s.app.Meetings(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Meetings []model.Meeting `json:"meetings"`
	}{list})
}

// apiMeetingReply answers with a meeting as it is now.
func (s *Server) apiMeetingReply(w http.ResponseWriter, r *http.Request, status int, id string) {
	_, m, err := s.app.Meeting(r.Context(), actorOf(r), r.PathValue("slug"), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, m)
}

func (s *Server) apiMeeting(w http.ResponseWriter, r *http.Request) {
	if a := apiActor(w, r); a != nil {
		s.apiMeetingReply(w, r, http.StatusOK, r.PathValue("id"))
	}
}

// meetingCall answers an API call that changes a meeting: its JSON body
// (example shows what to send) decoded into a T, then save, then the
// meeting as it stands.
func meetingCall[T any](s *Server, example string, status int, save func(r *http.Request, req T) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if apiActor(w, r) == nil {
			return
		}
		var req T
		if !decodeBody(w, r, &req, example) {
			return
		}
		id, err := save(r, req)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if status == http.StatusCreated {
			w.Header().Set("Location", "/api/v1/conventions/"+r.PathValue("slug")+"/meetings/"+id)
		}
		s.apiMeetingReply(w, r, status, id)
	}
}

func (s *Server) apiCreateMeeting() http.HandlerFunc {
	return meetingCall(s, `{"committee": "copil", "date": "2025-10-14", "start_time": "14:00", "place": "…", "agenda": ["…"]}`, http.StatusCreated,
		func(r *http.Request, in app.MeetingInput) (string, error) {
			m, err := s.app.SaveMeeting(r.Context(), actorOf(r), r.PathValue("slug"), "", 0, in)
			if err != nil {
				return "", err
			}
			return m.ID, nil
		})
}

func (s *Server) apiUpdateMeeting() http.HandlerFunc {
	type request struct {
		app.MeetingInput
		Version int `json:"version"`
	}
	return meetingCall(s, `{"version": 1, "committee": "copil", "date": "2025-10-14", "status": "held", "agenda": ["…"], "minutes": "…"}`,
		http.StatusOK, func(r *http.Request, in request) (string, error) {
			_, err := s.app.SaveMeeting(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in.Version, in.MeetingInput)
			return r.PathValue("id"), err
		})
}

func (s *Server) apiAttendance() http.HandlerFunc {
	return meetingCall(s, `{"organization": "caf04", "status": "represented", "represented_by": "…"}`, http.StatusOK,
		func(r *http.Request, in app.AttendanceInput) (string, error) {
			_, err := s.app.RecordAttendance(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in)
			return r.PathValue("id"), err
		})
}

func (s *Server) apiDecision() http.HandlerFunc {
	return meetingCall(s, `{"text": "…", "object_kind": "fiche", "object_key": "2.2"}`, http.StatusOK,
		func(r *http.Request, in app.DecisionInput) (string, error) {
			_, err := s.app.SaveDecision(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), in)
			return r.PathValue("id"), err
		})
}

func (s *Server) apiAction() http.HandlerFunc {
	return meetingCall(s, `{"text": "…", "organization": "caf04", "due_on": "2025-12-31", "status": "todo"}`, http.StatusOK,
		func(r *http.Request, in app.ActionInput) (string, error) {
			_, err := s.app.SaveAction(r.Context(), actorOf(r), r.PathValue("slug"), r.PathValue("id"), r.PathValue("decision"), in)
			return r.PathValue("id"), err
		})
}

// ficheAction is an action decided about a fiche, for its page.
type ficheAction struct {
	actionView
	// From names the meeting that decided it.
	From string
}

func (s *Server) ficheActions(r *http.Request, v *convView, code string) ([]ficheAction, error) {
	list, err := s.app.FicheActions(r.Context(), actorOf(r), v.Slug, code)
	if err != nil {
		return nil, err
	}
	today := s.today(r)
	var out []ficheAction
	for _, x := range list {
		out = append(out, ficheAction{actionView: actionViewOf(v.Convention, x.Action, today), From: app.MeetingLabel(v.Convention, x.Meeting)})
	}
	return out, nil
}

// meetingPDF sends the convocation or the minutes of a meeting as a PDF;
// the minutes of a meeting not held yet are refused with 409 and a page
// that says why.
func (s *Server) meetingPDF(minutes bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.signedIn(w, r)
		if a == nil {
			return
		}
		slug, id := r.PathValue("slug"), r.PathValue("id")
		write, name := s.app.ConvocationPDF, "convocation"
		if minutes {
			write, name = s.app.MinutesPDF, "compte-rendu"
		}
		data, err := write(r.Context(), a, slug, id)
		var notHeld *app.NotHeldError
		if errors.As(err, &notHeld) {
			s.errorPage(w, r, http.StatusConflict, "Compte rendu indisponible", upperFirst(notHeld.Error())+".")
			return
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		// The file is named after the committee and the day.
		if _, m, err := s.app.Meeting(r.Context(), a, slug, id); err == nil {
			name = m.Committee + "-" + m.Date.String() + "-" + name
		}
		w.Header().Set("Content-Disposition", `attachment; filename="`+slug+"-"+name+`.pdf"`)
		_, _ = w.Write(data)
	}
}
