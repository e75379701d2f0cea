// Package edit describes which fields of each kind of record can be
// edited, how they are shown and parsed, and who owns each record. It
// changes records in memory; storing them is the store's business and
// deciding whether the result is valid is package convention's.
package edit

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Widget says how a field is entered.
type Widget string

// The widgets of the edit forms.
const (
	Text     Widget = "text"
	TextArea Widget = "textarea"
	Lines    Widget = "lines" // a list, one item per line
	Date     Widget = "date"
	Number   Widget = "number"
	Select   Widget = "select"
	// OrgList is a list of organization keys, chosen among the convention's.
	OrgList Widget = "orgs"
)

// Option is one choice of a select field.
type Option struct {
	Value, Label string
}

// Field is one editable field of a record.
type Field struct {
	// Name is the field's path in the record, as in the interchange format
	// ("schedule.start").
	Name   string
	Label  string
	Widget Widget
	Help   string
	// Options lists the choices of a select field.
	Options func(c *model.Convention) []Option
}

// Get returns the field's value in obj as the text a form shows.
func (f Field) Get(obj any) string {
	v := fieldValue(reflect.ValueOf(obj), f.Name)
	return format(v)
}

// Set parses text and stores it in obj's field. The error is in French.
func (f Field) Set(obj any, text string) error {
	if limit := f.MaxLength(); utf8.RuneCountInString(text) > limit {
		return fmt.Errorf("texte trop long : %s caractères au plus", indicators.FormatNumber(float64(limit)))
	}
	// What a person types holds no control character; a one-line field,
	// no line break either: it would write lines of its own into a
	// document, an e-mail or a calendar.
	multiline := f.Widget == TextArea || f.Widget == Lines || f.Widget == OrgList
	if what := model.TypedProblem(text, multiline); what != "" {
		return fmt.Errorf("retirez %s : le champ n'en accepte pas", what)
	}
	v := fieldValue(reflect.ValueOf(obj), f.Name)
	return parse(v, text)
}

// MaxLength is the longest text the field takes: a line, or a whole
// article for the multi-line fields. Without a bound, one form could fill
// every page that shows the record, and the history that keeps it.
func (f Field) MaxLength() int {
	switch f.Widget {
	case TextArea, Lines:
		return 50000
	}
	return 1000
}

// Value returns the field's value in obj, as the model types it (a
// *model.Date, a []string…), for the store.
func (f Field) Value(obj any) any {
	return fieldValue(reflect.ValueOf(obj), f.Name).Interface()
}

// fieldValue returns the field at a dotted path of the interchange format.
// Every kind's fields are checked against the model by the tests, so a
// missing field is a programming error.
func fieldValue(v reflect.Value, path string) reflect.Value {
	f, ok := model.Field(v.Interface(), path)
	if !ok {
		panic(fmt.Sprintf("champ %s absent de %s", path, v.Type()))
	}
	return f
}

func format(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case *model.Date:
		if x == nil {
			return ""
		}
		return x.String()
	case model.Date:
		if x.IsZero() {
			return ""
		}
		return x.String()
	case []string:
		return strings.Join(x, "\n")
	case []model.MemberGroup:
		return formatGroups(x)
	case []model.Target:
		return formatTargets(x)
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int:
		if v.Int() == 0 {
			return ""
		}
		return strconv.FormatInt(v.Int(), 10)
	}
	panic(fmt.Sprintf("type %s non éditable", v.Type()))
}

func parse(v reflect.Value, text string) error {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	switch v.Interface().(type) {
	case *model.Date:
		if text == "" {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		d, err := model.ParseDate(text)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(&d))
		return nil
	case model.Date:
		d, err := model.ParseDate(text)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(d))
		return nil
	case []model.Target:
		targets, err := parseTargets(text)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(targets))
		return nil
	case []model.MemberGroup:
		groups, err := parseGroups(text)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(groups))
		return nil
	case []string:
		var items []string
		for _, line := range strings.Split(text, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		v.Set(reflect.ValueOf(items))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
		return nil
	case reflect.Int:
		if text == "" {
			v.SetInt(0)
			return nil
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return fmt.Errorf("nombre entier attendu, « %s » reçu", text)
		}
		v.SetInt(int64(n))
		return nil
	}
	panic(fmt.Sprintf("type %s non éditable", v.Type()))
}

// A committee's composition is edited as text, one group per line:
// "Pour la Caf : caf04 = le Directeur ou son représentant ; le responsable de service".
// The organization keys, between ":" and "=", may be left out.

func formatGroups(groups []model.MemberGroup) string {
	lines := make([]string, len(groups))
	for i, g := range groups {
		lines[i] = g.Label + " : " + strings.Join(g.Organizations, ", ") + " = " + strings.Join(g.Members, " ; ")
	}
	return strings.Join(lines, "\n")
}

func parseGroups(text string) ([]model.MemberGroup, error) {
	var out []model.MemberGroup
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		head, members, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("ligne %d : « = » attendu entre le groupe et ses membres", n+1)
		}
		label, orgs, _ := strings.Cut(head, ":")
		g := model.MemberGroup{Label: strings.TrimSpace(label)}
		for _, o := range strings.Split(orgs, ",") {
			if o = strings.TrimSpace(o); o != "" {
				g.Organizations = append(g.Organizations, o)
			}
		}
		for _, m := range strings.Split(members, ";") {
			if m = strings.TrimSpace(m); m != "" {
				g.Members = append(g.Members, m)
			}
		}
		if g.Label == "" {
			return nil, fmt.Errorf("ligne %d : libellé du groupe absent", n+1)
		}
		out = append(out, g)
	}
	return out, nil
}

// Targets are edited one per line: "2024 = 12" (a decimal comma is accepted).

func formatTargets(targets []model.Target) string {
	lines := make([]string, len(targets))
	for i, t := range targets {
		lines[i] = t.Period + " = " + strings.Replace(strconv.FormatFloat(t.Value, 'f', -1, 64), ".", ",", 1)
	}
	return strings.Join(lines, "\n")
}

func parseTargets(text string) ([]model.Target, error) {
	var out []model.Target
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		period, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("ligne %d : « période = valeur » attendu", n+1)
		}
		v, err := strconv.ParseFloat(strings.Replace(strings.ReplaceAll(strings.TrimSpace(value), " ", ""), ",", ".", 1), 64)
		if err != nil {
			return nil, fmt.Errorf("ligne %d : valeur « %s » : nombre attendu", n+1, strings.TrimSpace(value))
		}
		out = append(out, model.Target{Period: strings.TrimSpace(period), Value: v})
	}
	return out, nil
}
