package lint

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

func fold(s string) string { return textutil.Fold(s) }

// textItem is one piece of free text of the convention, with where it is.
type textItem struct {
	Path, Where, Kind, ID string
	Text                  string
}

// texts lists every string of the convention with its path, the part of
// the text it belongs to and the record that holds it.
func texts(c *model.Convention) []textItem {
	var out []textItem
	var walk func(v reflect.Value, path, where, kind, id string)
	walk = func(v reflect.Value, path, where, kind, id string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), path, where, kind, id)
			}
		case reflect.String:
			if v.String() != "" {
				out = append(out, textItem{Path: path, Where: where, Kind: kind, ID: id, Text: v.String()})
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i), where, kind, id)
			}
		case reflect.Struct:
			if k, idField := model.KindOf(v.Type()), v.FieldByName("ID"); k != "" && idField.IsValid() {
				kind, id = k, idField.String()
				where = whereOf(v, where)
			}
			t := v.Type()
			for i := range t.NumField() {
				name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
				if name == "" || name == "-" {
					continue
				}
				p := name
				if path != "" {
					p = path + "." + name
				}
				walk(v.Field(i), p, where, kind, id)
			}
		}
	}
	walk(reflect.ValueOf(c).Elem(), "", "", "", "")
	return out
}

// whereOf names the part of the text a record belongs to.
func whereOf(v reflect.Value, parent string) string {
	switch x := v.Addr().Interface().(type) {
	case *model.Article:
		return fmt.Sprintf("article %d", x.Number)
	case *model.Annex:
		return fmt.Sprintf("annexe %d", x.Number)
	case *model.Fiche:
		return "fiche " + x.Code
	case *model.Axis:
		return fmt.Sprintf("axe %d", x.Number)
	case *model.LegalBasis:
		return "visas"
	case *model.Finding:
		return "diagnostic"
	case *model.Equipment:
		return "annexe 2 (équipements)"
	case *model.Committee:
		return "gouvernance"
	case *model.Party, *model.Representative, *model.Authorization:
		return "parties"
	}
	return parent
}

var yearRE = textutil.LazyRegexp(`\b(?:19|20)[0-9]{2}\b`)

// placeholder returns the first mark, in a text, of a value left to fill
// in: « XXXX », a row of dots or underscores, « [à compléter …] », a
// preposition before a comma (« de , ») where a name is missing, or a
// text that begins with « Insérer » or « Compléter ». It reads the text
// once, left to right, without regular expression: the checker runs it
// on every text of every convention.
func placeholder(text string) string {
	if m := leadingInstruction(text); m != "" {
		return m
	}
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case c == 'x' || c == 'X':
			if i > 0 && wordByte(text[i-1]) {
				continue
			}
			j := i
			for j < len(text) && (text[j] == 'x' || text[j] == 'X') {
				j++
			}
			if j-i >= 3 && (j == len(text) || !wordByte(text[j])) {
				return text[i:j]
			}
			i = j - 1
		case c == '.' || c == '_':
			j := i
			for j < len(text) && text[j] == c {
				j++
			}
			if (c == '.' && j-i >= 5) || (c == '_' && j-i >= 4) {
				return text[i:j]
			}
			i = j - 1
		case c == '[':
			end := strings.IndexByte(text[i:], ']')
			if end < 0 {
				return ""
			}
			if inside := fold(text[i+1 : i+end]); strings.Contains(inside, "completer") {
				return text[i : i+end+1]
			}
		case (c == 'd' || c == 'D' || c == 'p' || c == 'P') && (i == 0 || !wordByte(text[i-1])):
			if m := prepositionBeforeComma(text[i:]); m != "" {
				return m
			}
		}
	}
	return ""
}

// wordByte reports whether b may belong to a word: an ASCII letter or
// digit, the underscore, or a byte of a letter written in several bytes.
func wordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// prepositionBeforeComma matches « de », « du », « des » or « par » at the
// start of s, then spaces, then a comma.
func prepositionBeforeComma(s string) string {
	for _, w := range []string{"des", "de", "du", "par"} {
		if len(s) <= len(w) || !strings.EqualFold(s[:len(w)], w) {
			continue
		}
		j := len(w)
		for j < len(s) && isSpaceByte(s[j]) {
			j++
		}
		if j > len(w) && j < len(s) && s[j] == ',' {
			return s[:j+1]
		}
	}
	return ""
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' || b == '\v'
}

// leadingInstruction matches a text that begins, spaces aside, with
// « Insérer », « Compléter » or « À compléter » as a word.
func leadingInstruction(text string) string {
	start := strings.TrimLeft(text, " \t\n\r\f\v")
	for _, w := range []string{"insérer", "inserer", "compléter", "completer", "à compléter", "a compléter", "à completer", "a completer"} {
		if len(start) >= len(w) && strings.EqualFold(start[:len(w)], w) && (len(start) == len(w) || !wordByte(start[len(w)])) {
			return text[:len(text)-len(start)+len(w)]
		}
	}
	return ""
}

// repeatedWords finds a word pair written twice in a row ("de communes de
// communes"), the mark of a hasty edit.
func repeatedWords(text string) string {
	// Within a sentence only: a title followed by a sentence that starts
	// with the same words is not a repetition.
	for _, sentence := range strings.FieldsFunc(text, func(r rune) bool { return strings.ContainsRune(".;:!?\n-–", r) }) {
		words := strings.FieldsFunc(fold(sentence), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
		for i := 0; i+3 < len(words); i++ {
			if words[i] == words[i+2] && words[i+1] == words[i+3] && len(words[i])+len(words[i+1]) > 4 {
				return strings.Join(words[i:i+4], " ")
			}
		}
	}
	return ""
}
