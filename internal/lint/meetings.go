package lint

import (
	"fmt"

	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// SteeringSilenceMonths is how long a convention in force may go without
// a held meeting of its steering committee before COPIL-NOT-HELD.
const SteeringSilenceMonths = 12

// checkSteeringHeld reports a convention in force whose steering
// committee has held no meeting in the last twelve months. It knows the
// meetings of a stored convention only, and waits until the convention
// has been in force that long.
func checkSteeringHeld(x *checker) {
	if x.life == nil || lifecycle.Of(x.c).On(x.at) != lifecycle.InForce {
		return
	}
	steering := map[string]bool{}
	for _, k := range x.c.Committees {
		if k.Kind == model.CommitteeSteering {
			steering[k.Key] = true
		}
	}
	if len(steering) == 0 {
		return
	}
	since := lifecycle.AddMonths(x.at, -SteeringSilenceMonths)
	start := x.c.Period.Start
	if x.c.Signature.Date != nil && x.c.Signature.Date.After(start) {
		start = *x.c.Signature.Date
	}
	if since.Before(start) {
		return
	}
	var last *model.Date
	for _, m := range x.rec.Meetings {
		if !steering[m.Committee] || m.Status != model.MeetingHeld || m.Date.After(x.at) {
			continue
		}
		if !m.Date.Before(since) {
			return
		}
		if last == nil || m.Date.After(*last) {
			d := m.Date
			last = &d
		}
	}
	when := "aucune réunion tenue n'est enregistrée"
	if last != nil {
		when = "la dernière réunion tenue date du " + frenchDate(*last)
	}
	x.reportf("committees", "article 6", "", "",
		"Planifiez une réunion du comité de pilotage sur la page « Réunions », puis notez-la comme tenue.",
		"Le comité de pilotage ne s'est pas réuni depuis %d mois : %s.", SteeringSilenceMonths, when)
}

// checkActionsOverdue reports the actions decided in committee whose due
// date has passed and that are not done.
func checkActionsOverdue(x *checker) {
	for _, m := range x.rec.Meetings {
		for _, d := range m.Decisions {
			for _, a := range d.Actions {
				if !a.OverdueOn(x.at) {
					continue
				}
				who := a.Person
				if a.Organization != "" {
					who = x.orgName(a.Organization)
				}
				x.reportf(fmt.Sprintf("meetings[%s].actions[%s]", m.ID, a.ID), "réunion du "+frenchDate(m.Date), "meeting", m.ID,
					"Menez l'action, puis marquez-la faite sur la page de la réunion ; ou décidez d'une nouvelle échéance.",
					"L'action « %s » (%s), décidée le %s, devait être faite le %s.", a.Text, who, frenchDate(m.Date), frenchDate(*a.DueOn))
			}
		}
	}
}

// checkDataExchangeOpinion reports a personal-data exchange marked
// implemented while no opinion of the holding party's DPO is recorded
// (art. 7). The service refuses that step, but an imported or older
// record can still be in that state.
func checkDataExchangeOpinion(x *checker) {
	for _, r := range x.rec.DataRequests {
		if r.State != model.DataRequestImplemented || r.HasOpinion() {
			continue
		}
		x.reportf(fmt.Sprintf("data_requests[%s]", r.ID), "article 7", "data-request", r.ID,
			"Faites étudier l'échange par le·la délégué·e à la protection des données de la partie qui détient les données, et enregistrez son avis ; suspendez l'échange d'ici là.",
			"L'échange de données « %s » (%s vers %s) est mis en œuvre sans avis du délégué à la protection des données de %s.",
			r.Title, x.orgName(r.Holder), x.orgName(r.Requester), x.orgName(r.Holder))
	}
}
