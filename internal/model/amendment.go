package model

import (
	"strconv"
	"strings"
	"time"
)

// AmendmentState is where an avenant stands.
type AmendmentState string

// The states of an avenant.
const (
	// AmendmentDraft is being prepared in its working copy.
	AmendmentDraft AmendmentState = "draft"
	// AmendmentSigned is signed: it changes the convention from its date of effect.
	AmendmentSigned AmendmentState = "signed"
	// AmendmentAbandoned was given up while in draft; it stays in the history.
	AmendmentAbandoned AmendmentState = "abandoned"
)

// AmendmentStateLabels gives each state in French.
var AmendmentStateLabels = map[AmendmentState]string{
	AmendmentDraft:     "en préparation",
	AmendmentSigned:    "signé",
	AmendmentAbandoned: "abandonné",
}

// Label is the state in French.
func (s AmendmentState) Label() string { return AmendmentStateLabels[s] }

// Amendment is an avenant to a convention (art. 11 of the seed): numbered
// per convention, it changes the signed text from its date of effect. It
// refers to its convention by slug, which survives a re-import.
type Amendment struct {
	Meta       `yaml:",inline"`
	Convention string         `yaml:"-" json:"convention"`
	Number     int            `yaml:"number" json:"number"`
	Object     string         `yaml:"object" json:"object"`
	State      AmendmentState `yaml:"state" json:"state"`
	// WorkingCopy is the slug of the convention holding the text being
	// prepared, while in draft.
	WorkingCopy    string `yaml:"-" json:"working_copy,omitempty"`
	CreatedBy      string `yaml:"-" json:"created_by,omitempty"`
	SignedOn       *Date  `yaml:"signed_on,omitempty" json:"signed_on,omitempty"`
	SignaturePlace string `yaml:"signature_place,omitempty" json:"signature_place,omitempty"`
	EffectiveOn    *Date  `yaml:"effective_on,omitempty" json:"effective_on,omitempty"`
	// Changes is the list of modifications as stored at signature, in
	// JSON: the service decodes it.
	Changes []byte `yaml:"-" json:"-"`
	// AppliedAt is when the live convention took the avenant's text.
	AppliedAt      *time.Time               `yaml:"-" json:"applied_at,omitempty"`
	Authorizations []AmendmentAuthorization `yaml:"authorizations,omitempty" json:"authorizations"`
	// Modifications are the changes stored at signature, as a file
	// writes them (Changes decoded).
	Modifications []AmendmentChange `yaml:"changes,omitempty" json:"-"`
	// Text is the text of the working copy, with the convention's own
	// slug, as a file writes it while the avenant is in draft.
	Text *Convention `yaml:"working_copy,omitempty" json:"-"`
}

// Authorization returns the authorization of a party (organization key), if recorded.
func (x *Amendment) Authorization(org string) *AmendmentAuthorization {
	for i := range x.Authorizations {
		if x.Authorizations[i].Organization == org {
			return &x.Authorizations[i]
		}
	}
	return nil
}

// InForceOn reports whether the avenant is signed and effective on day d.
func (x *Amendment) InForceOn(d Date) bool {
	return x.State == AmendmentSigned && x.EffectiveOn != nil && !d.Before(*x.EffectiveOn)
}

// AmendmentAuthorization is the decision of a party's council allowing
// its representative to sign an avenant.
type AmendmentAuthorization struct {
	Meta       `yaml:",inline"`
	Convention string `yaml:"-" json:"-"`
	Number     int    `yaml:"-" json:"-"`
	// Organization is the party's organization key.
	Organization string `yaml:"organization" json:"organization"`
	Body         string `yaml:"body" json:"body"`
	DecidedOn    *Date  `yaml:"decided_on,omitempty" json:"decided_on,omitempty"`
	Reference    string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// PrefectureAcknowledgement is the identifier of the prefecture's
	// acknowledgement of receipt, when the act is transmitted.
	PrefectureAcknowledgement string `yaml:"prefecture_acknowledgement,omitempty" json:"prefecture_acknowledgement,omitempty"`
}

// AmendmentChange is one modification of the signed text an avenant
// makes, as the avenant states it.
type AmendmentChange struct {
	// Kind is the kind of record changed: convention, party, legal_basis,
	// article, annex, finding, axis, fiche, equipment, committee.
	Kind string `yaml:"kind" json:"kind"`
	// Op is add, remove or replace.
	Op string `yaml:"op" json:"op"`
	// Place says where in the convention: « Article 10 », « Annexe 3 – fiche 5.1 ».
	Place string `yaml:"place" json:"place"`
	// Sentence is the modification as the avenant states it.
	Sentence string `yaml:"sentence" json:"sentence"`
	// Before and After are the text of the part before and after, for a
	// side-by-side reading; empty for what did not exist.
	Before string `yaml:"before,omitempty" json:"before,omitempty"`
	// After is the text of the part after the change.
	After string `yaml:"after,omitempty" json:"after,omitempty"`
	// Axis is the number of the axis a fiche belongs to, for fiches.
	Axis int `yaml:"axis,omitempty" json:"axis,omitempty"`
}

// AmendmentOps lists the operations a change makes.
var AmendmentOps = []string{"add", "remove", "replace"}

// ConventionVersion is the whole text of a convention in one of its
// versions: 0 is the original text, k the text after avenant n° k.
type ConventionVersion struct {
	Convention  string `yaml:"-"`
	Number      int    `yaml:"number"`
	EffectiveOn *Date  `yaml:"effective_on,omitempty"`
	// Content is the convention in the interchange format.
	Content   []byte    `yaml:"-"`
	CreatedAt time.Time `yaml:"-"`
	// Text is Content decoded, as a file writes it.
	Text Convention `yaml:"text"`
}

// workingCopyMark separates a convention's slug from its avenant's number
// in the slug of a working copy. A convention's own slug never holds two
// dashes in a row, so the two never collide.
const workingCopyMark = "--avenant-"

// WorkingCopySlug is the slug of the working copy of avenant n of a convention.
func WorkingCopySlug(parent string, n int) string {
	return parent + workingCopyMark + strconv.Itoa(n)
}

// WorkingCopyOf tells whether slug is a working copy's, and of which
// convention and avenant.
func WorkingCopyOf(slug string) (parent string, n int, ok bool) {
	parent, num, found := strings.Cut(slug, workingCopyMark)
	if !found || parent == "" {
		return "", 0, false
	}
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return "", 0, false
	}
	return parent, n, true
}
