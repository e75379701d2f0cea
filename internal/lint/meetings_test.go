package lint

import (
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func init() {
	recordedTriggers["COPIL-NOT-HELD"] = func(*model.Convention) Recorded { return Recorded{Life: &Life{}} }
	recordedTriggers["DECISION-ACTION-OVERDUE"] = func(*model.Convention) Recorded {
		return Recorded{Meetings: []model.Meeting{meetingWithAction("2024-03-01", model.FollowUpToDo)}}
	}
}

func meetingWithAction(due, status string) model.Meeting {
	d := model.MustDate(due)
	return model.Meeting{Meta: model.Meta{ID: "m1"}, Committee: "copil", Date: model.MustDate("2024-01-15"), Status: model.MeetingHeld,
		Decisions: []model.Decision{{Text: "Relancer", Actions: []model.Action{{Meta: model.Meta{ID: "a1"}, Text: "Écrire aux familles",
			Organization: "caf", DueOn: &d, Status: status}}}}}
}

// COPIL-NOT-HELD: a stored convention in force for a year without a held
// meeting of its steering committee in the last twelve months.
func TestSteeringCommitteeMustMeetEveryYear(t *testing.T) {
	check := func(on string, meetings ...model.Meeting) *Finding {
		c := clean() // in force from 1 January 2023
		return find(RunWith(c, territory.MustLoad(), model.MustDate(on), Recorded{Life: &Life{}, Meetings: meetings}), "COPIL-NOT-HELD")
	}
	held := func(on string, st model.MeetingStatus) model.Meeting {
		return model.Meeting{Committee: "copil", Date: model.MustDate(on), Status: st}
	}
	if f := check("2023-11-30"); f != nil {
		t.Errorf("signalé avant un an de vigueur : %s", f.Message)
	}
	if f := check("2024-06-01", held("2023-09-12", model.MeetingHeld)); f != nil {
		t.Errorf("signalé malgré une réunion tenue il y a 9 mois : %s", f.Message)
	}
	f := check("2024-06-01", held("2023-05-10", model.MeetingHeld), held("2024-05-20", model.MeetingCancelled), held("2024-07-01", model.MeetingPlanned))
	if f == nil || !strings.Contains(f.Message, "la dernière réunion tenue date du 10 mai 2023") {
		t.Errorf("réunion tenue il y a plus d'un an, puis annulée : %+v", f)
	}
	// A file checked alone knows no meeting: silent.
	if f := find(Run(clean(), territory.MustLoad(), model.MustDate("2024-06-01")), "COPIL-NOT-HELD"); f != nil {
		t.Errorf("signalé sur un fichier : %s", f.Message)
	}
}

// DECISION-ACTION-OVERDUE: an action not done after its due date.
func TestOverdueActionsAreReported(t *testing.T) {
	run := func(due, status string) *Finding {
		return find(RunWith(clean(), territory.MustLoad(), at, Recorded{Meetings: []model.Meeting{meetingWithAction(due, status)}}), "DECISION-ACTION-OVERDUE")
	}
	f := run("2024-03-01", model.FollowUpToDo)
	if f == nil || !strings.Contains(f.Message, "« Écrire aux familles » (Caisse d'allocations familiales)") || f.Kind != "meeting" || f.ID != "m1" {
		t.Errorf("action en retard : %+v", f)
	}
	if f := run("2024-03-01", model.FollowUpDone); f != nil {
		t.Errorf("action faite signalée : %s", f.Message)
	}
	if f := run("2024-06-01", model.FollowUpToDo); f != nil {
		t.Errorf("action due le jour même signalée : %s", f.Message)
	}
}

func init() {
	recordedTriggers["DATA-EXCHANGE-WITHOUT-DPO-OPINION"] = func(*model.Convention) Recorded {
		return Recorded{DataRequests: []model.DataRequest{{Meta: model.Meta{ID: "r1"}, Title: "Familles", Requester: "cc", Holder: "caf",
			State: model.DataRequestImplemented}}}
	}
}

// DATA-EXCHANGE-WITHOUT-DPO-OPINION: an implemented exchange needs the
// opinion of the holding party's DPO; one in study does not yet.
func TestDataExchangeNeedsTheDPOOpinion(t *testing.T) {
	on := model.MustDate("2024-06-01")
	d := model.MustDate("2024-03-01")
	check := func(r model.DataRequest) *Finding {
		r.Meta.ID, r.Title, r.Requester, r.Holder = "r1", "Familles allocataires", "cc", "caf"
		return find(RunWith(clean(), territory.MustLoad(), on, Recorded{DataRequests: []model.DataRequest{r}}), "DATA-EXCHANGE-WITHOUT-DPO-OPINION")
	}
	f := check(model.DataRequest{State: model.DataRequestImplemented})
	if f == nil || f.Severity != Error || f.Kind != "data-request" || f.ID != "r1" || !strings.Contains(f.Message, "Familles allocataires") {
		t.Fatalf("échange mis en œuvre sans avis : %+v", f)
	}
	if f := check(model.DataRequest{State: model.DataRequestImplemented, Opinion: model.OpinionFavorable, OpinionOn: &d}); f != nil {
		t.Errorf("échange avec avis signalé : %+v", f)
	}
	if f := check(model.DataRequest{State: model.DataRequestInStudy}); f != nil {
		t.Errorf("demande en étude signalée : %+v", f)
	}
}
