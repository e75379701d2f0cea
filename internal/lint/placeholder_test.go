package lint

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// placeholderRE is the expression the scanner replaced: the reference
// it must agree with, and the baseline of its benchmark.
var placeholderRE = regexp.MustCompile(`(?i)\bX{3,}\b|\.{5,}|_{4,}|\[[^\]]*compl[ée]ter[^\]]*\]|\b(?:de|du|des|par)\s+,|^\s*(?:ins[ée]rer|compl[ée]ter|[àa] compl[ée]ter)\b`)

// placeholderSamples are every free text of the bundled convention and
// texts made to hold each mark, or almost.
func placeholderSamples(t testing.TB) []string {
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range texts(c) {
		out = append(out, x.Text)
	}
	return append(out,
		"délibération en date du XXXX", "en date du xx", "XXXXX.", "boxxx", "xxxa", "XXX",
		"Fait à ......", "....", "nom : ____", "___", "[à compléter : le nom]", "[A COMPLETER]", "[compléter", "[rien] puis [completer ici]",
		"la Commune de , représentée", "représentée par\t,", "des ,", "Ardes ,", "de,", "par  , le",
		"  Insérer le nom", "Inserer", "Insérerons", "à compléter", "A COMPLÉTER plus tard", "Compléter.", "rien à signaler",
		"", "   ", "un texte sans marque du tout, de longueur moyenne, avec des virgules, des points. Et des X.")
}

// The scanner finds what the expression found, the same text first.
func TestPlaceholderAgreesWithTheExpression(t *testing.T) {
	for _, s := range placeholderSamples(t) {
		if got, want := placeholder(s), placeholderRE.FindString(s); got != want {
			t.Errorf("%.60q : %q, l'expression trouve %q", s, got, want)
		}
	}
}

// A word ending with an accented letter before « de , » is not a
// preposition before a comma: the scanner's word boundary knows letters
// written in several bytes, the expression's \b did not.
func TestPlaceholderKnowsAccentedWords(t *testing.T) {
	if m := placeholder("l'étude , puis"); m != "" {
		t.Errorf("« étude , » : %q", m)
	}
}

// BenchmarkPlaceholder reads every sample with the expression, then with
// the scanner, alternately in each round, and prints how many times
// faster the scanner is.
func BenchmarkPlaceholder(b *testing.B) {
	samples := placeholderSamples(b)
	samples = append(samples, strings.Repeat(strings.Join(samples, "\n"), 4))
	var before, after time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		for _, s := range samples {
			placeholderRE.FindString(s)
		}
		middle := time.Now()
		for _, s := range samples {
			placeholder(s)
		}
		before, after = before+middle.Sub(start), after+time.Since(middle)
	}
	ratio := float64(before) / float64(max(after, 1))
	b.ReportMetric(ratio, "fois-plus-rapide")
	b.Logf("expression %v, lecteur %v sur %d tours : %.1f fois plus rapide", before, after, b.N, ratio)
}
