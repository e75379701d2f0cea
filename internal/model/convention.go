// Package model holds the domain types of a Convention Territoriale Globale.
//
// The types carry no SQL and no HTTP. Their YAML tags define the interchange
// format (docs/format.md); their JSON tags the read API, which mirrors it and
// adds the record metadata (id, version, timestamps).
package model

import (
	"bytes"
	"crypto/rand"
	"encoding/gob"
	"encoding/hex"
	"time"
)

// Meta is the bookkeeping every stored record carries. It never appears in
// the interchange format: a file describes a convention, not a database.
type Meta struct {
	ID        string    `yaml:"-" json:"id,omitempty"`
	Version   int       `yaml:"-" json:"version,omitempty"`
	CreatedAt time.Time `yaml:"-" json:"created_at,omitzero"`
	UpdatedAt time.Time `yaml:"-" json:"updated_at,omitzero"`
}

// NewID returns a random 128-bit identifier, hex-encoded, for a record
// that must be named (in a link, an e-mail, an invitation) before it is
// stored: a record with an ID and no version is inserted with that ID.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// FormatVersion names the interchange format a file follows.
const FormatVersion = "ctg/v1"

// Convention is a whole CTG, as signed, with everything it contains.
type Convention struct {
	Meta `yaml:",inline"`

	Format string `yaml:"format" json:"format"`
	// Slug identifies the convention on the platform (URLs, CLI).
	Slug      string `yaml:"slug" json:"slug"`
	Title     string `yaml:"title" json:"title"`
	Status    Status `yaml:"status" json:"status"`
	Synthetic bool   `yaml:"synthetic,omitempty" json:"synthetic,omitempty"`

	Period        Period                      `yaml:"period" json:"period"`
	Signature     Signature                   `yaml:"signature" json:"signature"`
	Territory     Territory                   `yaml:"territory" json:"territory"`
	Transmissions []PrefectureAcknowledgement `yaml:"prefecture_acknowledgements,omitempty" json:"prefecture_acknowledgements,omitempty"`

	Organizations []Organization `yaml:"organizations" json:"organizations"`
	Parties       []Party        `yaml:"parties" json:"parties"`
	LegalBases    []LegalBasis   `yaml:"legal_bases,omitempty" json:"legal_bases,omitempty"`
	Preamble      Preamble       `yaml:"preamble,omitempty" json:"preamble,omitzero"`
	Articles      []Article      `yaml:"articles,omitempty" json:"articles,omitempty"`
	Annexes       []Annex        `yaml:"annexes,omitempty" json:"annexes,omitempty"`
	Diagnostic    Diagnostic     `yaml:"diagnostic,omitempty" json:"diagnostic,omitzero"`
	Axes          []Axis         `yaml:"axes,omitempty" json:"axes,omitempty"`
	Equipments    []Equipment    `yaml:"equipments,omitempty" json:"equipments,omitempty"`
	Committees    []Committee    `yaml:"committees,omitempty" json:"committees,omitempty"`
	Contacts      []Contact      `yaml:"contacts,omitempty" json:"contacts,omitempty"`

	// Acts are the renewal and termination recorded beside the convention
	// (stored apart, keyed by its slug); not part of the file format.
	Acts LifecycleActs `yaml:"-" json:"-"`
}

// Status is the recorded lifecycle state of a convention.
type Status string

// The lifecycle states a convention can be recorded in.
const (
	StatusDraft      Status = "draft"
	StatusSigned     Status = "signed"
	StatusTerminated Status = "terminated"
	StatusRenewed    Status = "renewed"
)

// Statuses lists every valid Status, in lifecycle order.
var Statuses = []Status{StatusDraft, StatusSigned, StatusTerminated, StatusRenewed}

// Period is the span the convention covers and how it may be renewed.
type Period struct {
	Start Date `yaml:"start" json:"start"`
	End   Date `yaml:"end" json:"end"`
	// Renewal is the renewal clause as written (Art. 10 of the seed:
	// renewal only by express decision).
	Renewal string `yaml:"renewal,omitempty" json:"renewal,omitempty"`
}

// Signature records where and when the convention was signed.
type Signature struct {
	Place string `yaml:"place,omitempty" json:"place,omitempty"`
	// PlaceAsWritten keeps the spelling of the signed text when it differs.
	PlaceAsWritten string `yaml:"place_as_written,omitempty" json:"place_as_written,omitempty"`
	Date           *Date  `yaml:"date,omitempty" json:"date,omitempty"`
	// Copies is the clause on the number of originals, as written.
	Copies string `yaml:"copies,omitempty" json:"copies,omitempty"`
}

// PrefectureAcknowledgement is the stamp the prefecture puts on an act
// transmitted for legality control ("Accusé de réception en préfecture").
type PrefectureAcknowledgement struct {
	// Identifier such as 004-240400440-20221213-99-2022-DE: department,
	// SIREN of the transmitting body, act date, act number, act nature.
	Identifier string `yaml:"identifier" json:"identifier"`
	ReceivedOn *Date  `yaml:"received_on,omitempty" json:"received_on,omitempty"`
	// Organization is the key of the transmitting organization, when known.
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`
}

// Territory is the area the convention covers: an EPCI and its communes.
type Territory struct {
	// EPCI is the SIREN of the intercommunality.
	EPCI string `yaml:"epci,omitempty" json:"epci,omitempty"`
	// Communes lists INSEE codes when the territory is not exactly the EPCI.
	Communes []string `yaml:"communes,omitempty" json:"-"`

	// The fields below are looked up in the INSEE reference data when
	// reading; they are never stored nor written to a file.
	EPCIName   string             `yaml:"-" json:"epci_name,omitempty"`
	Population int                `yaml:"-" json:"population,omitempty"`
	Resolved   []TerritoryCommune `yaml:"-" json:"communes"`
}

// TerritoryCommune is one commune of the territory and whether it signed.
type TerritoryCommune struct {
	INSEE      string `json:"insee"`
	Name       string `json:"name"`
	SIREN      string `json:"siren,omitempty"`
	Population int    `json:"population,omitempty"`
	Signatory  bool   `json:"signatory"`
}

// OrganizationKind classifies an organization.
type OrganizationKind string

// The kinds of organizations a convention names.
const (
	KindCaf          OrganizationKind = "caf"
	KindMSA          OrganizationKind = "msa"
	KindEPCI         OrganizationKind = "epci"
	KindCommune      OrganizationKind = "commune"
	KindDepartement  OrganizationKind = "departement"
	KindStateService OrganizationKind = "state_service"
	KindAssociation  OrganizationKind = "association"
	KindOther        OrganizationKind = "other"
)

// OrganizationKinds lists every valid OrganizationKind.
var OrganizationKinds = []OrganizationKind{KindCaf, KindMSA, KindEPCI, KindCommune, KindDepartement, KindStateService, KindAssociation, KindOther}

// Organization is any body the convention names: a party, a committee
// member, an equipment operator.
type Organization struct {
	Meta `yaml:",inline"`
	// Key is the short name the rest of the file uses to refer to it.
	Key       string           `yaml:"key" json:"key"`
	Kind      OrganizationKind `yaml:"kind" json:"kind"`
	Name      string           `yaml:"name" json:"name"`
	ShortName string           `yaml:"short_name,omitempty" json:"short_name,omitempty"`
	SIREN     string           `yaml:"siren,omitempty" json:"siren,omitempty"`
	INSEE     string           `yaml:"insee,omitempty" json:"insee,omitempty"`
}

// Party is an organization that signs the convention.
type Party struct {
	Meta         `yaml:",inline"`
	Organization string `yaml:"organization" json:"organization"`
	// Designation is how the text names the party ("ci-après dénommée « la Caf »").
	Designation     string           `yaml:"designation,omitempty" json:"designation,omitempty"`
	Representatives []Representative `yaml:"representatives" json:"representatives"`
	Authorization   *Authorization   `yaml:"authorization,omitempty" json:"authorization,omitempty"`
}

// Representative is a person who signs for a party.
type Representative struct {
	Meta     `yaml:",inline"`
	Civility string `yaml:"civility,omitempty" json:"civility,omitempty"`
	Name     string `yaml:"name" json:"name"`
	// Title as written where the party is introduced.
	Title string `yaml:"title" json:"title"`
	// SignatureTitle as written in the signature block, when it differs.
	SignatureTitle string `yaml:"signature_title,omitempty" json:"signature_title,omitempty"`
	// SignatureName as written in the signature block, when it differs.
	SignatureName string `yaml:"signature_name,omitempty" json:"signature_name,omitempty"`
}

// Authorization is the decision allowing a party's representatives to sign.
type Authorization struct {
	Meta `yaml:",inline"`
	// Kind is "deliberation" for a council's vote.
	Kind string `yaml:"kind" json:"kind"`
	// Body is the deciding body: conseil municipal, conseil communautaire…
	Body string `yaml:"body" json:"body"`
	// Date is nil when the text leaves it blank.
	Date *Date `yaml:"date,omitempty" json:"date,omitempty"`
	// DateAsWritten keeps the text's wording, "XXXX" included.
	DateAsWritten string `yaml:"date_as_written,omitempty" json:"date_as_written,omitempty"`
	Reference     string `yaml:"reference,omitempty" json:"reference,omitempty"`
	Subject       string `yaml:"subject,omitempty" json:"subject,omitempty"`
	// Annex is the number of the annex said to hold the decision.
	Annex                     int    `yaml:"annex,omitempty" json:"annex,omitempty"`
	PrefectureAcknowledgement string `yaml:"prefecture_acknowledgement,omitempty" json:"prefecture_acknowledgement,omitempty"`
}

// LegalBasis is one "Vu …" of the convention.
type LegalBasis struct {
	Meta `yaml:",inline"`
	Text string `yaml:"text" json:"text"`
	// Party is set when the visa cites a party's authorization.
	Party string `yaml:"party,omitempty" json:"party,omitempty"`
}

// Preamble is the convention's preamble: its text and the shared themes.
type Preamble struct {
	Text   string   `yaml:"text,omitempty" json:"text,omitempty"`
	Themes []string `yaml:"themes,omitempty" json:"themes,omitempty"`
}

// Article is a numbered article of the convention.
type Article struct {
	Meta      `yaml:",inline"`
	Number    int      `yaml:"number" json:"number"`
	Title     string   `yaml:"title" json:"title"`
	Text      string   `yaml:"text" json:"text"`
	Footnotes []string `yaml:"footnotes,omitempty" json:"footnotes,omitempty"`
}

// Annex is a numbered annex; its structured content lives elsewhere
// (diagnostic, equipments, axes, committees) and Holds says which.
type Annex struct {
	Meta   `yaml:",inline"`
	Number int    `yaml:"number" json:"number"`
	Title  string `yaml:"title" json:"title"`
	Text   string `yaml:"text,omitempty" json:"text,omitempty"`
	// Holds names the structured part the annex contains, if any:
	// diagnostic, equipments, action_plan, governance, evaluation, authorizations.
	Holds string `yaml:"holds,omitempty" json:"holds,omitempty"`
}

// AnnexHolds lists what an annex may hold: the structured parts of a
// convention that an annex carries.
var AnnexHolds = []string{"diagnostic", "equipments", "action_plan", "governance", "evaluation", "authorizations"}

// Diagnostic is the shared diagnostic (Art. 4, Annex 1).
type Diagnostic struct {
	// Author is who carried out the analysis, as written.
	Author   string    `yaml:"author,omitempty" json:"author,omitempty"`
	Summary  string    `yaml:"summary,omitempty" json:"summary,omitempty"`
	Findings []Finding `yaml:"findings,omitempty" json:"findings,omitempty"`
}

// FindingKind says which column of the diagnostic a finding comes from.
type FindingKind string

// The two columns of a CTG diagnostic.
const (
	FindingQuantitative FindingKind = "quantitative"
	FindingQualitative  FindingKind = "qualitative"
)

// Finding is one statement of the diagnostic for a theme.
type Finding struct {
	Meta  `yaml:",inline"`
	Theme string      `yaml:"theme" json:"theme"`
	Kind  FindingKind `yaml:"kind" json:"kind"`
	Text  string      `yaml:"text" json:"text"`
	// Fiches lists codes of the fiches that answer the finding.
	Fiches []string `yaml:"fiches,omitempty" json:"fiches,omitempty"`
}

// Axis is a numbered theme of the action plan.
type Axis struct {
	Meta   `yaml:",inline"`
	Number int    `yaml:"number" json:"number"`
	Title  string `yaml:"title" json:"title"`
	// FichesDueBy is set when the axis's fiches are promised later.
	FichesDueBy *Date `yaml:"fiches_due_by,omitempty" json:"fiches_due_by,omitempty"`
	// Promise is the text of that promise, as written.
	Promise string  `yaml:"promise,omitempty" json:"promise,omitempty"`
	Fiches  []Fiche `yaml:"fiches,omitempty" json:"fiches,omitempty"`
}

// Fiche is a fiche action: a numbered action of the plan.
type Fiche struct {
	Meta  `yaml:",inline"`
	Code  string `yaml:"code" json:"code"`
	Title string `yaml:"title" json:"title"`
	// Listings keeps how other places of the text list the fiche.
	Listings   []Listing `yaml:"listings,omitempty" json:"listings,omitempty"`
	Context    string    `yaml:"context,omitempty" json:"context,omitempty"`
	Objectives []string  `yaml:"objectives,omitempty" json:"objectives,omitempty"`
	// Description is the text that introduces the steps.
	Description string      `yaml:"description,omitempty" json:"description,omitempty"`
	Steps       []Step      `yaml:"steps,omitempty" json:"steps,omitempty"`
	Indicators  []Indicator `yaml:"indicators,omitempty" json:"indicators,omitempty"`
	// IndicatorsHeading is the heading as written ("Critères d'évaluation").
	IndicatorsHeading string       `yaml:"indicators_heading,omitempty" json:"indicators_heading,omitempty"`
	TargetPublic      []string     `yaml:"target_public,omitempty" json:"target_public,omitempty"`
	Pilots            []string     `yaml:"pilots,omitempty" json:"pilots,omitempty"`
	Partners          []string     `yaml:"partners,omitempty" json:"partners,omitempty"`
	Status            ActionStatus `yaml:"status" json:"status"`
}

// Listing is how a fiche appears in a list elsewhere in the text.
type Listing struct {
	// Place is where the list is: "article 4", "annexe 3".
	Place string `yaml:"place" json:"place"`
	Code  string `yaml:"code" json:"code"`
	Title string `yaml:"title" json:"title"`
}

// ActionStatus is the progress of a fiche or a step.
type ActionStatus string

// The progress states of fiches and steps.
const (
	ActionPlanned    ActionStatus = "planned"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionLate       ActionStatus = "late"
	ActionAbandoned  ActionStatus = "abandoned"
)

// ActionStatuses lists every valid ActionStatus.
var ActionStatuses = []ActionStatus{ActionPlanned, ActionInProgress, ActionDone, ActionLate, ActionAbandoned}

// Step is a dated item of a fiche's "Descriptif".
type Step struct {
	Meta   `yaml:",inline"`
	Number int    `yaml:"number,omitempty" json:"number,omitempty"`
	Text   string `yaml:"text" json:"text"`
	// Details are the bullet points under the step, as written.
	Details    []string     `yaml:"details,omitempty" json:"details,omitempty"`
	Schedule   Schedule     `yaml:"schedule,omitempty" json:"schedule,omitzero"`
	Indicators []Indicator  `yaml:"indicators,omitempty" json:"indicators,omitempty"`
	Status     ActionStatus `yaml:"status" json:"status"`
}

// Recurrence says how often a step repeats.
type Recurrence string

// The recurrences a step schedule can carry.
const (
	RecurNone   Recurrence = ""
	RecurYearly Recurrence = "yearly"
)

// Schedule is when a step happens: as written, and normalized.
type Schedule struct {
	// AsWritten is the text's wording: "Dès 2023", "En 2024"…
	AsWritten string `yaml:"as_written,omitempty" json:"as_written,omitempty"`
	// Start is the first day the step may begin; End, when set, the last.
	Start      *Date      `yaml:"start,omitempty" json:"start,omitempty"`
	End        *Date      `yaml:"end,omitempty" json:"end,omitempty"`
	Recurrence Recurrence `yaml:"recurrence,omitempty" json:"recurrence,omitempty"`
}

// Indicator is something measured to evaluate a fiche or a step: an
// entry of the convention's indicator catalogue.
type Indicator struct {
	Meta `yaml:",inline"`
	// Code identifies the indicator in collections and reports ("2.2-1").
	// The same label listed under two steps of a fiche may share a code:
	// it is then one indicator, collected once.
	Code  string `yaml:"code,omitempty" json:"code,omitempty"`
	Label string `yaml:"label" json:"label"`
	// Unit is what the values count: count, euros, hours, places, percent, text.
	Unit Unit `yaml:"unit,omitempty" json:"unit,omitempty"`
	// Periodicity is how often a value is collected: year, quarter, month.
	Periodicity Periodicity `yaml:"periodicity,omitempty" json:"periodicity,omitempty"`
	// Combine says how values add up over breakdowns and periods: sum,
	// mean, latest, or ratio of two other indicators (Numerator / Denominator).
	Combine     Combine `yaml:"combine,omitempty" json:"combine,omitempty"`
	Numerator   string  `yaml:"numerator,omitempty" json:"numerator,omitempty"`
	Denominator string  `yaml:"denominator,omitempty" json:"denominator,omitempty"`
	// Dimensions are the breakdowns values are collected by: commune,
	// equipment_type, channel, partner.
	Dimensions []string `yaml:"dimensions,omitempty" json:"dimensions,omitempty"`
	// Responsible is the key of the organization that reports the values.
	Responsible string `yaml:"responsible,omitempty" json:"responsible,omitempty"`
	// Targets are the values aimed at, per period.
	Targets []Target `yaml:"targets,omitempty" json:"targets,omitempty"`
	// Tolerance is the deviation from the target, in percent, beyond which
	// it is "important" and goes to the steering committee.
	Tolerance int `yaml:"tolerance,omitempty" json:"tolerance,omitempty"`
}

// Target is the value aimed at for one period ("2024", "2024-T2", "2024-03").
type Target struct {
	Period string  `yaml:"period" json:"period"`
	Value  float64 `yaml:"value" json:"value"`
}

// Dimensions lists the breakdowns an indicator's values may have.
var Dimensions = []string{"commune", "equipment_type", "channel", "partner"}

// Equipment is a facility or service supported under the convention (Annex 2).
type Equipment struct {
	Meta `yaml:",inline"`
	// OperatorName is the operator as written in the annex.
	OperatorName string `yaml:"operator_name" json:"operator_name"`
	// Operator is the key of the operating organization, when identified.
	Operator       string   `yaml:"operator,omitempty" json:"operator,omitempty"`
	Name           string   `yaml:"name" json:"name"`
	ActivityType   string   `yaml:"activity_type" json:"activity_type"`
	ActivityNature string   `yaml:"activity_nature,omitempty" json:"activity_nature,omitempty"`
	Address        []string `yaml:"address,omitempty" json:"address,omitempty"`
	PostalCode     string   `yaml:"postal_code,omitempty" json:"postal_code,omitempty"`
	// City is the city as written in the annex.
	City string `yaml:"city,omitempty" json:"city,omitempty"`
	// Commune is the INSEE code of the commune where the equipment is.
	Commune string `yaml:"commune" json:"commune"`
	// Places is the number of places the equipment is approved for (its
	// agrément: children for a crèche, a leisure centre), when known.
	Places int `yaml:"places,omitempty" json:"places,omitempty"`
}

// CommitteeKind classifies a governance body.
type CommitteeKind string

// The governance bodies of a CTG.
const (
	CommitteeSteering  CommitteeKind = "copil"
	CommitteeTechnical CommitteeKind = "cotech"
)

// Committee is a governance body (Art. 6, Annex 4).
type Committee struct {
	Meta        `yaml:",inline"`
	Key         string        `yaml:"key" json:"key"`
	Kind        CommitteeKind `yaml:"kind" json:"kind"`
	Name        string        `yaml:"name" json:"name"`
	Composition []MemberGroup `yaml:"composition,omitempty" json:"composition,omitempty"`
	Purposes    []string      `yaml:"purposes,omitempty" json:"purposes,omitempty"`
	CoChairs    []string      `yaml:"co_chairs,omitempty" json:"co_chairs,omitempty"`
	Secretariat string        `yaml:"secretariat,omitempty" json:"secretariat,omitempty"`
	Notes       string        `yaml:"notes,omitempty" json:"notes,omitempty"`
}

// MemberGroup is one line of a committee's composition: who sits for
// which organizations.
type MemberGroup struct {
	// Label as written: "Pour la Caf".
	Label         string   `yaml:"label" json:"label"`
	Organizations []string `yaml:"organizations,omitempty" json:"organizations,omitempty"`
	Members       []string `yaml:"members" json:"members"`
}

// Contact is a service or person the text names to be contacted (Art. 8).
type Contact struct {
	Meta         `yaml:",inline"`
	Label        string `yaml:"label" json:"label"`
	Organization string `yaml:"organization,omitempty" json:"organization,omitempty"`
	Phone        string `yaml:"phone,omitempty" json:"phone,omitempty"`
	Email        string `yaml:"email,omitempty" json:"email,omitempty"`
	Purpose      string `yaml:"purpose,omitempty" json:"purpose,omitempty"`
}

// OrgName returns the name of the convention's organization with that
// key, or the key itself when no organization has it (or it is unnamed).
func (c *Convention) OrgName(key string) string {
	for _, o := range c.Organizations {
		if o.Key == key && o.Name != "" {
			return o.Name
		}
	}
	return key
}

// ConventionFile is a whole file of the interchange format: the
// convention's text, then, when the platform records them, its life: its
// avenants, the stored texts of its versions, its renewal and
// termination, the description of its documents (their bytes travel
// in the archive only) and the meetings of its committees.
type ConventionFile struct {
	Convention `yaml:",inline"`
	// Avenants are the convention's avenants, by number.
	Avenants []Amendment `yaml:"avenants,omitempty"`
	// Versions are the stored texts of the convention: 0 the original,
	// k the text after avenant n° k.
	Versions []ConventionVersion `yaml:"versions,omitempty"`
	// LifeActs are the renewal, the termination and the predecessor.
	LifeActs *LifecycleActs `yaml:"acts,omitempty"`
	// Documents describe the files attached to the convention.
	Documents []Document `yaml:"documents,omitempty"`
	// Meetings are the meetings of its committees, by date, with their
	// attendance, decisions and follow-up actions.
	Meetings []Meeting `yaml:"meetings,omitempty"`
}

// Clone returns a deep copy of c, metadata included.
func (c *Convention) Clone() *Convention {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		panic(err) // the model holds only plain data
	}
	var out Convention
	if err := gob.NewDecoder(&buf).Decode(&out); err != nil {
		panic(err)
	}
	return &out
}
