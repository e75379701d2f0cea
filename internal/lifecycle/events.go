package lifecycle

import (
	"sort"

	"github.com/ctg-territoires/ctg/internal/model"
)

// EventState says where an event of a convention's life stands on a day.
type EventState string

// The states of an event.
const (
	// EventDone: it happened, or its date is past.
	EventDone EventState = "done"
	// EventUpcoming: its date is to come.
	EventUpcoming EventState = "upcoming"
	// EventMissing: it should have happened, or its date is not recorded.
	EventMissing EventState = "missing"
)

var eventLabels = map[EventState]string{EventDone: "fait", EventUpcoming: "à venir", EventMissing: "manquant"}

// Label names the state in French ("à venir").
func (s EventState) Label() string { return eventLabels[s] }

// Event is one dated item of a convention's life, as its timeline shows
// it: a deliberation, the signature, the start of the period, a
// termination letter…
type Event struct {
	// Date places the event; when Dated is false it is only where the
	// event stands in the order (a deliberation whose date the text left
	// blank comes before the signature), and the page says « date non
	// renseignée ».
	Date  model.Date `json:"date"`
	Dated bool       `json:"dated"`
	Label string     `json:"label"`
	// Detail completes the label: a reference, a place, a mode.
	Detail string     `json:"detail,omitempty"`
	State  EventState `json:"state"`
	// Link is a page that tells more, if any.
	Link string `json:"link,omitempty"`
	// Kind and Key name an obligation for the calendar and its feeds:
	// what it is, and a natural key unique within the kind ("2.2-1-end",
	// an avenant's number). Events of the text's own history (the
	// deliberations, the signature) have none and stay off the calendar.
	Kind EventKind `json:"-"`
	Key  string    `json:"-"`
}

// EventKind is the kind of an obligation on the calendar.
type EventKind string

// The kinds of obligations, in the order the calendar's filter lists them.
const (
	KindPeriod      EventKind = "period"
	KindStep        EventKind = "step"
	KindFiches      EventKind = "fiches"
	KindCollection  EventKind = "collection"
	KindEvaluation  EventKind = "evaluation"
	KindRenewal     EventKind = "renewal"
	KindAmendment   EventKind = "amendment"
	KindTermination EventKind = "termination"
	KindMeeting     EventKind = "meeting"
	KindAction      EventKind = "action"
	KindPublicEvent EventKind = "public_event"
)

// EventKinds lists every kind of obligation.
var EventKinds = []EventKind{KindPeriod, KindStep, KindFiches, KindCollection, KindEvaluation, KindRenewal, KindAmendment, KindTermination,
	KindMeeting, KindAction, KindPublicEvent}

var kindLabels = map[EventKind]string{
	KindPeriod: "période", KindStep: "étapes des fiches", KindFiches: "fiches promises par avenant", KindCollection: "collecte des indicateurs",
	KindEvaluation: "évaluation", KindRenewal: "renouvellement", KindAmendment: "avenants", KindTermination: "résiliation",
	KindMeeting: "réunions des comités", KindAction: "actions décidées", KindPublicEvent: "manifestations publiques (art. 8)",
}

// Label names the kind in French ("étapes des fiches").
func (k EventKind) Label() string { return kindLabels[k] }

// StateOf is the state of an event dated d on day today: done when past
// or today, upcoming otherwise.
func StateOf(d, today model.Date) EventState {
	if d.After(today) {
		return EventUpcoming
	}
	return EventDone
}

// SortEvents puts events in the order of time; events of the same day
// keep the order they were given in.
func SortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool { return events[i].Date.Before(events[j].Date) })
}
