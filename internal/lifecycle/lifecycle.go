// Package lifecycle says where a convention stands in its life on a given
// day — draft, awaiting signatures, signed, in force, ended, renewed or
// terminated — from what the data records (the parties' authorizations,
// the signature date, the period), not from a label someone typed. It
// knows nothing of SQL or HTTP.
package lifecycle

import (
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// State is where a convention stands in its life on a day.
type State string

// The states of a convention, in the order of its life.
const (
	// Draft: no signature and no party's authorization dated yet.
	Draft State = "draft"
	// AwaitingSignatures: the parties' authorizations are being collected,
	// or all are in and the signature is not recorded yet.
	AwaitingSignatures State = "awaiting_signatures"
	// Signed: signed, its period not started yet.
	Signed State = "signed"
	// InForce: signed, the day within its period.
	InForce State = "in_force"
	// Ended: signed, its period over, no renewal recorded (échue).
	Ended State = "ended"
	// Renewed: its period over and its renewal recorded.
	Renewed State = "renewed"
	// Terminated: its termination recorded (résiliée).
	Terminated State = "terminated"
)

// States lists every state, in the order of a convention's life.
var States = []State{Draft, AwaitingSignatures, Signed, InForce, Ended, Renewed, Terminated}

var labels = map[State]string{
	Draft: "projet", AwaitingSignatures: "en attente de signatures", Signed: "signée", InForce: "en vigueur",
	Ended: "échue", Renewed: "renouvelée", Terminated: "résiliée",
}

// Label names the state in French ("en vigueur").
func (s State) Label() string {
	if l, ok := labels[s]; ok {
		return l
	}
	return string(s)
}

// Facts are what the state is computed from: a few fields of the
// convention and its acts, so that a list of conventions computes it
// without reading each one whole. The status field of the file is not
// among them: renewal and termination are acts (see package model).
type Facts struct {
	Period model.Period
	// SignedOn is the signature date, nil when none is recorded.
	SignedOn *model.Date
	// Authorizations holds, for each party, the date of its authorization
	// to sign, nil when none is dated.
	Authorizations []*model.Date
	// Renewal and Termination are the acts recorded, nil when none.
	Renewal     *model.Renewal
	Termination *model.Termination
}

// Of gathers the facts of a whole convention.
func Of(c *model.Convention) Facts {
	f := Facts{Period: c.Period, SignedOn: c.Signature.Date, Authorizations: make([]*model.Date, len(c.Parties)),
		Renewal: c.Acts.Renewal, Termination: c.Acts.Termination}
	for i, p := range c.Parties {
		if p.Authorization != nil {
			f.Authorizations[i] = p.Authorization.Date
		}
	}
	return f
}

// OfSummary gathers the facts of a convention as listed.
func OfSummary(s model.ConventionSummary) Facts {
	return Facts{Period: s.Period, SignedOn: s.SignedOn, Authorizations: s.Authorizations,
		Renewal: s.Acts.Renewal, Termination: s.Acts.Termination}
}

// signedBy reports whether the convention is signed on day d. A signed
// text is signed even when deliberation dates are missing: the checker
// reports those.
func (f Facts) signedBy(d model.Date) bool { return f.SignedOn != nil && !f.SignedOn.After(d) }

// authorizedBy counts the parties whose authorization is dated on or
// before day d.
func (f Facts) authorizedBy(d model.Date) int {
	n := 0
	for _, a := range f.Authorizations {
		if a != nil && !a.After(d) {
			n++
		}
	}
	return n
}

// terminatedBy reports whether the termination has taken effect on day
// d. A termination whose effect would come after the end of the period
// changes nothing: the convention ended first.
func (f Facts) terminatedBy(d model.Date) bool {
	t := f.Termination
	return t != nil && !d.Before(t.EffectiveOn) && !t.EffectiveOn.After(f.Period.End)
}

// NoticeRunning reports whether a termination notice runs on day d: the
// letter received, its effect not reached yet.
func (f Facts) NoticeRunning(d model.Date) bool {
	t := f.Termination
	return t != nil && !d.Before(t.ReceivedOn) && d.Before(t.EffectiveOn) && !t.EffectiveOn.After(f.Period.End)
}

// renewedBy reports whether the renewal was decided on or before day d.
func (f Facts) renewedBy(d model.Date) bool { return f.Renewal != nil && !f.Renewal.DecidedOn.After(d) }

// On computes the state of the convention on day d. Acts dated after d
// do not count yet: on a day before its signature, a convention is a
// draft or awaits its signatures.
func (f Facts) On(d model.Date) State {
	if !f.signedBy(d) {
		if f.authorizedBy(d) == 0 {
			return Draft
		}
		return AwaitingSignatures
	}
	switch {
	case f.terminatedBy(d):
		return Terminated
	case d.Before(f.Period.Start):
		return Signed
	case !d.After(f.Period.End):
		return InForce
	case f.renewedBy(d):
		return Renewed
	}
	return Ended
}

// EngagementsDay is the day as of which the parties' engagements are
// judged on day d: d itself, or the effective date of the termination
// once reached (art. 12: "l'arrêt immédiat des engagements des
// parties"). A step due after that date is no longer late. A convention
// not signed by d binds nobody yet: the day is then the first of all, and
// no step is late (a successor drafted with its predecessor's schedules).
func (f Facts) EngagementsDay(d model.Date) model.Date {
	switch {
	case !f.signedBy(d):
		return model.Date{}
	case f.terminatedBy(d):
		return f.Termination.EffectiveOn
	}
	return d
}

// EngagementsDay is Facts.EngagementsDay for a whole convention.
func EngagementsDay(c *model.Convention, d model.Date) model.Date { return Of(c).EngagementsDay(d) }

// Standing is the state of a convention on a day, with its French label
// and a sentence that explains it, for pages and the API.
type Standing struct {
	Code  State  `json:"code"`
	Label string `json:"label"`
	// Explanation says in one sentence what the state rests on.
	Explanation string     `json:"explanation"`
	On          model.Date `json:"on"`
}

// StandingOn computes the state on day d and explains it.
func (f Facts) StandingOn(d model.Date) Standing {
	s := f.On(d)
	return Standing{Code: s, Label: s.Label(), Explanation: f.explain(s, d), On: d}
}

// explain writes the sentence shown beside state s on day d: "Signée le
// 9 novembre 2022, en vigueur du 1er janvier 2022 au 31 décembre 2024 ;
// échue depuis le 1er janvier 2025, aucun renouvellement décidé."
func (f Facts) explain(s State, d model.Date) string {
	date := textutil.FrenchDate
	period := fmt.Sprintf("du %s au %s", date(f.Period.Start), date(f.Period.End))
	signed := ""
	if f.SignedOn != nil {
		signed = "Signée le " + date(*f.SignedOn) + ", "
	}
	switch s {
	case Draft, AwaitingSignatures:
		var parts []string
		n, total := f.authorizedBy(d), len(f.Authorizations)
		switch {
		case total == 0:
			parts = append(parts, "Aucune partie n'est encore enregistrée")
		case n == 0:
			parts = append(parts, fmt.Sprintf("Aucune des %d parties n'a de délibération datée", total))
		case n == total:
			parts = append(parts, fmt.Sprintf("Les %d parties ont délibéré", total))
		default:
			parts = append(parts, fmt.Sprintf("%d délibération(s) datée(s) sur %d parties", n, total))
		}
		if f.SignedOn != nil {
			parts = append(parts, "pas encore signée à cette date (signature le "+date(*f.SignedOn)+")")
		} else {
			parts = append(parts, "aucune date de signature enregistrée")
		}
		parts = append(parts, "période prévue "+period)
		return strings.Join(parts, " ; ") + "."
	case Signed:
		return fmt.Sprintf("%sen vigueur %s : la période n'a pas commencé%s.", signed, period, f.notice(d))
	case InForce:
		out := fmt.Sprintf("%sen vigueur %s", signed, period)
		if f.renewedBy(d) {
			out += " ; renouvellement décidé le " + date(f.Renewal.DecidedOn)
		}
		return out + f.notice(d) + "."
	case Ended:
		return fmt.Sprintf("%sen vigueur %s ; échue depuis le %s, aucun renouvellement décidé.", signed, period, date(dayAfter(f.Period.End)))
	case Renewed:
		return fmt.Sprintf("%sen vigueur %s ; renouvelée à son terme (renouvellement décidé le %s).", signed, period, date(f.Renewal.DecidedOn))
	case Terminated:
		t := f.Termination
		return fmt.Sprintf("%sprévue %s ; résiliée à compter du %s (%s).", signed, period, date(t.EffectiveOn), t.Mode.Label())
	}
	return ""
}

// notice is the clause added to the explanation while a termination
// notice runs.
func (f Facts) notice(d model.Date) string {
	if !f.NoticeRunning(d) {
		return ""
	}
	return " ; préavis de résiliation en cours, effet le " + textutil.FrenchDate(f.Termination.EffectiveOn)
}

// dayAfter is the day following d.
func dayAfter(d model.Date) model.Date { return model.DateOf(d.Time().AddDate(0, 0, 1)) }
