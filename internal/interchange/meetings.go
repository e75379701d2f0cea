package interchange

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

var clockTime = textutil.LazyRegexp(`^([01]\d|2[0-3]):[0-5]\d$`)

// meetings checks the meetings of the file: each of a committee of the
// convention, on a date, with a known status; attendance of its
// organizations or guests; decisions about records the file holds, by
// natural key; actions assigned to an organization of the file or a person.
func (v *lifeValidator) meetings() {
	c := &v.f.Convention
	var orgs []string
	for _, o := range c.Organizations {
		orgs = append(orgs, o.Key)
	}
	committees := map[string]bool{}
	for _, k := range c.Committees {
		committees[k.Key] = true
	}
	for i := range v.f.Meetings {
		m := &v.f.Meetings[i]
		p := fmt.Sprintf("meetings[%d]", i)
		if !committees[m.Committee] {
			v.add(p+".committee", "« %s » n'est pas un comité de la convention (committees[].key)", m.Committee)
		}
		v.required(p+".date", m.Date)
		if m.StartTime != "" && !clockTime.MatchString(m.StartTime) {
			v.add(p+".start_time", "l'heure « %s » n'est pas une heure (HH:MM)", m.StartTime)
		}
		if _, ok := model.MeetingStatusLabels[m.Status]; !ok {
			v.add(p+".status", "statut « %s » inconnu ; statuts possibles : planned, convened, held, cancelled", m.Status)
		}
		for j, l := range m.Agenda {
			if strings.TrimSpace(l) == "" || strings.ContainsAny(l, "\r\n") {
				v.add(fmt.Sprintf("%s.agenda[%d]", p, j), "un point de l'ordre du jour tient sur une ligne, non vide")
			}
		}
		seen := map[string]bool{}
		for j, x := range m.Attendance {
			q := fmt.Sprintf("%s.attendance[%d]", p, j)
			switch {
			case x.Organization != "" && x.Guest != "":
				v.add(q+".guest", "une ligne de présence est celle d'une organisation ou d'une personne invitée, pas des deux")
			case x.Organization == "" && strings.TrimSpace(x.Guest) == "":
				v.add(q+".organization", "champ obligatoire vide : l'organisation (clé) ou le nom de la personne invitée (guest)")
			case x.Organization != "" && !slices.Contains(orgs, x.Organization):
				v.add(q+".organization", "« %s » n'est pas une organisation de la convention (organizations[].key)", x.Organization)
			case x.Organization != "" && seen[x.Organization]:
				v.add(q+".organization", "la présence de « %s » figure déjà pour cette réunion", x.Organization)
			}
			seen[x.Organization] = true
			if _, ok := model.AttendanceStatusLabels[x.Status]; !ok {
				v.add(q+".status", "présence « %s » inconnue ; présences possibles : present, excused, represented", x.Status)
			}
			if x.Status == model.AttendanceRepresented && strings.TrimSpace(x.RepresentedBy) == "" {
				v.add(q+".represented_by", "champ obligatoire vide : par qui l'organisation est représentée")
			}
		}
		for j, d := range m.Decisions {
			q := fmt.Sprintf("%s.decisions[%d]", p, j)
			if strings.TrimSpace(d.Text) == "" {
				v.add(q+".text", "champ obligatoire vide : le texte de la décision")
			}
			if why := v.decisionObject(d); why != "" {
				path := q + ".object_key"
				if _, ok := model.DecisionObjectLabels[d.ObjectKind]; !ok {
					path = q + ".object_kind"
				}
				v.add(path, "%s", why)
			}
			for k, a := range d.Actions {
				r := fmt.Sprintf("%s.actions[%d]", q, k)
				if strings.TrimSpace(a.Text) == "" {
					v.add(r+".text", "champ obligatoire vide : l'action à mener")
				}
				switch {
				case a.Organization == "" && strings.TrimSpace(a.Person) == "":
					v.add(r+".organization", "champ obligatoire vide : qui mène l'action, une organisation (clé) ou une personne (person)")
				case a.Organization != "" && !slices.Contains(orgs, a.Organization):
					v.add(r+".organization", "« %s » n'est pas une organisation de la convention (organizations[].key)", a.Organization)
				}
				if _, ok := model.FollowUpLabels[a.Status]; !ok {
					v.add(r+".status", "état « %s » inconnu ; états possibles : todo, done", a.Status)
				}
			}
		}
	}
}

// decisionObject tells why a decision cannot concern the record its kind
// and key name, or "". A fiche, a step or an indicator is checked by the
// form of its key only: a decision keeps naming what an avenant removed
// since, and the file that carries it must import again.
func (v *lifeValidator) decisionObject(d model.Decision) string {
	switch d.ObjectKind {
	case model.DecisionOnNothing, model.DecisionOnRenewal:
		if d.ObjectKey != "" {
			return fmt.Sprintf("une décision %s ne désigne aucun élément : retirez object_key", map[bool]string{true: "sans objet", false: "sur le renouvellement"}[d.ObjectKind == model.DecisionOnNothing])
		}
	case model.DecisionOnFiche:
		if strings.TrimSpace(d.ObjectKey) == "" || strings.Contains(d.ObjectKey, "/") {
			return fmt.Sprintf("« %s » n'est pas un code de fiche (axes[].fiches[].code, par exemple 2.2)", d.ObjectKey)
		}
	case model.DecisionOnStep:
		code, n, _ := strings.Cut(d.ObjectKey, "/")
		if k, err := strconv.Atoi(n); strings.TrimSpace(code) == "" || err != nil || k < 1 {
			return fmt.Sprintf("« %s » ne désigne pas une étape (fiche/numéro, par exemple 2.2/1)", d.ObjectKey)
		}
	case model.DecisionOnIndicator:
		if strings.TrimSpace(d.ObjectKey) == "" {
			return "champ obligatoire vide : le code de l'indicateur"
		}
	case model.DecisionOnAmendment:
		// No number: the avenant the committee decides to prepare.
		n, err := strconv.Atoi(d.ObjectKey)
		if d.ObjectKey != "" && (err != nil || n < 1 || n > len(v.f.Avenants) || strconv.Itoa(n) != d.ObjectKey) {
			return fmt.Sprintf("« %s » ne désigne aucun avenant du fichier (numéro d'avenant attendu)", d.ObjectKey)
		}
	default:
		return fmt.Sprintf("objet « %s » inconnu ; objets possibles : fiche, step, indicator, amendment, renewal", d.ObjectKind)
	}
	return ""
}
