// Package textutil compares and quotes French text as a reader would.
package textutil

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

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
// It cuts between words, never inside one.
func ExcerptAt(text string, start, length, width int) string {
	runes := []rune(text)
	start = min(max(start, 0), len(runes))
	end := min(start+max(length, 0), len(runes))
	from, to := max(start-width, 0), min(end+width, len(runes))
	from, to = wordStart(runes, from, start), wordEnd(runes, to, end)
	out := strings.Join(strings.Fields(string(runes[from:to])), " ")
	if from > 0 {
		out = "… " + out
	}
	if to < len(runes) {
		out += " …"
	}
	return out
}

// wordStart moves a cut at i, before the match at start, between two
// words: forward past the word it falls in, or, when that word runs into
// the match, back to its beginning.
func wordStart(runes []rune, i, start int) int {
	for j := i; j <= start; j++ {
		if between(runes, j) {
			return j
		}
	}
	for !between(runes, i) {
		i--
	}
	return i
}

// wordEnd moves a cut at i, after the match ending at end, between two
// words: back before the word it falls in, or, when that word runs into
// the match, forward to its end.
func wordEnd(runes []rune, i, end int) int {
	for j := i; j >= end; j-- {
		if between(runes, j) {
			return j
		}
	}
	for !between(runes, i) {
		i++
	}
	return i
}

// between reports whether the runes before and after i belong to two
// different words (or i is an end of the text).
func between(runes []rune, i int) bool {
	return i <= 0 || i >= len(runes) || !inWord(runes[i-1]) || !inWord(runes[i])
}

// inWord reports whether r is part of a word: "l’annexe", "Saint-Etienne"
// and "2022-2024" are each one word.
func inWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || strings.ContainsRune("'’-‑", r)
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

// UpperFirst puts the first letter of s in capitals: "le préambule" →
// "Le préambule".
func UpperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// FrenchClock writes a time of day typed "HH:MM" the French way: "14:00"
// as "14 h", "09:05" as "9 h 05".
func FrenchClock(hhmm string) string {
	h, m, ok := strings.Cut(hhmm, ":")
	if !ok {
		return hhmm
	}
	if len(h) == 2 && h[0] == '0' {
		h = h[1:]
	}
	if m == "00" {
		return h + " h"
	}
	return h + " h " + m
}
