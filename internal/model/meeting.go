package model

import "strings"

// MeetingStatus is where a committee meeting stands.
type MeetingStatus string

// The states of a meeting.
const (
	MeetingPlanned   MeetingStatus = "planned"
	MeetingConvened  MeetingStatus = "convened"
	MeetingHeld      MeetingStatus = "held"
	MeetingCancelled MeetingStatus = "cancelled"
)

// MeetingStatuses lists the states of a meeting, in their order.
var MeetingStatuses = []MeetingStatus{MeetingPlanned, MeetingConvened, MeetingHeld, MeetingCancelled}

// MeetingStatusLabels gives each state's French label.
var MeetingStatusLabels = map[MeetingStatus]string{
	MeetingPlanned:   "prévue",
	MeetingConvened:  "convoquée",
	MeetingHeld:      "tenue",
	MeetingCancelled: "annulée",
}

// Meeting is one meeting of a committee of a convention (art. 6, annex
// 4). Like indicator values, it refers to its convention by slug and to
// its committee by key, which survive a re-import of the convention.
type Meeting struct {
	Meta       `yaml:",inline"`
	Convention string `yaml:"-" json:"convention"`
	// Committee is the key of the committee that meets.
	Committee string `yaml:"committee" json:"committee"`
	Date      Date   `yaml:"date" json:"date"`
	// StartTime is "HH:MM", empty when not fixed yet.
	StartTime string `yaml:"start_time,omitempty" json:"start_time,omitempty"`
	// Place is an address or a video link.
	Place  string        `yaml:"place,omitempty" json:"place,omitempty"`
	Status MeetingStatus `yaml:"status" json:"status"`
	// Agenda is the order of the day, one item a line, in order.
	Agenda []string `yaml:"agenda,omitempty" json:"agenda"`
	// Minutes is the written record of the meeting.
	Minutes    string       `yaml:"minutes,omitempty" json:"minutes,omitempty"`
	Attendance []Attendance `yaml:"attendance,omitempty" json:"attendance"`
	Decisions  []Decision   `yaml:"decisions,omitempty" json:"decisions"`
	// Convened is set by the change that convened the meeting, and
	// Convocations is how many convocations it queued; neither is stored
	// nor sent.
	Convened     bool `yaml:"-" json:"-"`
	Convocations int  `yaml:"-" json:"-"`
}

// AttendanceStatus says whether a member came.
type AttendanceStatus string

// The attendance states.
const (
	AttendancePresent     AttendanceStatus = "present"
	AttendanceExcused     AttendanceStatus = "excused"
	AttendanceRepresented AttendanceStatus = "represented"
)

// AttendanceStatuses lists the attendance states, in their order.
var AttendanceStatuses = []AttendanceStatus{AttendancePresent, AttendanceExcused, AttendanceRepresented}

// AttendanceStatusLabels gives each attendance state's French label.
var AttendanceStatusLabels = map[AttendanceStatus]string{
	AttendancePresent:     "présent",
	AttendanceExcused:     "excusé",
	AttendanceRepresented: "représenté",
}

// Attendance is one line of a meeting's attendance: a member organization
// (by key) or a guest (a resource person, by name).
type Attendance struct {
	Meta         `yaml:",inline"`
	Meeting      string `yaml:"-" json:"meeting"`
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`
	Guest        string `yaml:"guest,omitempty" json:"guest,omitempty"`
	// Person names who sat, when known.
	Person        string           `yaml:"person,omitempty" json:"person,omitempty"`
	Status        AttendanceStatus `yaml:"status" json:"status"`
	RepresentedBy string           `yaml:"represented_by,omitempty" json:"represented_by,omitempty"`
}

// DecisionObject is the kind of record a decision is about.
type DecisionObject string

// The kinds of records a decision can concern.
const (
	DecisionOnNothing   DecisionObject = ""
	DecisionOnFiche     DecisionObject = "fiche"
	DecisionOnStep      DecisionObject = "step"
	DecisionOnIndicator DecisionObject = "indicator"
	DecisionOnAmendment DecisionObject = "amendment"
	DecisionOnRenewal   DecisionObject = "renewal"
)

// DecisionObjects lists the kinds of objects, in their order.
var DecisionObjects = []DecisionObject{DecisionOnNothing, DecisionOnFiche, DecisionOnStep, DecisionOnIndicator, DecisionOnAmendment, DecisionOnRenewal}

// DecisionObjectLabels gives each kind of object its French label.
var DecisionObjectLabels = map[DecisionObject]string{
	DecisionOnNothing:   "aucun objet",
	DecisionOnFiche:     "fiche action",
	DecisionOnStep:      "étape d'une fiche",
	DecisionOnIndicator: "cible d'un indicateur",
	DecisionOnAmendment: "avenant",
	DecisionOnRenewal:   "renouvellement",
}

// Decision is one decision of a meeting, about a record named by its
// natural key: a fiche's code ("2.2"), a step as "code/number" ("2.2/1"),
// an indicator's code, an avenant's number; none for the renewal.
type Decision struct {
	Meta       `yaml:",inline"`
	Meeting    string         `yaml:"-" json:"meeting"`
	Text       string         `yaml:"text" json:"text"`
	ObjectKind DecisionObject `yaml:"object_kind,omitempty" json:"object_kind,omitempty"`
	ObjectKey  string         `yaml:"object_key,omitempty" json:"object_key,omitempty"`
	Actions    []Action       `yaml:"actions,omitempty" json:"actions"`
}

// Fiche returns the code of the fiche the decision concerns, directly or
// through one of its steps, or "".
func (d Decision) Fiche() string {
	switch d.ObjectKind {
	case DecisionOnFiche:
		return d.ObjectKey
	case DecisionOnStep:
		code, _, _ := strings.Cut(d.ObjectKey, "/")
		return code
	}
	return ""
}

// FollowUpToDo and FollowUpDone are the states of a follow-up action.
const (
	FollowUpToDo = "todo"
	FollowUpDone = "done"
)

// FollowUpLabels gives each action state its French label.
var FollowUpLabels = map[string]string{FollowUpToDo: "à faire", FollowUpDone: "faite"}

// Action is the follow-up a decision asks for: who does it, by when.
type Action struct {
	Meta     `yaml:",inline"`
	Decision string `yaml:"-" json:"decision"`
	Meeting  string `yaml:"-" json:"meeting"`
	Text     string `yaml:"text" json:"text"`
	// Organization is the assignee organization's key; Person a name.
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`
	Person       string `yaml:"person,omitempty" json:"person,omitempty"`
	DueOn        *Date  `yaml:"due_on,omitempty" json:"due_on,omitempty"`
	Status       string `yaml:"status" json:"status"`
}

// OverdueOn reports whether the action, not done, has passed its due date on d.
func (x Action) OverdueOn(d Date) bool {
	return x.Status != FollowUpDone && x.DueOn != nil && x.DueOn.Before(d)
}

// ObjectLabel names what the decision is about, in French: "fiche 2.2",
// "étape 1 de la fiche 2.2"…; "" when it names nothing.
func (d Decision) ObjectLabel() string {
	switch d.ObjectKind {
	case DecisionOnNothing:
		return ""
	case DecisionOnFiche:
		return "fiche " + d.ObjectKey
	case DecisionOnStep:
		code, n, _ := strings.Cut(d.ObjectKey, "/")
		return "étape " + n + " de la fiche " + code
	case DecisionOnIndicator:
		return "indicateur " + d.ObjectKey
	case DecisionOnAmendment:
		if d.ObjectKey == "" {
			return "avenant à préparer"
		}
		return "avenant n° " + d.ObjectKey
	case DecisionOnRenewal:
		return "renouvellement de la convention"
	}
	return string(d.ObjectKind)
}
