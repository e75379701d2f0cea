package app_test

import (
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// TestEndOfPeriodIsADeadlineOnceSigned checks that the end of the period
// is listed as an obligation when the convention is signed — its signature
// date recorded — and not for a draft, whatever its status label says.
func TestEndOfPeriodIsADeadlineOnceSigned(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	hasEnd := func(c *model.Convention) bool {
		for _, d := range app.Deadlines(c, model.MustDate("2023-06-01")) {
			if d.Date == c.Period.End && d.Label == "Fin de la convention (renouvellement par décision expresse)" {
				return true
			}
		}
		return false
	}
	c.Status = model.StatusDraft
	if !hasEnd(c) {
		t.Error("fin de la convention signée absente des échéances")
	}
	c.Status, c.Signature.Date = model.StatusSigned, nil
	if hasEnd(c) {
		t.Error("fin d'une convention non signée listée comme échéance")
	}
}

// Once the period is over without a renewal, the deadline says so rather
// than announcing the end as to come.
func TestEndedConventionSaysTheRenewalWasNotDecided(t *testing.T) {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	var end *app.Deadline
	for _, d := range app.Deadlines(c, model.MustDate("2026-11-29")) {
		if d.Date == c.Period.End {
			end = &d
		}
	}
	if end == nil || !end.Overdue || end.Label != "Fin de la convention, sans renouvellement décidé" {
		t.Errorf("échéance d'une convention échue : %+v", end)
	}
}
