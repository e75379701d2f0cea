package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Bounds of what a meeting holds.
const (
	maxAgendaLines  = 40
	maxLineLength   = 500
	maxMinutes      = 20000
	maxShortField   = 300
	maxDecisionText = 2000
)

// CanPlanMeetings reports whether the actor may plan and edit the meetings
// of a convention, record their decisions and actions: its editors and
// administrators.
func CanPlanMeetings(a *auth.Actor, slug string) bool { return a.CanEdit(slug, nil) }

// CanRecordAttendance reports whether the actor may record the attendance
// of an organization (by key; "" for a guest): editors and administrators,
// and a contributor for their own organization.
func CanRecordAttendance(a *auth.Actor, slug, org string) bool {
	if org == "" {
		return CanPlanMeetings(a, slug)
	}
	return a.CanEdit(slug, []string{org})
}

// Meetings returns a convention the actor may read and its meetings, by date.
func (s *Service) Meetings(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, []model.Meeting, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.store.Meetings(ctx, slug)
	return c, list, err
}

// Meeting returns a convention the actor may read and one of its meetings.
func (s *Service) Meeting(ctx context.Context, a *auth.Actor, slug, id string) (*model.Convention, *model.Meeting, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.store.Meeting(ctx, slug, id)
	if err != nil {
		return nil, nil, fmt.Errorf("réunion : %w", err)
	}
	return c, m, nil
}

// Committee finds a committee of a convention by key.
func Committee(c *model.Convention, key string) *model.Committee {
	for i := range c.Committees {
		if c.Committees[i].Key == key {
			return &c.Committees[i]
		}
	}
	return nil
}

// CommitteeOrganizations lists the organizations (keys) that sit in a
// committee, in the order of its composition, each once.
func CommitteeOrganizations(k *model.Committee) []string {
	var out []string
	for _, g := range k.Composition {
		for _, o := range g.Organizations {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

// MeetingLabel names a meeting in the history and on pages.
func MeetingLabel(c *model.Convention, m *model.Meeting) string {
	name := m.Committee
	if k := Committee(c, m.Committee); k != nil {
		name = k.Name
	}
	return fmt.Sprintf("%s du %s", name, textutil.FrenchDate(m.Date))
}

// MeetingInput is a meeting as typed in a form or sent to the API.
type MeetingInput struct {
	Committee string `json:"committee"`
	Date      string `json:"date"`
	StartTime string `json:"start_time"`
	Place     string `json:"place"`
	Status    string `json:"status"`
	// Agenda holds one item a line.
	Agenda  []string `json:"agenda"`
	Minutes string   `json:"minutes"`
}

var clockTime = textutil.LazyRegexp(`^([01]\d|2[0-3]):[0-5]\d$`)

// AgendaLines splits typed text into agenda lines, without the blank ones.
func AgendaLines(text string) []string {
	var out []string
	for _, l := range strings.Split(model.CleanText(text), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func meetingFields(c *model.Convention, m *model.Meeting) map[string]string {
	return map[string]string{"comité": m.Committee, "date": m.Date.String(), "heure": m.StartTime, "lieu": m.Place,
		"statut": model.MeetingStatusLabels[m.Status], "ordre du jour": strings.Join(m.Agenda, "\n"), "compte rendu": m.Minutes}
}

// SaveMeeting plans a meeting (id empty) or changes one still at version.
// It refuses with a *model.ValidationError naming the field, ErrForbidden
// or ErrStale, and writes nothing then. The change goes to the history.
func (s *Service) SaveMeeting(ctx context.Context, a *auth.Actor, slug, id string, version int, in MeetingInput) (*model.Meeting, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if !CanPlanMeetings(a, slug) {
		return nil, fmt.Errorf("organiser les réunions : %w", model.ErrForbidden)
	}
	// A new meeting is named before it is stored: its convocation links
	// to it, and its invitation carries its identifier.
	m := &model.Meeting{Meta: model.Meta{ID: model.NewID()}, Convention: slug, Status: model.MeetingPlanned}
	var old *model.Meeting
	if id != "" {
		if old, err = s.store.Meeting(ctx, slug, id); err != nil {
			return nil, fmt.Errorf("réunion : %w", err)
		}
		if old.Version != version {
			return nil, fmt.Errorf("%s a été modifiée entre-temps : %w", MeetingLabel(c, old), model.ErrStale)
		}
		copy := *old
		m = &copy
	}
	ve := &model.ValidationError{}
	m.Committee = strings.TrimSpace(in.Committee)
	if Committee(c, m.Committee) == nil {
		ve.Add("committee", "choisissez le comité qui se réunit")
	}
	if d, err := model.ParseDate(strings.TrimSpace(in.Date)); err != nil {
		ve.Add("date", "la date « %s » n'est pas une date (AAAA-MM-JJ)", in.Date)
	} else if why := outsideLife(c, model.DateOf(s.now().In(textutil.Paris)), d); why != "" {
		ve.Add("date", "%s", why)
	} else {
		m.Date = d
	}
	m.StartTime = strings.TrimSpace(in.StartTime)
	if m.StartTime != "" && !clockTime.MatchString(m.StartTime) {
		ve.Add("start_time", "l'heure « %s » n'est pas une heure (HH:MM)", m.StartTime)
	}
	m.Place = strings.TrimSpace(in.Place)
	ve.Line("place", "Lieu", m.Place, maxShortField)
	if in.Status != "" {
		m.Status = model.MeetingStatus(in.Status)
		if _, ok := model.MeetingStatusLabels[m.Status]; !ok {
			ve.Add("status", "le statut « %s » n'existe pas", in.Status)
		}
	}
	if today := model.DateOf(s.now().In(textutil.Paris)); m.Status == model.MeetingHeld && m.Date.After(today) {
		ve.Add("status", "la réunion du %s ne peut être tenue avant sa date : elle reste prévue ou convoquée jusque-là", textutil.FrenchDate(m.Date))
	}
	m.Agenda = []string{}
	for _, l := range in.Agenda {
		m.Agenda = append(m.Agenda, AgendaLines(l)...)
	}
	if len(m.Agenda) > maxAgendaLines {
		ve.Add("agenda", "l'ordre du jour compte %d points, %d au plus", len(m.Agenda), maxAgendaLines)
	}
	for i, l := range m.Agenda {
		ve.Line("agenda", fmt.Sprintf("Point %d de l'ordre du jour", i+1), l, maxLineLength)
	}
	m.Minutes = model.CleanText(in.Minutes)
	ve.Text("minutes", "Compte rendu", m.Minutes, maxMinutes)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	entry := audited(a, slug, "create", "meeting", m.ID, MeetingLabel(c, m))
	if old != nil {
		entry.Action = "update"
		entry = entry.WithChange(meetingFields(c, old), meetingFields(c, m))
	} else {
		entry = entry.WithChange(nil, meetingFields(c, m))
	}
	// Convening the committee sends its members the convocation, with the
	// change.
	if m.Status == model.MeetingConvened && (old == nil || old.Status != model.MeetingConvened) {
		mails, err := s.convocation(ctx, a, c, m)
		if err != nil {
			return nil, err
		}
		entry = entry.WithMail(mails...)
		m.Convened, m.Convocations = true, len(mails)
	}
	if err := s.store.SaveMeeting(ctx, m, entry); err != nil {
		return nil, err
	}
	if m.Convocations > 0 {
		s.mailQueued()
	}
	return m, nil
}

// outsideLife says why d cannot date a meeting or an action of c — years
// away from its period (LifeWindow), a typing slip (« 0202 ») — or "".
func outsideLife(c *model.Convention, today, d model.Date) string {
	if from, to := LifeWindow(c, today); d.Before(from) || d.After(to) {
		return fmt.Sprintf("le %s est trop loin de la période de la convention : une date entre %d et %d est attendue", textutil.FrenchDate(d), from.Year, to.Year)
	}
	return ""
}

// AttendanceInput is one attendance line as typed or sent.
type AttendanceInput struct {
	// ID and Version name the line to change; empty for a new line (the
	// organization's existing line, if any, is then updated).
	ID            string `json:"id"`
	Version       int    `json:"version"`
	Organization  string `json:"organization"`
	Guest         string `json:"guest"`
	Person        string `json:"person"`
	Status        string `json:"status"`
	RepresentedBy string `json:"represented_by"`
}

// RecordAttendance records whether an organization of the committee, or a
// guest, attended a meeting. A contributor records their own
// organization only.
func (s *Service) RecordAttendance(ctx context.Context, a *auth.Actor, slug, meetingID string, in AttendanceInput) (*model.Attendance, error) {
	c, m, err := s.Meeting(ctx, a, slug, meetingID)
	if err != nil {
		return nil, err
	}
	in.Organization, in.Guest = strings.TrimSpace(in.Organization), strings.TrimSpace(in.Guest)
	var old *model.Attendance
	for i := range m.Attendance {
		x := &m.Attendance[i]
		if (in.ID != "" && x.ID == in.ID) || (in.ID == "" && in.Organization != "" && x.Organization == in.Organization) {
			old = x
		}
	}
	if in.ID != "" && old == nil {
		return nil, fmt.Errorf("ligne de présence : %w", model.ErrNotFound)
	}
	if old != nil && in.ID != "" {
		in.Organization, in.Guest = old.Organization, old.Guest
	}
	if !CanRecordAttendance(a, slug, in.Organization) {
		return nil, fmt.Errorf("noter la présence de %s : %w", orgLabel(c, in.Organization), model.ErrForbidden)
	}
	ve := &model.ValidationError{}
	if in.Organization == "" && in.Guest == "" {
		ve.Add("guest", "indiquez le nom de la personne invitée")
	}
	if in.Organization != "" && !hasOrganization(c, in.Organization) {
		ve.Add("organization", "l'organisation « %s » n'est pas de la convention", in.Organization)
	}
	x := &model.Attendance{Meeting: m.ID, Organization: in.Organization, Guest: in.Guest, Person: strings.TrimSpace(in.Person),
		Status: model.AttendanceStatus(in.Status), RepresentedBy: strings.TrimSpace(in.RepresentedBy)}
	if _, ok := model.AttendanceStatusLabels[x.Status]; !ok {
		ve.Add("status", "choisissez présent, excusé ou représenté")
	}
	if x.Status == model.AttendanceRepresented && x.RepresentedBy == "" {
		ve.Add("represented_by", "indiquez par qui l'organisation est représentée")
	}
	if x.Status != model.AttendanceRepresented {
		x.RepresentedBy = ""
	}
	ve.Line("guest", "Nom de l'invité", x.Guest, maxShortField)
	ve.Line("person", "Personne", x.Person, maxShortField)
	ve.Line("represented_by", "Représenté par", x.RepresentedBy, maxShortField)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	who := x.Guest
	if x.Organization != "" {
		who = c.OrgName(x.Organization)
	}
	fields := func(y *model.Attendance) map[string]string {
		return map[string]string{"présence": model.AttendanceStatusLabels[y.Status], "personne": y.Person, "représenté par": y.RepresentedBy}
	}
	entry := audited(a, slug, "create", "meeting-attendance", "", "Présence de "+who+" – "+MeetingLabel(c, m))
	if old != nil {
		if in.ID != "" && old.Version != in.Version {
			return nil, fmt.Errorf("la présence de %s a été modifiée entre-temps : %w", who, model.ErrStale)
		}
		x.Meta = old.Meta
		entry.Action = "update"
		entry = entry.WithChange(fields(old), fields(x))
	} else {
		entry = entry.WithChange(nil, fields(x))
	}
	if err := s.store.SaveAttendance(ctx, slug, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// DecisionInput is a decision as typed or sent.
type DecisionInput struct {
	ID         string `json:"id"`
	Version    int    `json:"version"`
	Text       string `json:"text"`
	ObjectKind string `json:"object_kind"`
	ObjectKey  string `json:"object_key"`
}

// objectToName says, for a decision's kind of object, what its reference
// must name.
var objectToName = map[model.DecisionObject]string{
	model.DecisionOnFiche:     "le code de la fiche concernée (2.2)",
	model.DecisionOnStep:      "l'étape concernée : fiche et numéro (2.2/1)",
	model.DecisionOnIndicator: "le code de l'indicateur concerné",
}

// checkObject tells what is wrong with the record a decision names, "" if nothing.
func checkObject(c *model.Convention, amendments []model.Amendment, kind model.DecisionObject, key string) string {
	switch kind {
	case model.DecisionOnNothing, model.DecisionOnRenewal:
		return ""
	case model.DecisionOnFiche:
		if ficheByCode(c, key) == nil {
			return fmt.Sprintf("la fiche « %s » n'existe pas", key)
		}
	case model.DecisionOnStep:
		code, n, _ := strings.Cut(key, "/")
		f := ficheByCode(c, code)
		k, err := strconv.Atoi(n)
		if f == nil || err != nil || k < 1 || k > len(f.Steps) {
			return fmt.Sprintf("l'étape « %s » n'existe pas (fiche/numéro, par exemple 2.2/1)", key)
		}
	case model.DecisionOnIndicator:
		if _, ok := indicators.ByCode(indicators.Catalogue(c))[key]; !ok {
			return fmt.Sprintf("l'indicateur « %s » n'existe pas", key)
		}
	case model.DecisionOnAmendment:
		n, _ := strconv.Atoi(key)
		if key != "" && !slices.ContainsFunc(amendments, func(x model.Amendment) bool { return x.Number == n }) {
			return fmt.Sprintf("l'avenant n° %s n'existe pas", key)
		}
	default:
		return fmt.Sprintf("le type d'objet « %s » n'existe pas", kind)
	}
	return ""
}

// SaveDecision records a decision of a meeting (in.ID empty) or changes one.
func (s *Service) SaveDecision(ctx context.Context, a *auth.Actor, slug, meetingID string, in DecisionInput) (*model.Decision, error) {
	c, m, err := s.Meeting(ctx, a, slug, meetingID)
	if err != nil {
		return nil, err
	}
	if !CanPlanMeetings(a, slug) {
		return nil, fmt.Errorf("noter les décisions : %w", model.ErrForbidden)
	}
	x := &model.Decision{Meeting: m.ID, Text: model.CleanText(in.Text), ObjectKind: model.DecisionObject(in.ObjectKind),
		ObjectKey: strings.TrimSpace(in.ObjectKey)}
	var old *model.Decision
	if in.ID != "" {
		for i := range m.Decisions {
			if m.Decisions[i].ID == in.ID {
				old = &m.Decisions[i]
			}
		}
		if old == nil {
			return nil, fmt.Errorf("décision : %w", model.ErrNotFound)
		}
		if old.Version != in.Version {
			return nil, fmt.Errorf("la décision a été modifiée entre-temps : %w", model.ErrStale)
		}
		x.Meta = old.Meta
	}
	ve := &model.ValidationError{}
	if x.Text == "" {
		ve.Add("text", "écrivez la décision")
	}
	ve.Text("text", "Décision", x.Text, maxDecisionText)
	if x.ObjectKind == model.DecisionOnNothing || x.ObjectKind == model.DecisionOnRenewal {
		x.ObjectKey = ""
	} else if x.ObjectKey == "" && x.ObjectKind != model.DecisionOnAmendment {
		// An avenant named by no number is the one the committee decides
		// to prepare.
		if what, ok := objectToName[x.ObjectKind]; ok {
			ve.Add("object_key", "indiquez %s", what)
		}
	}
	if len(ve.Errors) == 0 {
		amendments, err := s.store.Amendments(ctx, slug)
		if err != nil {
			return nil, err
		}
		if msg := checkObject(c, amendments, x.ObjectKind, x.ObjectKey); msg != "" {
			ve.Add("object_key", "%s", msg)
		}
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	fields := func(y *model.Decision) map[string]string {
		return map[string]string{"décision": y.Text, "objet": y.ObjectLabel()}
	}
	entry := audited(a, slug, "create", "meeting-decision", "", "Décision – "+MeetingLabel(c, m))
	if old != nil {
		entry.Action = "update"
		entry = entry.WithChange(fields(old), fields(x))
	} else {
		entry = entry.WithChange(nil, fields(x))
	}
	if err := s.store.SaveDecision(ctx, slug, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// ActionInput is a follow-up action as typed or sent.
type ActionInput struct {
	ID           string `json:"id"`
	Version      int    `json:"version"`
	Text         string `json:"text"`
	Organization string `json:"organization"`
	Person       string `json:"person"`
	DueOn        string `json:"due_on"`
	Status       string `json:"status"`
}

// SaveAction records the follow-up a decision asks for, or changes it.
func (s *Service) SaveAction(ctx context.Context, a *auth.Actor, slug, meetingID, decisionID string, in ActionInput) (*model.Action, error) {
	c, m, err := s.Meeting(ctx, a, slug, meetingID)
	if err != nil {
		return nil, err
	}
	var d *model.Decision
	for i := range m.Decisions {
		if m.Decisions[i].ID == decisionID {
			d = &m.Decisions[i]
		}
	}
	if d == nil {
		return nil, fmt.Errorf("décision : %w", model.ErrNotFound)
	}
	x := &model.Action{Meeting: m.ID, Decision: d.ID, Text: strings.TrimSpace(in.Text), Organization: strings.TrimSpace(in.Organization),
		Person: strings.TrimSpace(in.Person), Status: in.Status}
	var old *model.Action
	if in.ID != "" {
		for i := range d.Actions {
			if d.Actions[i].ID == in.ID {
				old = &d.Actions[i]
			}
		}
		if old == nil {
			return nil, fmt.Errorf("action : %w", model.ErrNotFound)
		}
		if old.Version != in.Version {
			return nil, fmt.Errorf("l'action a été modifiée entre-temps : %w", model.ErrStale)
		}
		x.Meta = old.Meta
	}
	if x.Status == "" {
		x.Status = model.FollowUpToDo
	}
	// The coordination records actions; who carries one marks it done
	// (or to do again), and changes nothing else.
	if !CanPlanMeetings(a, slug) {
		statusOnly := old != nil && x.Text == old.Text && x.Organization == old.Organization && x.Person == old.Person &&
			strings.TrimSpace(in.DueOn) == dateText(old.DueOn)
		if !statusOnly || !CanCloseAction(a, slug, *old) {
			return nil, fmt.Errorf("noter les actions : %w", model.ErrForbidden)
		}
	}
	ve := &model.ValidationError{}
	if x.Text == "" {
		ve.Add("text", "décrivez l'action à mener")
	}
	ve.Line("text", "Action", x.Text, maxLineLength)
	ve.Line("person", "Personne", x.Person, maxShortField)
	if x.Organization == "" && x.Person == "" {
		ve.Add("organization", "indiquez qui mène l'action : une organisation ou une personne")
	}
	if x.Organization != "" && !hasOrganization(c, x.Organization) {
		ve.Add("organization", "l'organisation « %s » n'est pas de la convention", x.Organization)
	}
	if due := strings.TrimSpace(in.DueOn); due != "" {
		if d, err := model.ParseDate(due); err != nil {
			ve.Add("due_on", "l'échéance « %s » n'est pas une date (AAAA-MM-JJ)", due)
		} else if why := outsideLife(c, model.DateOf(s.now().In(textutil.Paris)), d); why != "" {
			ve.Add("due_on", "%s", why)
		} else {
			x.DueOn = &d
		}
	}
	if _, ok := model.FollowUpLabels[x.Status]; !ok {
		ve.Add("status", "choisissez « à faire » ou « faite »")
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	fields := func(y *model.Action) map[string]string {
		due := ""
		if y.DueOn != nil {
			due = y.DueOn.String()
		}
		return map[string]string{"action": y.Text, "organisation": orgLabel(c, y.Organization), "personne": y.Person, "échéance": due,
			"état": model.FollowUpLabels[y.Status]}
	}
	entry := audited(a, slug, "create", "meeting-action", "", "Action – "+MeetingLabel(c, m))
	if old != nil {
		entry.Action = "update"
		entry = entry.WithChange(fields(old), fields(x))
	} else {
		entry = entry.WithChange(nil, fields(x))
	}
	if err := s.store.SaveAction(ctx, slug, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// CanCloseAction reports whether the actor may mark an action done or to
// do again: the coordination, the members of the organization that
// carries it (its contributors) and the person it is given to.
func CanCloseAction(a *auth.Actor, slug string, x model.Action) bool {
	if CanPlanMeetings(a, slug) {
		return true
	}
	if a == nil || !a.CanRead(slug) {
		return false
	}
	if x.Organization != "" && a.CanEdit(slug, []string{x.Organization}) {
		return true
	}
	return namesActor(x.Person, a)
}

// namesActor reports whether person, as an action names whom it is
// given to, is the actor: their name or their e-mail address.
func namesActor(person string, a *auth.Actor) bool {
	person = strings.TrimSpace(person)
	return person != "" && (strings.EqualFold(person, a.Email) || (a.Name != "" && strings.EqualFold(person, strings.TrimSpace(a.Name))))
}

// dateText writes a date as typed (AAAA-MM-JJ), "" for none.
func dateText(d *model.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// DecidedAction is a follow-up action with the meeting and decision it comes from.
type DecidedAction struct {
	model.Action
	Meeting  *model.Meeting
	Decision *model.Decision
}

// FicheActions lists the actions decided about a fiche (or one of its
// steps), by meeting date.
func (s *Service) FicheActions(ctx context.Context, a *auth.Actor, slug, code string) ([]DecidedAction, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	list, err := s.store.Meetings(ctx, slug)
	if err != nil {
		return nil, err
	}
	var out []DecidedAction
	for i := range list {
		for j := range list[i].Decisions {
			d := &list[i].Decisions[j]
			if d.Fiche() != code {
				continue
			}
			for _, x := range d.Actions {
				out = append(out, DecidedAction{Action: x, Meeting: &list[i], Decision: d})
			}
		}
	}
	return out, nil
}

// ProposedAgenda builds the agenda lines of a meeting held on day on, from
// the state of the convention then: important deviations of indicators,
// overdue steps, promised fiches not delivered, avenants in preparation,
// missing deliberations, the year's collection and the checker's errors.
// The coordinator edits them freely.
func (s *Service) ProposedAgenda(ctx context.Context, a *auth.Actor, slug string, on model.Date) ([]string, error) {
	c, values, err := s.Values(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	lines := []string{"Approbation du relevé de décisions de la réunion précédente"}
	table := indicators.Yearly(c, values, ConventionYears(c))
	var devs []string
	synthetic := false
	for _, d := range table.Deviations() {
		if y, _ := strconv.Atoi(d.Year); y > on.Year {
			continue
		}
		devs = append(devs, fmt.Sprintf("%s %s en %s (%s de la cible)", d.Code, d.Label, d.Year, indicators.FormatPercent(d.Percent)))
		synthetic = synthetic || d.Synthetic
	}
	if len(devs) > 0 {
		line := "Écarts importants aux cibles des indicateurs : " + shortList(devs)
		if synthetic {
			line += " — calculés en partie sur des valeurs fictives de démonstration"
		}
		lines = append(lines, line)
	}
	var late []string
	for _, l := range PlanProgressOn(c, on).Late {
		item := fmt.Sprintf("fiche %s, étape %d", l.Fiche.Code, l.Number)
		if l.Due != nil {
			item += " (échéance du " + textutil.FrenchDate(*l.Due) + ")"
		}
		late = append(late, item)
	}
	if len(late) > 0 {
		lines = append(lines, "Étapes en retard : "+shortList(late))
	}
	var promised []string
	for _, ax := range c.Axes {
		if ax.FichesDueBy != nil && len(ax.Fiches) == 0 {
			promised = append(promised, fmt.Sprintf("axe %d – %s (promises pour le %s)", ax.Number, ax.Title, textutil.FrenchDate(*ax.FichesDueBy)))
		}
	}
	if len(promised) > 0 {
		lines = append(lines, "Fiches promises et non livrées : "+shortList(promised))
	}
	amendments, err := s.store.Amendments(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, x := range amendments {
		if x.State == model.AmendmentDraft {
			lines = append(lines, fmt.Sprintf("Avenant n° %d en préparation : %s", x.Number, x.Object))
		}
	}
	var missing []string
	for _, p := range c.Parties {
		if p.Authorization == nil || p.Authorization.Date == nil {
			missing = append(missing, c.OrgName(p.Organization))
		}
	}
	if len(missing) > 0 {
		lines = append(lines, "Délibérations manquantes : "+shortList(missing))
	}
	year := CollectionYear(c, on)
	if p := TotalProgress(CollectionProgress(c, values, year)); p.Expected > 0 {
		line := fmt.Sprintf("Collecte des valeurs %d : %d saisies sur %d attendues, dont %d validées", year, p.Entered, p.Expected, p.Validated)
		if slices.ContainsFunc(values, func(v model.Value) bool { return v.Synthetic }) {
			line += " (les valeurs fictives de démonstration ne comptent pas)"
		}
		lines = append(lines, line)
	}
	// The follow-up of what the committees decided before.
	meetings, err := s.store.Meetings(ctx, slug)
	if err != nil {
		return nil, err
	}
	open, overdue := 0, 0
	for _, m := range meetings {
		for _, d := range m.Decisions {
			for _, x := range d.Actions {
				if x.Status != model.FollowUpDone {
					open++
					if x.OverdueOn(on) {
						overdue++
					}
				}
			}
		}
	}
	if open > 0 {
		line := fmt.Sprintf("Suivi des actions décidées : %d à mener", open)
		if overdue > 0 {
			line += fmt.Sprintf(", dont %d en retard", overdue)
		}
		lines = append(lines, line)
	}
	findings, err := s.Findings(ctx, c, on)
	if err != nil {
		return nil, err
	}
	n, where := 0, []string{}
	for _, f := range findings {
		if f.Severity == lint.Error {
			n++
			if f.Where != "" && !slices.Contains(where, f.Where) {
				where = append(where, f.Where)
			}
		}
	}
	if n > 0 {
		line := fmt.Sprintf("Vérification de la convention : %d %s à corriger", n, plural(n, "erreur", "erreurs"))
		if len(where) > 0 {
			line += " (" + shortList(where) + ")"
		}
		lines = append(lines, line)
	}
	lines = append(lines, "Questions diverses")
	return lines, nil
}

func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// shortList joins items, as many as an agenda line holds, saying how many more.
func shortList(items []string) string {
	// As many as an agenda line holds (maxLineLength), then how many more.
	const room = maxLineLength - 100
	shown, length := 0, 0
	for shown < len(items) && (shown == 0 || length+len(items[shown])+3 <= room) {
		length += len(items[shown]) + 3
		shown++
	}
	if shown == len(items) {
		return strings.Join(items, " ; ")
	}
	return fmt.Sprintf("%s ; et %d %s", strings.Join(items[:shown], " ; "), len(items)-shown, plural(len(items)-shown, "autre", "autres"))
}

// orgLabel names an organization by its name, "" for no key.
func orgLabel(c *model.Convention, key string) string {
	if key == "" {
		return ""
	}
	return c.OrgName(key)
}
