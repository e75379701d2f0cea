package lint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/amend"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Life is what the checker knows of a convention's life beyond its text,
// when the convention is stored: its avenants and the signed text as last
// recorded. A file checked alone has none.
type Life struct {
	Amendments []Amendment
	// Recorded is the version of the text in force as stored at the
	// signature of the last avenant in force, nil when none is stored.
	Recorded *model.Convention
}

// Amendment is an avenant with its modifications.
type Amendment struct {
	model.Amendment
	Changes []amend.Change
}

// signedAmendments lists the signed avenants the checker knows of.
func (x *checker) signedAmendments() []Amendment {
	if x.life == nil {
		return nil
	}
	var out []Amendment
	for _, a := range x.life.Amendments {
		if a.State == model.AmendmentSigned {
			out = append(out, a)
		}
	}
	return out
}

func checkAmendmentAuthorizations(x *checker) {
	for _, a := range x.signedAmendments() {
		var missing []string
		for _, p := range x.c.Parties {
			if auth := a.Authorization(p.Organization); auth == nil || auth.DecidedOn == nil {
				missing = append(missing, x.orgName(p.Organization))
			}
		}
		if len(missing) > 0 {
			x.reportf(fmt.Sprintf("amendments[%d].authorizations", a.Number), fmt.Sprintf("avenant n° %d", a.Number), "amendment", strconv.Itoa(a.Number),
				"Enregistrez sur la page de l'avenant la délibération (organe, date, référence) de chaque partie.",
				"L'avenant n° %d est signé sans l'autorisation enregistrée de : %s.", a.Number, strings.Join(missing, ", "))
		}
	}
}

func checkAmendmentEffect(x *checker) {
	for _, a := range x.signedAmendments() {
		if a.EffectiveOn != nil && a.SignedOn != nil && a.EffectiveOn.Before(*a.SignedOn) {
			x.reportf(fmt.Sprintf("amendments[%d].effective_on", a.Number), fmt.Sprintf("avenant n° %d", a.Number), "amendment", strconv.Itoa(a.Number),
				"Corrigez la date d'effet ou la date de signature : un avenant ne s'applique qu'une fois signé.",
				"L'avenant n° %d prend effet le %s, avant sa signature le %s.", a.Number, frenchDate(*a.EffectiveOn), frenchDate(*a.SignedOn))
		}
	}
}

func checkSignedContent(x *checker) {
	if x.life == nil || x.life.Recorded == nil || contract.SameSigned(x.c, x.life.Recorded) {
		return
	}
	changes := amend.Changes(x.life.Recorded, x.c)
	var what []string
	for i, ch := range changes {
		if i == 3 {
			what = append(what, fmt.Sprintf("et %d autre(s)", len(changes)-3))
			break
		}
		what = append(what, ch.Place)
	}
	x.reportf("convention", "article 11", "convention", x.c.ID,
		"Rétablissez le texte signé, ou faites adopter ces modifications par un avenant (article 11).",
		"Le texte signé a été modifié en dehors d'un avenant (%s) : la Caf peut résilier sans préavis une convention modifiée sans avenant (article 12).",
		strings.Join(what, ", "))
}

// fichesDelivered reports whether the fiches promised for an axis count as
// delivered on the checker's date: once the convention is signed, only a
// signed avenant in force adding fiches under the axis delivers them.
func (x *checker) fichesDelivered(a *model.Axis) bool {
	if x.life == nil || x.c.Signature.Date == nil {
		return len(a.Fiches) > 0
	}
	for _, am := range x.signedAmendments() {
		if !am.InForceOn(x.at) {
			continue
		}
		for _, ch := range am.Changes {
			if ch.Kind == "fiche" && ch.Op == amend.Add && ch.Axis == a.Number {
				return true
			}
		}
	}
	return false
}
