package report

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// heldMeeting is an autumn COPIL of the bundled convention, held, with
// its attendance, a guest, a decision on a step and its action, and a
// decision on an avenant.
func heldMeeting() (*model.Meeting, MeetingOptions) {
	due := model.MustDate("2024-12-31")
	m := &model.Meeting{Convention: "forcalquier", Committee: "copil", Date: model.MustDate("2024-10-15"), StartTime: "14:00",
		Place: "Salle du conseil, mairie de Forcalquier", Status: model.MeetingHeld,
		Agenda:  []string{"Approbation du relevé de décisions de la réunion précédente", "Étapes en retard : fiche 2.2, étape 1", "Questions diverses"},
		Minutes: "Séance ouverte à 14 h 05 par la présidente.\nLes partenaires ont présenté l'état d'avancement.",
		Attendance: []model.Attendance{
			{Organization: "caf04", Status: model.AttendanceRepresented, Person: "Thierry Autard", RepresentedBy: "Hélène Bérard, responsable de service"},
			{Organization: "cc-pflm", Status: model.AttendancePresent, Person: "Élodie Martin-Lefèvre"},
			{Organization: "limans", Status: model.AttendanceExcused},
			{Guest: "Chloé Garçon", Person: "directrice du centre socioculturel", Status: model.AttendancePresent},
		},
		Decisions: []model.Decision{
			{Text: "Le comité décale le lancement de la démarche proactive au premier trimestre 2025.", ObjectKind: model.DecisionOnStep, ObjectKey: "2.2/1",
				Actions: []model.Action{{Text: "Proposer un nouveau calendrier aux partenaires", Organization: "cc-pflm", DueOn: &due, Status: model.FollowUpToDo}}},
			{Text: "Préparer l'avenant des axes 5 et 6.", ObjectKind: model.DecisionOnAmendment, ObjectKey: "1"},
		},
	}
	return m, MeetingOptions{Generated: time.Date(2024, 10, 20, 9, 0, 0, 0, time.UTC), MinutesBy: "Élodie Martin-Lefèvre",
		MinutesAt:  time.Date(2024, 10, 16, 8, 30, 0, 0, time.UTC),
		Amendments: []model.Amendment{{Number: 1, Object: "fiches des axes 5 et 6", State: model.AmendmentDraft}}}
}

func writeForLook(t *testing.T, name string, pdf []byte) {
	// For a look at the pages: CTG_PDF_DIR=/tmp/x go test -run Meeting
	if dir := os.Getenv("CTG_PDF_DIR"); dir != "" {
		if err := os.WriteFile(dir+"/"+name, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConvocationPDFNamesTheMembersAndTheAgenda(t *testing.T) {
	m, opts := heldMeeting()
	m.Status = model.MeetingConvened
	pdf, err := ConvocationPDF(forcalquier(t), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeForLook(t, "convocation.pdf", pdf)
	flat := strings.Join(strings.Fields(textOf(t, pdf)), " ")
	for _, want := range []string{
		"Convocation – Comité de pilotage", "Convention territoriale globale (Ctg) 2022-2024", "Coprésidence",
		"Caisse d’Allocations Familiales des Alpes de Haute-Provence", "Communauté de Communes Pays de Forcalquier Montagne de Lure",
		"Secrétariat", "15 octobre 2024 à 14 h", "Salle du conseil, mairie de Forcalquier",
		"Membres convoqués", "Pour le Conseil Départemental", "le Directeur ou son représentant", "Commune de Saint-Etienne les Orgues",
		"1. Approbation du relevé de décisions de la réunion précédente", "2. Étapes en retard : fiche 2.2, étape 1", "3. Questions diverses",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("%q absent de la convocation :\n%s", want, flat)
		}
	}
	if strings.Contains(flat, "caf04") || strings.Contains(flat, "Présences") {
		t.Errorf("une clé d'organisation ou le compte rendu dans la convocation :\n%s", flat)
	}
}

func TestMinutesPDFHoldsAttendanceDecisionsAndActions(t *testing.T) {
	m, opts := heldMeeting()
	pdf, err := MinutesPDF(forcalquier(t), m, opts)
	if err != nil {
		t.Fatal(err)
	}
	writeForLook(t, "compte-rendu.pdf", pdf)
	flat := strings.Join(strings.Fields(textOf(t, pdf)), " ")
	for _, want := range []string{
		"Compte rendu – Comité de pilotage", "réunion tenue", "Présences", "représenté", "Hélène Bérard, responsable de service",
		"Élodie Martin-Lefèvre", "excusé", "Personnes invitées (voix consultative)", "Chloé Garçon", "directrice du centre socioculturel",
		"2. Étapes en retard : fiche 2.2, étape 1", "Séance ouverte à 14 h 05 par la présidente.",
		"Relevé de décisions", "Le comité décale le lancement de la démarche proactive au premier trimestre 2025.",
		"Objet : étape 1 de la fiche 2.2 – Intensifier le déploiement du « Datamaning » accès aux droits",
		"Proposer un nouveau calendrier aux partenaires", "31 décembre 2024", "à faire",
		"Objet : avenant n° 1 – fiches des axes 5 et 6 (en préparation)",
		"Compte rendu rédigé par Élodie Martin-Lefèvre, dernière modification le 16 octobre 2024 à 10 h 30.",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("%q absent du compte rendu :\n%s", want, flat)
		}
	}
	// The members not recorded are listed too, by name.
	if !strings.Contains(flat, "Commune de Forcalquier non renseignée") {
		t.Errorf("membre sans présence notée absent :\n%s", flat)
	}
}

func TestDecisionSubjectNamesTheRecordByItsLabel(t *testing.T) {
	c := forcalquier(t)
	for kind, want := range map[model.DecisionObject]string{
		model.DecisionOnFiche:     "fiche 2.2 – Mettre en œuvre une démarche proactive",
		model.DecisionOnIndicator: "cible de l'indicateur 2.2-1 – ",
		model.DecisionOnRenewal:   "renouvellement de la convention",
	} {
		key := map[model.DecisionObject]string{model.DecisionOnFiche: "2.2", model.DecisionOnIndicator: "2.2-1"}[kind]
		if got := DecisionSubject(c, nil, model.Decision{ObjectKind: kind, ObjectKey: key}); !strings.HasPrefix(got, want) || got == want && kind == model.DecisionOnIndicator {
			t.Errorf("%s : %q", kind, got)
		}
	}
}
