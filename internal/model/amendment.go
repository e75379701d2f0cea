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
	Meta
	Convention string         `json:"convention"`
	Number     int            `json:"number"`
	Object     string         `json:"object"`
	State      AmendmentState `json:"state"`
	// WorkingCopy is the slug of the convention holding the text being
	// prepared, while in draft.
	WorkingCopy    string `json:"working_copy,omitempty"`
	CreatedBy      string `json:"created_by,omitempty"`
	SignedOn       *Date  `json:"signed_on,omitempty"`
	SignaturePlace string `json:"signature_place,omitempty"`
	EffectiveOn    *Date  `json:"effective_on,omitempty"`
	// Changes is the list of modifications as stored at signature, in
	// JSON: the service decodes it.
	Changes []byte `json:"-"`
	// AppliedAt is when the live convention took the avenant's text.
	AppliedAt      *time.Time               `json:"applied_at,omitempty"`
	Authorizations []AmendmentAuthorization `json:"authorizations"`
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
	Meta
	Convention string `json:"-"`
	Number     int    `json:"-"`
	// Organization is the party's organization key.
	Organization string `json:"organization"`
	Body         string `json:"body"`
	DecidedOn    *Date  `json:"decided_on,omitempty"`
	Reference    string `json:"reference,omitempty"`
	// PrefectureAcknowledgement is the identifier of the prefecture's
	// acknowledgement of receipt, when the act is transmitted.
	PrefectureAcknowledgement string `json:"prefecture_acknowledgement,omitempty"`
}

// ConventionVersion is the whole text of a convention in one of its
// versions: 0 is the original text, k the text after avenant n° k.
type ConventionVersion struct {
	Convention  string
	Number      int
	EffectiveOn *Date
	// Content is the convention in the interchange format.
	Content   []byte
	CreatedAt time.Time
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
