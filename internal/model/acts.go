package model

// This file holds the acts that make a convention's life after its
// signature: the express decision to renew it (art. 10 of the seed) and
// its termination (art. 12). They are stored beside the convention, keyed
// by its slug, so that they survive a re-import of its text.

// TerminationMode is one of the ways art. 12 opens to end a convention
// before its term.
type TerminationMode string

// The termination modes of art. 12.
const (
	// TerminationBreach: a party fails one of its obligations; formal
	// notice by registered letter, termination one month after it
	// remained without effect; either party may send it.
	TerminationBreach TerminationMode = "breach_of_obligations"
	// TerminationBreachOfLaws: a party breaks the laws and regulations in
	// force; the same notice and delay, by the Caf only.
	TerminationBreachOfLaws TerminationMode = "breach_of_laws"
	// TerminationWithoutNotice: a term of the convention was changed
	// without an avenant; by the Caf, without formal notice.
	TerminationWithoutNotice TerminationMode = "change_without_avenant"
	// TerminationMutualConsent: denunciation by either party with six
	// months' notice ("Résiliation par consentement mutuel").
	TerminationMutualConsent TerminationMode = "mutual_consent"
)

// TerminationModes lists the modes in the order of art. 12.
var TerminationModes = []TerminationMode{TerminationBreach, TerminationBreachOfLaws, TerminationWithoutNotice, TerminationMutualConsent}

var terminationLabels = map[TerminationMode]string{
	TerminationBreach:        "résiliation de plein droit avec mise en demeure, pour non-respect des obligations",
	TerminationBreachOfLaws:  "résiliation de plein droit avec mise en demeure, pour infraction aux lois et règlements",
	TerminationWithoutNotice: "résiliation de plein droit sans mise en demeure, pour modification sans avenant",
	TerminationMutualConsent: "résiliation par consentement mutuel (dénonciation avec préavis de 6 mois)",
}

// Label names the mode in French, in the words of art. 12.
func (m TerminationMode) Label() string {
	if l, ok := terminationLabels[m]; ok {
		return l
	}
	return string(m)
}

// Renewal is the express decision to renew a convention, which creates
// its successor.
type Renewal struct {
	Meta      `yaml:",inline"`
	DecidedOn Date `yaml:"decided_on" json:"decided_on"`
	// Acts are the deciding acts as written: the deliberations, the Caf's
	// board decision…
	Acts string `yaml:"acts,omitempty" json:"acts"`
	// Successor is the slug of the convention that follows.
	Successor  string `yaml:"successor" json:"successor"`
	RecordedBy string `yaml:"-" json:"recorded_by"`
}

// Termination is a termination of the convention under art. 12.
type Termination struct {
	Meta `yaml:",inline"`
	Mode TerminationMode `yaml:"mode" json:"mode"`
	// Sender is the key of the party that sent the letter.
	Sender string `yaml:"sender" json:"sender"`
	// LetterOn is the date of the letter (formal notice or denunciation).
	LetterOn Date `yaml:"letter_on" json:"letter_on"`
	// ReceivedOn is the date the letter was received.
	ReceivedOn Date `yaml:"received_on" json:"received_on"`
	// EffectiveOn is computed from the mode and the receipt, and stored.
	EffectiveOn Date `yaml:"effective_on" json:"effective_on"`
	// References are the letters' references, as written.
	References string `yaml:"references,omitempty" json:"references,omitempty"`
	RecordedBy string `yaml:"-" json:"recorded_by"`
}

// LifecycleActs are the acts recorded on a convention, and the
// convention it succeeds, if any.
type LifecycleActs struct {
	// Renewal is the express decision to renew, if taken.
	Renewal *Renewal `yaml:"renewal,omitempty" json:"renewal"`
	// Termination is the termination under art. 12, if recorded.
	Termination *Termination `yaml:"termination,omitempty" json:"termination"`
	// Predecessor is the slug of the convention whose renewal created
	// this one; "" when none.
	Predecessor string `yaml:"predecessor,omitempty" json:"predecessor,omitempty"`
}
