package model

import "time"

// Logo is the logo of an organization of a convention, which the joint
// communication supports show (art. 8). Like documents, it refers to its
// convention by slug and to its organization by key, which survive a
// re-import; a convention holds at most one logo per organization.
type Logo struct {
	Convention   string `json:"convention"`
	Organization string `json:"organization"`
	// Name is the file name as sent, cleaned.
	Name string `json:"file_name"`
	// ContentType is read from the bytes: image/png, image/jpeg or image/svg+xml.
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Width and Height are the pixel dimensions of a PNG or a JPEG; 0 for an SVG.
	Width      int       `json:"width,omitempty"`
	Height     int       `json:"height,omitempty"`
	UploadedBy string    `json:"uploaded_by"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// PublicEventKind is the kind of public event a financed partner organizes
// (art. 8: inauguration, signature officielle, pose de la première pierre…).
type PublicEventKind string

// The kinds of public events.
const (
	EventInauguration PublicEventKind = "inauguration"
	EventSigning      PublicEventKind = "signing"
	EventFirstStone   PublicEventKind = "first_stone"
	EventOther        PublicEventKind = "other"
)

// PublicEventKinds lists the kinds of events, in the order of article 8.
var PublicEventKinds = []PublicEventKind{EventInauguration, EventSigning, EventFirstStone, EventOther}

// PublicEventKindLabels gives each kind its French label.
var PublicEventKindLabels = map[PublicEventKind]string{
	EventInauguration: "inauguration",
	EventSigning:      "signature officielle",
	EventFirstStone:   "pose de la première pierre",
	EventOther:        "autre manifestation",
}

// DateAgreement is the financing organization's answer on the date of an
// event: the date is agreed « d'un commun accord ».
type DateAgreement string

// The answers on the date; pending until the financer answers.
const (
	DatePending  DateAgreement = "pending"
	DateAccepted DateAgreement = "accepted"
	DateOther    DateAgreement = "other_date"
	DateRefused  DateAgreement = "refused"
)

// DateAgreements lists the answers on the date, in their order.
var DateAgreements = []DateAgreement{DatePending, DateAccepted, DateOther, DateRefused}

// DateAgreementLabels gives each answer on the date its French label.
var DateAgreementLabels = map[DateAgreement]string{
	DatePending:  "en attente",
	DateAccepted: "date acceptée",
	DateOther:    "autre date proposée",
	DateRefused:  "refusée",
}

// CharterAgreement is the financing organization's answer on the use of
// its graphic charter and logo.
type CharterAgreement string

// The answers on the charter; pending until the financer answers.
const (
	CharterPending CharterAgreement = "pending"
	CharterGranted CharterAgreement = "granted"
	CharterRefused CharterAgreement = "refused"
)

// CharterAgreements lists the answers on the charter, in their order.
var CharterAgreements = []CharterAgreement{CharterPending, CharterGranted, CharterRefused}

// CharterAgreementLabels gives each answer on the charter its French label.
var CharterAgreementLabels = map[CharterAgreement]string{
	CharterPending: "en attente",
	CharterGranted: "accordée",
	CharterRefused: "refusée",
}

// EventSubject is the kind of record an event is about.
type EventSubject string

// The kinds of subjects: none, an equipment of annex 2 (by name), a fiche
// (by code).
const (
	SubjectNone      EventSubject = ""
	SubjectEquipment EventSubject = "equipment"
	SubjectFiche     EventSubject = "fiche"
)

// EventRequest is a financed partner's request to hold a public event
// (art. 8 protocol), with the financer's answers on its date and on the
// use of its graphic charter. It refers to its convention by slug and to
// organizations and records by natural key.
type EventRequest struct {
	Meta
	Convention string `json:"convention"`
	// Organization is the key of the partner that organizes the event.
	Organization string `json:"organization"`
	// Financer is the key of the financing organization that must agree.
	Financer string          `json:"financer"`
	Kind     PublicEventKind `json:"kind"`
	// Title says what is inaugurated or signed.
	Title       string       `json:"title"`
	SubjectKind EventSubject `json:"subject_kind,omitempty"`
	// SubjectKey is an equipment's name or a fiche's code.
	SubjectKey   string        `json:"subject_key,omitempty"`
	ProposedDate Date          `json:"proposed_date"`
	Place        string        `json:"place,omitempty"`
	Date         DateAgreement `json:"date_agreement"`
	// OtherDate is the date the financer proposes instead.
	OtherDate         *Date            `json:"other_date,omitempty"`
	DateNote          string           `json:"date_note,omitempty"`
	Charter           CharterAgreement `json:"charter_agreement"`
	CharterConditions string           `json:"charter_conditions,omitempty"`
}

// UnagreedOn reports whether the proposed date is past on day today
// without the financer having accepted it (nor refused the event).
func (r *EventRequest) UnagreedOn(today Date) bool {
	return r.ProposedDate.Before(today) && (r.Date == DatePending || r.Date == DateOther)
}

// EventState is where an event request stands as a whole, computed from
// the financer's answers and the day.
type EventState string

// The states of an event request.
const (
	// EventAwaiting: an answer of the financer is still pending.
	EventAwaiting EventState = "awaiting"
	// EventToReview: the date is refused or another one proposed, or the
	// charter is refused: the organizer has to act.
	EventToReview EventState = "to_review"
	// EventGranted: date accepted and charter granted.
	EventGranted EventState = "granted"
	// EventLapsed: the proposed date passed without agreement.
	EventLapsed EventState = "lapsed"
)

// EventStateLabels gives each state its French label.
var EventStateLabels = map[EventState]string{
	EventAwaiting: "en attente de la Caf",
	EventToReview: "à revoir",
	EventGranted:  "accordée",
	EventLapsed:   "passée sans accord",
}

// StateOn is where the request stands on day today.
func (r *EventRequest) StateOn(today Date) EventState {
	switch {
	case r.Date == DateAccepted && r.Charter == CharterGranted:
		return EventGranted
	case r.UnagreedOn(today):
		return EventLapsed
	case r.Date == DateRefused || r.Date == DateOther || r.Charter == CharterRefused:
		return EventToReview
	}
	return EventAwaiting
}
