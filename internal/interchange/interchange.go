// Package interchange reads and writes the YAML interchange format of a
// whole convention (docs/format.md, docs/convention.schema.json).
//
// Reading reports every problem with its line and field path; writing is
// deterministic, so that import → export → import → export gives
// byte-identical files.
package interchange

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

//go:generate go run ./schemagen -model ../model -o ../../docs/convention.schema.json

// MaxSize bounds the files Decode accepts. A convention is usually well
// under a megabyte; one of 100,000 equipments is about 33 MB. The parsed
// file takes some ten to thirty times its size in memory (more for a
// file of short flow lists), which bounds the memory of an import to a
// couple of gigabytes.
const MaxSize = 64 << 20

// Decode parses the text of a convention, without the sections of its
// life (a stored version, a file written before they existed), and
// validates it. Any problem is returned as a *model.ValidationError whose
// entries carry line and path.
func Decode(data []byte, ref *territory.Data) (*model.Convention, error) {
	var c model.Convention
	if err := decode(data, &c, func() error { return convention.Validate(&c, ref) }); err != nil {
		return nil, err
	}
	return &c, nil
}

// DecodeFile parses a whole convention file, its text and its life
// (avenants, versions, acts, documents), and validates both.
func DecodeFile(data []byte, ref *territory.Data) (*model.ConventionFile, error) {
	var f model.ConventionFile
	if err := decode(data, &f, func() error { return validateFile(&f, ref) }); err != nil {
		return nil, err
	}
	return &f, nil
}

// decode reads data into out and runs validate, giving each problem the
// line of its path. A valid file is parsed once; a file with a problem is
// parsed again into nodes, to find the lines, and its problems are
// reported in the same order as ever: invalid text, malformed YAML, a
// root that is not a dictionary, types and unknown fields, then the
// validation's.
func decode(data []byte, out any, validate func() error) error {
	return decodeUpTo(data, MaxSize, out, validate)
}

func decodeUpTo(data []byte, limit int, out any, validate func() error) error {
	if len(data) > limit {
		return single("", 0, fmt.Sprintf("fichier trop volumineux (%d octets, %d au plus)", len(data), limit))
	}
	// Text that is not UTF-8 would be stored as sent on SQLite and refused
	// by PostgreSQL: say so in French, with the line, before the YAML parser
	// says it in English.
	if line, ok := invalidTextLine(data); ok {
		return single("", line, invalidTextMessage)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	decodeErr := dec.Decode(out)
	var validationErr error
	if decodeErr == nil && !invalidString(reflect.ValueOf(out)) {
		validationErr = validate()
		var ve *model.ValidationError
		if !errors.As(validationErr, &ve) {
			return validationErr
		}
	}

	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return syntaxError(err)
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return single("", 1, "le fichier doit décrire une convention (un dictionnaire YAML à la racine)")
	}
	idx := newIndex(root.Content[0])
	// An escape in a quoted string ("\0") can still produce a NUL.
	if n := invalidScalar(&root); n != nil {
		return single(idx.pathAt(n.Line), n.Line, invalidTextMessage)
	}
	if decodeErr != nil {
		return typeErrors(decodeErr, idx)
	}
	if validationErr == nil {
		validationErr = validate()
	}
	if validationErr != nil {
		var ve *model.ValidationError
		if errors.As(validationErr, &ve) {
			for i := range ve.Errors {
				ve.Errors[i].Line = idx.line(ve.Errors[i].Path)
			}
			sort.SliceStable(ve.Errors, func(i, j int) bool { return ve.Errors[i].Line < ve.Errors[j].Line })
		}
		return validationErr
	}
	return nil
}

// invalidString reports whether a string under v is not valid UTF-8 or
// holds a NUL character (an escape in a quoted string can give one).
func invalidString(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		return !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0
	case reflect.Pointer, reflect.Interface:
		return !v.IsNil() && invalidString(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			if invalidString(v.Field(i)) {
				return true
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return false
		}
		for i := range v.Len() {
			if invalidString(v.Index(i)) {
				return true
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			if invalidString(it.Key()) || invalidString(it.Value()) {
				return true
			}
		}
	}
	return false
}

// Encode writes the text of c in the interchange format. Record metadata
// (ids, versions, timestamps) and looked-up reference data are left out.
func Encode(c *model.Convention) ([]byte, error) {
	return encode(c)
}

// EncodeFile writes a whole convention file: the text, then its life.
// Without life, it is the same as Encode of the text.
func EncodeFile(f *model.ConventionFile) ([]byte, error) {
	return encode(f)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("# Convention Territoriale Globale — format d'échange ctg (docs/format.md)\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const invalidTextMessage = "caractères invalides : le fichier doit être enregistré en UTF-8, sans caractère NUL"

// invalidTextLine returns the line of the first byte of data that is not
// valid UTF-8 or is a NUL character.
func invalidTextLine(data []byte) (int, bool) {
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return 0, false
	}
	line := 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == 0 || (r == utf8.RuneError && size == 1) {
			return line, true
		}
		if r == '\n' {
			line++
		}
		data = data[size:]
	}
	return line, true
}

// invalidScalar returns the first scalar under n whose value is not
// valid UTF-8 or holds a NUL character.
func invalidScalar(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.ScalarNode && (!utf8.ValidString(n.Value) || strings.ContainsRune(n.Value, 0)) {
		return n
	}
	for _, c := range n.Content {
		if bad := invalidScalar(c); bad != nil {
			return bad
		}
	}
	return nil
}

func single(path string, line int, msg string) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: path, Line: line, Message: msg}}}
}

var lineRE = textutil.LazyRegexp(`^(?:yaml: )?line (\d+): (.*)$`)

func syntaxError(err error) error {
	msg := err.Error()
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return single("", n, "YAML mal formé : "+m[2])
	}
	return single("", 0, "YAML mal formé : "+strings.TrimPrefix(msg, "yaml: "))
}

var (
	unknownFieldRE = textutil.LazyRegexp(`^field (\S+) not found in type \S+$`)
	cannotRE       = textutil.LazyRegexp("^cannot unmarshal !!(\\w+) `(.*)` into (\\S+)$")
	alreadyRE      = textutil.LazyRegexp(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// typeErrors turns the decoder's errors into French field errors.
func typeErrors(err error, idx *index) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(err)
	}
	ve := &model.ValidationError{}
	for _, e := range te.Errors {
		m := lineRE.FindStringSubmatch(e)
		if m == nil {
			ve.Errors = append(ve.Errors, model.FieldError{Message: e})
			continue
		}
		line, _ := strconv.Atoi(m[1])
		ve.Errors = append(ve.Errors, model.FieldError{Line: line, Path: idx.pathAt(line), Message: frenchTypeMessage(m[2])})
	}
	return ve
}

func frenchTypeMessage(msg string) string {
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("champ « %s » inconnu à cet endroit", m[1])
	}
	if m := alreadyRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("la clé « %s » est déjà définie ligne %s", m[1], m[2])
	}
	if m := cannotRE.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("valeur « %s » de type incorrect : %s attendu", m[2], expected(m[3]))
	}
	return msg
}

func expected(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "une liste"
	case goType == "int" || goType == "int64":
		return "un nombre entier"
	case goType == "time.Time":
		return "une date et une heure (2024-05-02T09:30:00Z)"
	case goType == "bool":
		return "true ou false"
	case goType == "string" || strings.HasPrefix(goType, "model."):
		if strings.HasPrefix(goType, "model.") && !isScalarModel(goType) {
			return "un dictionnaire"
		}
		return "un texte"
	}
	return goType
}

func isScalarModel(t string) bool {
	switch t {
	case "model.Status", "model.OrganizationKind", "model.FindingKind", "model.ActionStatus",
		"model.Recurrence", "model.CommitteeKind", "model.Date", "model.AmendmentState", "model.TerminationMode",
		"model.OwnerKind":
		return true
	}
	return false
}
