package interchange

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// indent puts every line of s under n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

// lived is the minimal convention with a life: a signed avenant, one in
// draft, the two versions, a termination and two documents.
var lived = minimal + `avenants:
  - number: 1
    object: Fiche 1.2
    state: signed
    signed_on: 2024-02-01
    effective_on: 2024-03-01
    authorizations:
      - organization: f
        body: conseil municipal
        decided_on: 2024-01-15
    changes:
      - kind: fiche
        op: add
        place: fiche 1.2
        sentence: La fiche 1.2 est ajoutée.
        axis: 1
  - number: 2
    object: Durée
    state: draft
    working_copy:
` + indent(minimal, 6) + `versions:
  - number: 0
    text:
` + indent(minimal, 6) + `  - number: 1
    effective_on: 2024-03-01
    text:
` + indent(minimal, 6) + `acts:
  termination:
    mode: mutual_consent
    sender: f
    letter_on: 2024-04-01
    received_on: 2024-04-03
    effective_on: 2024-10-03
documents:
  - owner_kind: convention
    file_name: original.pdf
    content_type: application/pdf
    size: 1200
    sha256: 8d1726662c5167672d4de5377b6edec87c1af8c803df8e420222c4704320e2ab
    uploaded_by: Coordinatrice
    uploaded_at: 2024-05-02T09:30:00.123456Z
  - owner_kind: amendment
    owner_key: "1"
    file_name: avenant-1.pdf
    content_type: application/pdf
    size: 800
    sha256: 9226470c04bf9676be3d14090663dfecfe4814dfb11b17972360f1d776c44bf6
    uploaded_by: Coordinatrice
    uploaded_at: 2024-05-02T09:31:00Z
`

func TestLifeIsReadAndWrittenBack(t *testing.T) {
	ref := territory.MustLoad()
	f, err := DecodeFile([]byte(lived), ref)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Avenants) != 2 || f.Avenants[1].Text == nil || len(f.Versions) != 2 || f.LifeActs.Termination == nil || len(f.Documents) != 2 {
		t.Fatalf("vie lue : %d avenants, %d versions, %+v, %d documents", len(f.Avenants), len(f.Versions), f.LifeActs, len(f.Documents))
	}
	out, err := EncodeFile(f)
	if err != nil {
		t.Fatal(err)
	}
	again, err := DecodeFile(out, ref)
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := EncodeFile(again)
	if !bytes.Equal(out, out2) {
		t.Error("écrire, relire et réécrire la vie d'une convention change le fichier")
	}
	// The text alone refuses the life: a stored version never has one.
	if _, err := Decode([]byte(lived), ref); err == nil || !strings.Contains(err.Error(), "« avenants » inconnu") {
		t.Errorf("texte seul avec une vie : %v", err)
	}
}

func TestBadLifeIsReportedWithItsPath(t *testing.T) {
	cases := []struct {
		name, old, new, path, message string
	}{
		{"avenant numbered from 2", "  - number: 1\n    object: Fiche 1.2", "  - number: 3\n    object: Fiche 1.2", "avenants[0].number", "à partir de 1"},
		{"unknown state", "    state: draft", "    state: brouillon", "avenants[1].state", "état « brouillon » inconnu"},
		{"signed without its date", "    signed_on: 2024-02-01\n", "", "avenants[0].signed_on", "date de signature"},
		{"draft without working copy", "    state: draft\n    working_copy:", "    state: abandoned\n    working_copy:", "avenants[1].working_copy", "seul un avenant en préparation"},
		{"authorization of no party", "      - organization: f\n        body", "      - organization: caf\n        body", "avenants[0].authorizations[0].organization", "n'est pas une partie"},
		{"unknown change", "        op: add", "        op: ajoute", "avenants[0].changes[0].op", "opération « ajoute » inconnue"},
		{"version missing", "  - number: 1\n    effective_on: 2024-03-01\n    text:", "  - number: 2\n    effective_on: 2024-03-01\n    text:", "versions[1].number", "1 attendue"},
		{"version on another date", "  - number: 1\n    effective_on: 2024-03-01", "  - number: 1\n    effective_on: 2024-03-02", "versions[1].effective_on", "1er mars 2024"},
		{"nested text invalid", "versions:\n  - number: 0\n    text:\n      format: ctg/v1\n      slug: petite", "versions:\n  - number: 0\n    text:\n      format: ctg/v1\n      slug: grande", "versions[0].text.slug", "« petite »"},
		{"unknown termination mode", "    mode: mutual_consent", "    mode: amiable", "acts.termination.mode", "« amiable » inconnu"},
		{"sender not a party", "    sender: f", "    sender: caf", "acts.termination.sender", "n'est pas une partie"},
		{"bad checksum", "    sha256: 8d17", "    sha256: XX17", "documents[0].sha256", "64 chiffres hexadécimaux"},
		{"no upload time", "    uploaded_at: 2024-05-02T09:31:00Z\n", "", "documents[1].uploaded_at", "absentes"},
		{"document of no avenant", "    owner_key: \"1\"", "    owner_key: \"7\"", "documents[1].owner_key", "aucun avenant"},
		{"unknown type", "    content_type: application/pdf\n    size: 800", "    content_type: text/html\n    size: 800", "documents[1].content_type", "non accepté"},
	}
	ref := territory.MustLoad()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(lived, tc.old) {
				t.Fatalf("%q absent", tc.old)
			}
			data := []byte(strings.Replace(lived, tc.old, tc.new, 1))
			_, err := DecodeFile(data, ref)
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
