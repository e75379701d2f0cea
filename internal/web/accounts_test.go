package web

import (
	"strconv"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
)

// cordeliereOrg returns the organization record of La Cordelière, for which
// the "contributeur" account acts.
func cordeliereOrg(c *model.Convention) string {
	for _, o := range c.Organizations {
		if o.Key == "cordeliere" {
			return o.ID
		}
	}
	return ""
}

func TestContributorCannotEditItsOrganizationRecord(t *testing.T) {
	e := newEnv(t)
	org := e.record(t, "organization", cordeliereOrg)
	path := "/api/v1/conventions/" + slug + "/records/organization/" + org.Target.Meta.ID
	body := `{"version": ` + strconv.Itoa(org.Version) + `, "fields": {"short_name": "Nom changé"}}`
	if status := e.apiCall(t, "contributeur", "PATCH", path, body); status != 403 {
		t.Errorf("contributeur·rice de l'organisation : statut %d, 403 attendu", status)
	}
	if got := e.record(t, "organization", cordeliereOrg); got.Values["short_name"] != org.Values["short_name"] {
		t.Errorf("nom court changé par un·e contributeur·rice : %q", got.Values["short_name"])
	}
	if status := e.apiCall(t, "editeur", "PATCH", path, body); status != 200 {
		t.Errorf("éditeur·rice : statut %d, 200 attendu", status)
	}
}
