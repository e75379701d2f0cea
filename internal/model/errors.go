package model

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotFound is returned when a requested record does not exist or the
// caller may not see it.
var ErrNotFound = errors.New("introuvable")

// ErrConflict is returned when a write collides with existing data, such as
// a convention slug already in use.
var ErrConflict = errors.New("conflit avec des données existantes")

// FieldError is one problem with one field of an input.
type FieldError struct {
	// Path locates the field, e.g. "axes[1].fiches[0].code".
	Path string `json:"path"`
	// Line is the line of the input file, when the input was a file.
	Line int `json:"line,omitempty"`
	// Message says what is wrong, in French.
	Message string `json:"message"`
}

func (e FieldError) String() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "ligne %d : ", e.Line)
	}
	if e.Path != "" {
		fmt.Fprintf(&b, "%s : ", e.Path)
	}
	b.WriteString(e.Message)
	return b.String()
}

// ValidationError gathers every problem found in an input; nothing is
// written when one is returned.
type ValidationError struct {
	Errors []FieldError `json:"errors"`
}

func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		lines[i] = fe.String()
	}
	return fmt.Sprintf("%d erreur(s) :\n%s", len(e.Errors), strings.Join(lines, "\n"))
}

// Add records a problem at path.
func (e *ValidationError) Add(path, format string, args ...any) {
	e.Errors = append(e.Errors, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Bound adds an error when value, the text of the field named label,
// has more than max characters.
func (e *ValidationError) Bound(path, label, value string, max int) {
	if n := utf8.RuneCountInString(value); n > max {
		e.Add(path, "%s trop long : %d caractères, %d au plus", label, n, max)
	}
}

// Line is Bound for a field of one line: it also refuses line breaks and
// other control characters, which would let the field write lines of its
// own into an e-mail or a calendar.
func (e *ValidationError) Line(path, label, value string, max int) {
	e.Bound(path, label, value, max)
	if what := TypedProblem(value, false); what != "" {
		e.Add(path, "%s tient sur une ligne : retirez %s", label, what)
	}
}

// TypedProblem names what a text a person typed holds that it may not: a
// line break in a text of one line, a control character (tabs aside) in
// any; "" when nothing.
func TypedProblem(value string, multiline bool) string {
	for _, r := range value {
		switch {
		case lineBreak(r):
			if !multiline {
				return "un retour à la ligne"
			}
		case unicode.IsControl(r) && r != '\t':
			return "un caractère de contrôle"
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			// Bidirectional overrides and isolates make a text read
			// otherwise than it is stored (« RLO\u202etxt.exe »).
			return "un caractère qui inverse le sens de l'écriture"
		}
	}
	return ""
}

// lineBreak reports whether r breaks a line: LF, CR, NEL and the Unicode
// line and paragraph separators.
func lineBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == '\u0085' || r == '\u2028' || r == '\u2029'
}

// CleanText gives a text of several lines its one form: trimmed, every
// line break a "\n".
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		if lineBreak(r) {
			return '\n'
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// Text is Bound for a text of several lines: line breaks and tabs are
// kept, other control characters refused.
func (e *ValidationError) Text(path, label, value string, max int) {
	e.Bound(path, label, value, max)
	e.NoControls(path, label, value)
}

// NoControls refuses, in a text of several lines, the control characters
// other than line breaks and tabs.
func (e *ValidationError) NoControls(path, label, value string) {
	if TypedProblem(value, true) != "" {
		e.Add(path, "%s contient un caractère de contrôle : retirez-le", label)
	}
}

// OrNilTyped is OrNil keeping the pointer type, for callers that return
// a *ValidationError.
func (e *ValidationError) OrNilTyped() *ValidationError {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// OrNil returns e when it holds errors, nil otherwise.
func (e *ValidationError) OrNil() error {
	if len(e.Errors) == 0 {
		return nil
	}
	return e
}

// ErrStale is returned when an edit was made on a version of a record that
// has changed since: the edit is refused so that no update is lost.
var ErrStale = errors.New("cet élément a été modifié entre-temps par quelqu'un d'autre")

// ErrForbidden is returned when the actor may not do what they asked.
var ErrForbidden = errors.New("action non autorisée")

// ErrSigned is returned when a change would alter the signed content of a
// signed convention, which changes only by an avenant.
var ErrSigned = errors.New("texte signé : ne change que par avenant")
