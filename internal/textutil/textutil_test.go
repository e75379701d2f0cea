package textutil

import "testing"

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
