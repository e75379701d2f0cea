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
// convention, so that a list of conventions computes it without reading
// each one whole.
type Facts struct {
	// Recorded is the status recorded on the convention. It is the source
	// of the renewal and the termination only, until these are recorded
	// as acts; "draft" and "signed" are ignored.
	Recorded model.Status
	Period   model.Period
	// SignedOn is the signature date, nil when none is recorded.
	SignedOn *model.Date
	// Authorizations holds, for each party, the date of its authorization
	// to sign, nil when none is dated.
	Authorizations []*model.Date
}

// Of gathers the facts of a whole convention.
func Of(c *model.Convention) Facts {
	f := Facts{Recorded: c.Status, Period: c.Period, SignedOn: c.Signature.Date, Authorizations: make([]*model.Date, len(c.Parties))}
	for i, p := range c.Parties {
		if p.Authorization != nil {
			f.Authorizations[i] = p.Authorization.Date
		}
	}
	return f
}

// OfSummary gathers the facts of a convention as listed.
func OfSummary(s model.ConventionSummary) Facts {
	return Facts{Recorded: s.Status, Period: s.Period, SignedOn: s.SignedOn, Authorizations: s.Authorizations}
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

// On computes the state of the convention on day d. Acts dated after d
// do not count yet: on a day before its signature, a convention is a
// draft or awaits its signatures.
func (f Facts) On(d model.Date) State {
	if f.Recorded == model.StatusTerminated && (f.SignedOn == nil || f.signedBy(d)) {
		return Terminated
	}
	if !f.signedBy(d) {
		if f.authorizedBy(d) == 0 {
			return Draft
		}
		return AwaitingSignatures
	}
	switch {
	case d.Before(f.Period.Start):
		return Signed
	case !d.After(f.Period.End):
		return InForce
	case f.Recorded == model.StatusRenewed:
		return Renewed
	}
	return Ended
}

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
		return fmt.Sprintf("%sen vigueur %s : la période n'a pas commencé.", signed, period)
	case InForce:
		out := fmt.Sprintf("%sen vigueur %s", signed, period)
		if f.Recorded == model.StatusRenewed {
			out += " ; renouvellement décidé"
		}
		return out + "."
	case Ended:
		return fmt.Sprintf("%sen vigueur %s ; échue depuis le %s, aucun renouvellement décidé.", signed, period, date(dayAfter(f.Period.End)))
	case Renewed:
		return fmt.Sprintf("%sen vigueur %s ; renouvelée à son terme.", signed, period)
	case Terminated:
		if signed == "" {
			return "Résiliée ; la date de signature n'est pas enregistrée."
		}
		return fmt.Sprintf("%sprévue %s ; résiliée (la date d'effet de la résiliation n'est pas encore enregistrée).", signed, period)
	}
	return ""
}

// dayAfter is the day following d.
func dayAfter(d model.Date) model.Date { return model.DateOf(d.Time().AddDate(0, 0, 1)) }
