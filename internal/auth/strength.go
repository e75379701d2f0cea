package auth

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

//go:embed common_passwords.txt
var commonPasswordList string

// commonPasswords holds the embedded list, read on the first check of a
// password rather than at start-up: most ctg processes never check one.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line != "" && !strings.HasPrefix(line, "# ") {
			m[line] = true
		}
	}
	return m
})

// Rows of neighbouring characters: a password that only walks along them
// (123456789012, abcdefghijkl, azertyuiop…) is guessed at once. The digit
// row wraps from 9 to 0.
var sequenceRows = []string{
	"01234567890",
	"abcdefghijklmnopqrstuvwxyz",
	"azertyuiop", "qsdfghjklm", "wxcvbn", // AZERTY
	"qwertyuiop", "asdfghjkl", "zxcvbnm", // QWERTY
	"qwertzuiop", "yxcvbnm", // QWERTZ
	"&é\"'(-è_çà)=",                                        // AZERTY digits row, unshifted
	"1qaz", "2wsx", "3edc", "4rfv", "5tgb", "6yhn", "7ujm", // QWERTY columns
	"1aqw", "2zsx", "3edc", "4rfv", "5tgb", "6yhn", "7uj,", // AZERTY columns
}

// neighbours reports whether b follows a in a trivial way: the same
// character, or the next or previous one on a row.
func neighbours(a, b rune) bool {
	if a == b {
		return true
	}
	for _, row := range sequenceRows {
		r := []rune(row)
		for i := 0; i+1 < len(r); i++ {
			if (r[i] == a && r[i+1] == b) || (r[i] == b && r[i+1] == a) {
				return true
			}
		}
	}
	return false
}

// walks reports whether s is made of at most three runs of neighbouring
// characters: "aaaaaaaaaaaa", "123456789012", "azerty123456".
func walks(s []rune) bool {
	breaks := 0
	for i := 1; i < len(s); i++ {
		if !neighbours(s[i-1], s[i]) {
			breaks++
		}
	}
	return breaks <= 2
}

// interleaved reports whether s is two walks woven together, one character
// of each in turn: "1q2w3e4r5t6y", "a1b2c3d4e5f6".
func interleaved(s []rune) bool {
	var even, odd []rune
	for i, r := range s {
		if i%2 == 0 {
			even = append(even, r)
		} else {
			odd = append(odd, r)
		}
	}
	return walks(even) && walks(odd)
}

// repeats reports whether s is one shorter piece written several times:
// "bonjourbonjour", "abcabcabcabc".
func repeats(s []rune) bool {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(string(s[:n]), len(s)/n) == string(s) {
			return true
		}
	}
	return false
}

// unleet undoes the usual letter substitutions: p@ssw0rd → password.
var unleet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s", "€", "e")

// common reports whether s is a common password, or a common word with
// only digits and signs around it (Soleil2024!!, M0tdepasse123).
func common(s string) bool {
	list := commonPasswords()
	if list[s] {
		return true
	}
	core := strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	return len([]rune(core)) >= 3 && (list[core] || list[unleet.Replace(core)])
}

// trivial returns why a password (lowercase, without spaces) is guessed at
// once, or "".
func trivial(s string) string {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return "fait uniquement d'espaces"
	case walks(r) || interleaved(r):
		return "une suite de caractères voisins ou répétés (123456…, abcdef…, azerty…, aaaa…) se devine aussitôt"
	case repeats(r):
		return "un même motif répété se devine aussitôt"
	case common(s):
		return "il figure parmi les mots de passe les plus courants, seul ou entouré de chiffres"
	}
	return ""
}

// CheckPasswordStrength returns a French message when pw is too weak: too
// short, only spaces, a sequence or repetition, a common password, or
// built on personal details (the account's e-mail address and name, given
// in personal).
func CheckPasswordStrength(pw string, personal ...string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return fmt.Errorf("mot de passe trop court : %d caractères au moins", MinPasswordLength)
	}
	compact := strings.Join(strings.Fields(strings.ToLower(pw)), "")
	if why := trivial(compact); why != "" {
		return fmt.Errorf("mot de passe trop faible : %s", why)
	}
	rest := compact
	for _, p := range personalParts(personal) {
		rest = strings.ReplaceAll(rest, p, "")
	}
	if rest != compact && (len([]rune(rest)) < 8 || trivial(rest) != "") {
		return errors.New("mot de passe trop faible : il reprend votre nom ou votre adresse électronique, avec trop peu d'autre chose")
	}
	return nil
}

// personalParts splits e-mail addresses and names into the pieces a
// password may reuse: "marie.dupont@caf.fr" gives marie.dupont, marie,
// dupont and caf.
func personalParts(personal []string) []string {
	var out []string
	add := func(s string) {
		if len([]rune(s)) >= 3 {
			out = append(out, s)
		}
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		if local, domain, ok := strings.Cut(p, "@"); ok {
			add(p)
			add(domain)
			add(local)
			p = local + " " + strings.Split(domain, ".")[0]
		} else {
			add(strings.Join(strings.Fields(p), ""))
		}
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			add(w)
		}
	}
	// Longest first, so that the whole is removed before its pieces.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
