package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// page is what every template receives.
type page struct {
	Title   string
	Actor   *auth.Actor
	CSRF    string
	Version string
	// Conv is the convention the page is about, for the navigation.
	Conv *convView
	// Nav names the active navigation entry.
	Nav  string
	Data any
	// Tasks counts what the signed-in person has to do ("Mes tâches").
	Tasks int
	// Flash confirms what the previous request saved (setFlash).
	Flash string
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Actor, p.CSRF, p.Version = actorOf(r), csrfOf(r), s.version
	p.Tasks = s.taskCount(r)
	p.Flash = takeFlash(w, r)
	if p.Conv != nil {
		s.decorate(r, p.Conv)
	}
	t, err := s.pages.get(name)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.serverError(w, r, err)
		return
	}
	out := buf.Bytes()
	if p.Conv != nil && p.Conv.At != nil {
		out = keepDate(out, p.Conv.Slug, p.Conv.At.Date)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The whole page is known: its length lets it go out in one piece
	// rather than in chunks.
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// serverError answers an unexpected failure: the cause goes to the log,
// the user gets a French page that says nothing of it.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.pageError(w, r, err)
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "error.html", page{Title: "Action non autorisée", Data: "Vous n'avez pas le droit de faire cette action, ou votre session a expiré : rechargez la page et recommencez."})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error.html", page{Title: "Page introuvable", Data: "Cette page n'existe pas, ou vous n'y avez pas accès."})
}

// errorPage answers with the error page. It does not go through render,
// so that a failing template cannot loop: plain text is the last resort.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, title string, msg any) {
	var buf bytes.Buffer
	t, err := s.pages.get("error.html")
	if err != nil || t.ExecuteTemplate(&buf, "layout.html", page{Title: title, Data: msg, Actor: actorOf(r), CSRF: csrfOf(r), Version: s.version}) != nil {
		http.Error(w, title+" : "+fmt.Sprint(msg), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// failure is what a client is told of an error: a status and a French
// message safe to show, with the details that help fix the request.
type failure struct {
	status   int
	title    string
	message  string
	details  []model.FieldError
	conflict *app.ConflictError
	// code names, for the API, a refusal a client may act on.
	code string
	// next is what the page offers to do instead.
	next *nextStep
}

// nextStep is a link an error page offers: where to go instead.
type nextStep struct{ URL, Label string }

// messageWithNext is an error page's message with the link that follows
// it; it prints as its message alone.
type messageWithNext struct {
	Text string
	Next *nextStep
}

func (m messageWithNext) String() string { return m.Text }

// amendmentsURL is the page where the avenants of a convention are
// prepared.
func amendmentsURL(slug string) string { return "/c/" + slug + "/avenants" }

const staleMessage = "modifié entre-temps : relisez la version courante avant de réessayer"

// classify is the one place that maps errors to an HTTP status and a
// French message, for the pages and the API alike. Messages written by
// our own rules (validation, conflicts) are shown; any other failure is
// logged with its cause and shown as a generic message.
func (s *Server) classify(r *http.Request, err error) failure {
	var ve *model.ValidationError
	var ce *app.ConflictError
	var refused *app.RefusedError
	var signed *app.SignedError
	switch {
	case errors.As(err, &signed):
		return failure{status: http.StatusConflict, title: "Texte signé : modification par avenant", message: signed.Error(),
			code: "signed_content", next: &nextStep{URL: amendmentsURL(signed.Slug), Label: "Préparer un avenant"}}
	case errors.As(err, &ve):
		return failure{status: http.StatusUnprocessableEntity, title: "Données invalides", message: "données invalides", details: ve.Errors}
	case errors.As(err, &refused):
		return failure{status: http.StatusForbidden, title: "Action non autorisée", message: refused.Reason}
	case errors.As(err, &ce):
		return failure{status: http.StatusConflict, title: "Modification refusée", message: staleMessage, conflict: ce}
	case errors.Is(err, model.ErrStale):
		return failure{status: http.StatusConflict, title: "Modification refusée", message: staleMessage}
	case errors.Is(err, model.ErrNotFound):
		return failure{status: http.StatusNotFound, title: "Page introuvable", message: "introuvable"}
	case errors.Is(err, model.ErrForbidden):
		return failure{status: http.StatusForbidden, title: "Action non autorisée", message: "action non autorisée"}
	case errors.Is(err, model.ErrConflict):
		// Our conflicts say what collides; a cause joined to them (a
		// failed rollback) comes on the following lines and stays in the log.
		msg, rest, joined := strings.Cut(err.Error(), "\n")
		if joined {
			s.log.Error("conflit", "path", r.URL.Path, "error", rest)
		}
		return failure{status: http.StatusConflict, title: "Modification refusée", message: msg}
	default:
		s.log.Error("erreur interne", "method", r.Method, "path", r.URL.Path, "error", err)
		return failure{status: http.StatusInternalServerError, title: "Erreur interne",
			message: "erreur interne du serveur ; l'incident est consigné dans le journal"}
	}
}

// pageError answers a page request that failed.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	f := s.classify(r, err)
	var refused *app.RefusedError
	switch {
	case f.status == http.StatusNotFound:
		s.notFound(w, r)
	case errors.As(err, &refused):
		s.errorPage(w, r, f.status, f.title, upperFirst(f.message)+".")
	case f.next != nil:
		s.errorPage(w, r, f.status, f.title, messageWithNext{Text: f.message, Next: f.next})
	case f.status == http.StatusForbidden:
		s.forbidden(w, r)
	default:
		msg := f.message
		if len(f.details) > 0 {
			msgs := make([]string, len(f.details))
			for i, d := range f.details {
				msgs[i] = d.Message
			}
			msg = strings.Join(msgs, " ; ")
		}
		if f.status == http.StatusConflict && f.message == staleMessage {
			msg = "Cet élément a été modifié entre-temps par quelqu'un d'autre : rechargez la page pour voir sa version courante, puis recommencez."
		}
		s.errorPage(w, r, f.status, f.title, upperFirst(msg)+".")
	}
}

// upperFirst capitalizes the first letter of a message shown as a sentence.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// frenchDate writes a date, or a date pointer, the French way: "9 novembre 2022".
func frenchDate(v any) string {
	switch d := v.(type) {
	case model.Date:
		if !d.IsZero() {
			return textutil.FrenchDate(d)
		}
	case *model.Date:
		if d != nil && !d.IsZero() {
			return textutil.FrenchDate(*d)
		}
	}
	return ""
}

// paris is the time zone of the pages.
var paris = textutil.Paris

// frenchTime writes a moment in Paris time: "27/11/2026 à 10:45".
func frenchTime(t time.Time) string {
	return t.In(paris).Format("02/01/2006 à 15:04")
}

// frenchNumber groups thousands with a narrow no-break space: 10 194.
func frenchNumber(n int) string { return indicators.FormatNumber(float64(n)) }

// pathLabels name in French the fields the service's errors designate by
// their API name.
var pathLabels = map[string]string{"reason": "motif", "ids": "sélection", "year": "année", "annee": "année",
	"organization": "organisation", "email": "adresse électronique", "role": "rôle", "name": "nom", "password": "mot de passe",
	"code": "code", "period": "période", "value": "valeur", "text": "texte", "comment": "commentaire", "source": "source"}

// pathLabel names a field of an error message in French.
func pathLabel(path string) string {
	if l, ok := pathLabels[path]; ok {
		return l
	}
	return path
}

var funcs = template.FuncMap{
	"number":     frenchNumber,
	"num":        indicators.FormatNumber,
	"deref":      func(p *float64) float64 { return *p },
	"pct":        indicators.FormatPercent,
	"valueState": func(s model.ValueState) string { return s.Label() },
	"date":       frenchDate,
	// canCreateConvention says whether to offer the new convention wizard.
	"canCreateConvention": app.CanCreateConvention,
	"clock":               textutil.FrenchClock,
	"pathLabel":           pathLabel,
	"datetime":            frenchTime,
	"status": func(s model.ActionStatus) string {
		if l, ok := edit.StatusLabels[s]; ok {
			return l
		}
		return string(s)
	},
	"role": func(r auth.Role) string { return auth.RoleLabels[r] },
	"orgKind": func(k model.OrganizationKind) string {
		for _, o := range edit.OrganizationKindOptions() {
			if o.Value == string(k) {
				return o.Label
			}
		}
		return string(k)
	},
	"lines": func(s string) []string { return strings.Split(s, "\n") },
	// compare sets two versions of a text side by side, word by word.
	"compare": func(before, after string) map[string][]textutil.Piece {
		b, a := textutil.DiffWords(before, after)
		return map[string][]textutil.Piece{"Before": b, "After": a}
	},
	"paragraphs": func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, "\n\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	},
	"join": strings.Join,
	// sameText compares two titles as a reader would: case aside.
	"sameText": strings.EqualFold,
	"statuses": func() []model.ActionStatus { return model.ActionStatuses },
	// missedDeadline writes the deadline a step has missed on a day, or nothing.
	"missedDeadline": func(s model.Step, d model.Date) string {
		if due, missed := s.MissedDeadline(d); missed {
			return frenchDate(due)
		}
		return ""
	},
	"add": func(a, b int) int { return a + b },
	// amendments is the page where the avenants are prepared.
	"amendments": amendmentsURL,
	// nextStep is the link an error page's message offers, if any.
	"nextStep": func(data any) *nextStep {
		if m, ok := data.(messageWithNext); ok {
			return m.Next
		}
		return nil
	},
}

// writeCSV sends a table for Excel in French, as an attachment; cells that
// a spreadsheet would read as formulas are neutralised (textutil.WriteCSV).
func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", attachment(filename))
	_ = textutil.WriteCSV(w, header, rows)
}
