// Package textutil compares and quotes French text as a reader would.
package textutil

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Fold lowers a text, strips its accents, unifies apostrophes and dashes
// and collapses spaces, so that "Équipement" and "equipement" compare equal.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '’' || r == '‘':
			r = '\''
		case r == '–' || r == '—' || r == '‑':
			r = '-'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// Excerpt returns the text around the first occurrence of match, with
// about width characters on each side and "…" where it is cut.
func Excerpt(text, match string, width int) string {
	start := 0
	if i := strings.Index(text, match); i > 0 {
		start = len([]rune(text[:i]))
	}
	return ExcerptAt(text, start, len([]rune(match)), width)
}

// ExcerptAt is Excerpt around the runes [start, start+length) of text.
func ExcerptAt(text string, start, length, width int) string {
	runes := []rune(text)
	start = min(max(start, 0), len(runes))
	from, to := max(start-width, 0), min(start+length+width, len(runes))
	out := strings.Join(strings.Fields(string(runes[from:to])), " ")
	if from > 0 {
		out = "… " + out
	}
	if to < len(runes) {
		out += " …"
	}
	return out
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// FrenchDate writes a day the French way: "1er janvier 2022", "9 novembre 2022".
func FrenchDate(d model.Date) string {
	day := strconv.Itoa(d.Day)
	if d.Day == 1 {
		day = "1er"
	}
	return day + " " + months[d.Month-1] + " " + strconv.Itoa(d.Year)
}

// Paris is the time zone of the dates and times ctg shows.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()
