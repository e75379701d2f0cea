package lint

import (
	"fmt"
	"reflect"
	"regexp"
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

var (
	placeholderRE = regexp.MustCompile(`(?i)\bX{3,}\b|\.{5,}|_{4,}|\[[^\]]*compl[ée]ter[^\]]*\]|\b(?:de|du|des|par)\s+,|^\s*(?:ins[ée]rer|compl[ée]ter|[àa] compl[ée]ter)\b`)
	yearRE        = regexp.MustCompile(`\b(?:19|20)[0-9]{2}\b`)
)

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
