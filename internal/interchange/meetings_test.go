package interchange

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// met is the lived convention with a committee and a held meeting: its
// attendance, a guest, decisions on a step and on an avenant, an action.
var met = lived + `committees:
  - key: copil
    kind: copil
    name: Comité de pilotage
meetings:
  - committee: copil
    date: 2024-10-15
    start_time: "14:00"
    place: Mairie
    status: held
    agenda:
      - Bilan 2023
      - Questions diverses
    minutes: |-
      Séance ouverte.
      Séance levée.
    attendance:
      - organization: f
        status: represented
        represented_by: Adjointe
      - guest: Personne ressource
        status: present
    decisions:
      - text: Décaler l'étape
        object_kind: step
        object_key: 1.1/1
        actions:
          - text: Proposer un calendrier
            organization: f
            due_on: 2024-12-31
            status: todo
      - text: Préparer l'avenant
        object_kind: amendment
        object_key: "2"
`

func TestMeetingsAreReadAndWrittenBack(t *testing.T) {
	ref := territory.MustLoad()
	f, err := DecodeFile([]byte(met), ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Meetings) != 1 || len(f.Meetings[0].Attendance) != 2 || len(f.Meetings[0].Decisions) != 2 ||
		f.Meetings[0].Decisions[0].Actions[0].DueOn == nil || f.Meetings[0].Minutes != "Séance ouverte.\nSéance levée." {
		t.Fatalf("réunions lues : %+v", f.Meetings)
	}
	out, err := EncodeFile(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nmeetings:\n", "object_key: 1.1/1", "represented_by: Adjointe", "due_on: 2024-12-31"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("%q absent du fichier écrit", want)
		}
	}
	if bytes.Contains(out, []byte("meeting:")) || bytes.Contains(out, []byte("convention:")) {
		t.Errorf("identifiants internes dans le fichier :\n%s", out)
	}
	again, err := DecodeFile(out, ref)
	if err != nil {
		t.Fatal(err)
	}
	if out2, _ := EncodeFile(again); !bytes.Equal(out, out2) {
		t.Error("écrire, relire et réécrire les réunions change le fichier")
	}
}

func TestBadMeetingsAreReportedWithTheirPath(t *testing.T) {
	cases := []struct {
		name, old, new, path, message string
	}{
		{"unknown committee", "  - committee: copil", "  - committee: comite", "meetings[0].committee", "« comite » n'est pas un comité"},
		{"unknown status", "    status: held", "    status: faite", "meetings[0].status", "statut « faite » inconnu"},
		{"bad time", `start_time: "14:00"`, `start_time: "14h"`, "meetings[0].start_time", "n'est pas une heure"},
		{"organization unknown", "      - organization: f\n        status: represented", "      - organization: mairie\n        status: represented", "meetings[0].attendance[0].organization", "« mairie » n'est pas une organisation"},
		{"represented by nobody", "        represented_by: Adjointe\n", "", "meetings[0].attendance[0].represented_by", "par qui"},
		{"no step", "object_key: 1.1/1", "object_key: 1.1/zéro", "meetings[0].decisions[0].object_key", "« 1.1/zéro » ne désigne pas une étape"},
		{"no avenant", `object_key: "2"`, `object_key: "5"`, "meetings[0].decisions[1].object_key", "aucun avenant"},
		{"unknown object", "object_kind: amendment", "object_kind: budget", "meetings[0].decisions[1].object_kind", "objet « budget » inconnu"},
		{"action of nobody", "            organization: f\n            due_on", "            due_on", "meetings[0].decisions[0].actions[0].organization", "qui mène l'action"},
		{"action state", "            status: todo", "            status: en cours", "meetings[0].decisions[0].actions[0].status", "état « en cours » inconnu"},
	}
	ref := territory.MustLoad()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(met, tc.old) {
				t.Fatalf("%q absent", tc.old)
			}
			_, err := DecodeFile([]byte(strings.Replace(met, tc.old, tc.new, 1)), ref)
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("erreur = %v", err)
			}
			for _, fe := range ve.Errors {
				if fe.Path == tc.path && strings.Contains(fe.Message, tc.message) && fe.Line > 0 {
					return
				}
			}
			t.Errorf("attendu %s : …%s… avec sa ligne ; reçu :\n%v", tc.path, tc.message, err)
		})
	}
}

// A decision keeps naming a fiche an avenant removed since: the file that
// carries it imports again.
func TestDecisionOnARemovedFicheImports(t *testing.T) {
	if !strings.Contains(met, "object_key: 1.1/1") {
		t.Fatal("décision sur l'étape 1.1/1 absente")
	}
	if _, err := DecodeFile([]byte(strings.Replace(met, "object_key: 1.1/1", "object_key: 9.9/1", 1)), territory.MustLoad()); err != nil {
		t.Errorf("décision sur une étape retirée depuis : %v", err)
	}
	// An avenant named by no number is the one the committee decided to prepare.
	if _, err := DecodeFile([]byte(strings.Replace(met, "        object_key: \"2\"\n", "", 1)), territory.MustLoad()); err != nil {
		t.Errorf("décision de préparer un avenant : %v", err)
	}
}
