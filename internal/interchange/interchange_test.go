package interchange

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func TestBundledExampleIsCanonical(t *testing.T) {
	c, err := Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, examples.Forcalquier) {
		t.Fatal("Encode(Decode(exemple)) diffère du fichier : l'exemple n'est pas sous forme canonique")
	}
}

// edit replaces the first occurrence of old in the bundled file.
func edit(t *testing.T, old, new string) []byte {
	t.Helper()
	s := string(examples.Forcalquier)
	if !strings.Contains(s, old) {
		t.Fatalf("%q absent de l'exemple", old)
	}
	return []byte(strings.Replace(s, old, new, 1))
}

func lineOf(t *testing.T, data []byte, needle string) int {
	t.Helper()
	i := bytes.Index(data, []byte(needle))
	if i < 0 {
		t.Fatalf("%q absent", needle)
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

func TestBadInputIsReportedWithLineAndPath(t *testing.T) {
	cases := []struct {
		name, old, new, path, message, lineOf string
	}{
		{"unknown commune", `commune: "04206"`, `commune: "04999"`, "equipments[7].commune", "« 04999 » inconnu", `commune: "04999"`},
		{"duplicate fiche", `code: "2.2"` + "\n        title: Mettre", `code: "2.1"` + "\n        title: Mettre", "axes[1].fiches[1].code", "déjà utilisé", `code: "2.1"` + "\n        title: Mettre"},
		{"step outside its year", "as_written: En 2024\n              start: 2024-01-01", "as_written: En 2024\n              start: 2025-01-01", "axes[2].fiches[0].steps[1].schedule.start", "2024", "start: 2025-01-01"},
		{"malformed SIREN", `siren: "240400440"`, `siren: "240400441"`, "organizations[2].siren", "Luhn", `siren: "240400441"`},
		{"unknown field", "    short_name: la Msa\n", "    short_name: la Msa\n    couleur: bleu\n", "organizations[1].couleur", "champ « couleur » inconnu", "couleur: bleu"},
		{"impossible date", "date: 2022-11-09", "date: 2022-02-30", "signature.date", "date invalide", "date: 2022-02-30"},
		{"unknown organization", "organization: limans\n", "organization: limanz\n", "parties[4].organization", "« limanz » inconnue", "organization: limanz"},
		{"bad fiche code", `code: "7.1"`, `code: "7.A"`, "axes[6].fiches[0].code", "invalide", `code: "7.A"`},
		{"wrong type", "number: 14", "number: quatorze", "articles[13].number", "nombre entier", "number: quatorze"},
	}
	ref := territory.MustLoad()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, tc.old, tc.new)
			_, err := Decode(data, ref)
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("erreur = %v, ValidationError attendue", err)
			}
			want := lineOf(t, data, tc.lineOf)
			for _, fe := range ve.Errors {
				if fe.Path == tc.path && strings.Contains(fe.Message, tc.message) && fe.Line == want {
					return
				}
			}
			t.Errorf("attendu ligne %d, %s : …%s… ; reçu :\n%v", want, tc.path, tc.message, err)
		})
	}
}

func TestSyntaxErrorHasLine(t *testing.T) {
	_, err := Decode([]byte("format: ctg/v1\nslug: [unclosed\n"), territory.MustLoad())
	var ve *model.ValidationError
	if !errors.As(err, &ve) || ve.Errors[0].Line == 0 || !strings.Contains(ve.Errors[0].Message, "YAML mal formé") {
		t.Fatalf("erreur = %v", err)
	}
}

func TestEveryProblemIsReported(t *testing.T) {
	data := edit(t, `siren: "240400440"`, `siren: "12"`)
	data = bytes.Replace(data, []byte(`commune: "04206"`), []byte(`commune: "00000"`), 1)
	_, err := Decode(data, territory.MustLoad())
	var ve *model.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) < 2 {
		t.Fatalf("toutes les erreurs ne sont pas rapportées : %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	// Small seeds: the fuzzer minimizes slowly on a 50 kB file.
	f.Add([]byte(minimal))
	f.Add([]byte("format: ctg/v1\nslug: x\n"))
	f.Add([]byte("axes:\n  - number: 1\n    fiches:\n      - code: \"1.1\"\n        steps:\n          - schedule: {start: 2023-13-01}\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("&a [*a]"))
	ref := territory.MustLoad()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Decode(data, ref)
		if err == nil {
			// Whatever is accepted must survive a round trip.
			out, err := Encode(c)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(out, ref); err != nil {
				t.Fatalf("relecture refusée : %v", err)
			}
			return
		}
		var ve *model.ValidationError
		if !errors.As(err, &ve) || len(ve.Errors) == 0 {
			t.Fatalf("erreur non structurée : %v", err)
		}
	})
}

// minimal is the smallest convention the importer accepts.
const minimal = `format: ctg/v1
slug: petite
title: Petite convention
status: draft
period: {start: 2023-01-01, end: 2026-12-31}
signature: {place: Digne-les-Bains}
territory: {epci: "240400440"}
organizations:
  - {key: caf, kind: caf, name: Caf}
  - {key: f, kind: commune, name: Forcalquier, insee: "04088"}
parties:
  - organization: f
    representatives: [{name: X, title: Maire}]
    authorization: {kind: deliberation, body: conseil municipal, date_as_written: XXXX}
axes:
  - number: 1
    title: Axe
    fiches:
      - code: "1.1"
        title: Fiche
        status: planned
        steps:
          - {text: Étape, status: planned, schedule: {as_written: En 2024, start: 2024-01-01, end: 2024-12-31}}
equipments:
  - {operator_name: Op, name: Crèche, activity_type: EAJE, commune: "04088", postal_code: "04300"}
`

func TestMinimalIsAccepted(t *testing.T) {
	if _, err := Decode([]byte(minimal), territory.MustLoad()); err != nil {
		t.Fatal(err)
	}
}
