package textutil

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	if Fold("  L’Équipement –  Petite   Enfance ") != "l'equipement - petite enfance" {
		t.Errorf("Fold = %q", Fold("  L’Équipement –  Petite   Enfance "))
	}
}

func TestExcerpt(t *testing.T) {
	text := "La présente convention peut être dénoncée moyennant un délai de prévenance de 6 mois."
	if got := Excerpt(text, "prévenance", 10); got != "… délai de prévenance de 6 mois …" {
		t.Errorf("Excerpt = %q", got)
	}
	if got := Excerpt("court", "court", 10); got != "court" {
		t.Errorf("Excerpt = %q", got)
	}
}

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"http://x\";\"y\")": "'=HYPERLINK(\"http://x\";\"y\")",
		"@SUM(A1)":                       "'@SUM(A1)",
		"+33 4 92":                       "'+33 4 92",
		"-2+3":                           "'-2+3",
		"  =1+1":                         "'  =1+1",
		"\t=1":                           "'\t=1",
		"\r=1":                           "'\r=1",
		"＝1+1":                           "'＝1+1",
		"-3":                             "-3",
		"-3,5":                           "-3,5",
		"312.50":                         "312.50",
		"1254":                           "1254",
		"Accueil Ados - La Cordelière":   "Accueil Ados - La Cordelière",
		"< 5":                            "< 5",
		"":                               "",
	} {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, attendu %q", in, got, want)
		}
		if back := FromCSVCell(CSVCell(in)); back != in {
			t.Errorf("FromCSVCell(CSVCell(%q)) = %q", in, back)
		}
	}
	if got := FromCSVCell("'rien à retirer"); got != "'rien à retirer" {
		t.Errorf("FromCSVCell a retiré une apostrophe d'un texte : %q", got)
	}
	var b strings.Builder
	if err := WriteCSV(&b, []string{"Nom", "Valeur"}, [][]string{{"=1+1", "-3,5"}}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "\uFEFFNom;Valeur\r\n'=1+1;-3,5\r\n" {
		t.Errorf("WriteCSV = %q", b.String())
	}
}

func TestExcerptCutsBetweenWords(t *testing.T) {
	text := "Les indicateurs d’évaluation sont déclinés dans le plan, constituant l’annexe 4 de la présente convention. Ils permettent de mesurer l’efficacité."
	// 30 characters each side fall inside "déclinés" and "Ils": both are left out.
	if got := Excerpt(text, "l’annexe 4", 30); got != "… dans le plan, constituant l’annexe 4 de la présente convention. …" {
		t.Errorf("Excerpt = %q", got)
	}
	// A match inside a long word keeps the whole word.
	if got := Excerpt("avant anticonstitutionnellement après", "constitution", 3); got != "… anticonstitutionnellement …" {
		t.Errorf("Excerpt = %q", got)
	}
}

func TestFrenchClock(t *testing.T) {
	for in, want := range map[string]string{"14:00": "14 h", "09:05": "9 h 05", "00:30": "0 h 30", "": ""} {
		if got := FrenchClock(in); got != want {
			t.Errorf("%q : %q, attendu %q", in, got, want)
		}
	}
}
