package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

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
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Actor, p.CSRF, p.Version = actorOf(r), csrfOf(r), s.version
	t, ok := s.pages[name]
	if !ok {
		s.serverError(w, r, fmt.Errorf("gabarit %s absent", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("erreur interne", "chemin", r.URL.Path, "erreur", err)
	http.Error(w, "Erreur interne du serveur. L'incident est consigné dans le journal.", http.StatusInternalServerError)
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusForbidden, "error.html", page{Title: "Action non autorisée", Data: "Vous n'avez pas le droit de faire cette action, ou votre session a expiré : rechargez la page et recommencez."})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "error.html", page{Title: "Page introuvable", Data: "Cette page n'existe pas, ou vous n'y avez pas accès."})
}

// pageError answers a page request that failed.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, model.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, model.ErrForbidden):
		s.forbidden(w, r)
	default:
		s.serverError(w, r, err)
	}
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

var conventionStatusLabels = map[model.Status]string{
	model.StatusDraft: "projet", model.StatusSigned: "signée", model.StatusTerminated: "résiliée", model.StatusRenewed: "renouvelée",
}

// frenchNumber groups thousands with a narrow no-break space: 10 194.
func frenchNumber(n int) string { return indicators.FormatNumber(float64(n)) }

var funcs = template.FuncMap{
	"number": frenchNumber,
	"num":    indicators.FormatNumber,
	"deref":  func(p *float64) float64 { return *p },
	"pct": func(p float64) string {
		sign := "+"
		if p < 0 {
			sign = "−"
		}
		return sign + indicators.FormatNumber(math.Abs(math.Round(p*10)/10)) + " %"
	},
	"valueState": func(s model.ValueState) string { return stateLabels[s] },
	"unitLabel": func(u string) string {
		return map[string]string{"count": "nombre", "euros": "euros", "hours": "heures", "places": "places", "percent": "pourcentage",
			"text": "qualitatif (texte)", "": "non précisée"}[u]
	},
	"periodicityLabel": func(p string) string {
		return map[string]string{"year": "annuelle", "quarter": "trimestrielle", "month": "mensuelle", "": "non précisée"}[p]
	},
	"combineLabel": func(c string) string {
		return map[string]string{"sum": "somme", "mean": "moyenne", "latest": "dernière valeur", "ratio": "rapport"}[c]
	},
	"periodHint": func(p string) string {
		return map[string]string{"year": "année : 2024", "quarter": "trimestre : 2024-T2", "month": "mois : 2024-03", "": "2024, 2024-T2 ou 2024-03"}[p]
	},
	"date":     frenchDate,
	"datetime": frenchTime,
	"convStatus": func(s model.Status) string {
		if l, ok := conventionStatusLabels[s]; ok {
			return l
		}
		return string(s)
	},
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
	"fieldLabel": func(kind, name string) string {
		if k, ok := edit.Lookup(kind); ok {
			if f, ok := k.Field(name); ok {
				return f.Label
			}
		}
		return name
	},
	"fieldValue": func(kind, name, value string) string {
		if name == "status" && kind != "convention" {
			if l, ok := edit.StatusLabels[model.ActionStatus(value)]; ok {
				return l
			}
		}
		if value == "" {
			return "(vide)"
		}
		return value
	},
	"add":    func(a, b int) int { return a + b },
	"fields": func(m map[string]string) []string { return sortedKeys(m) },
}

// writeCSV sends a table for Excel in French, as an attachment; cells that
// a spreadsheet would read as formulas are neutralised (textutil.WriteCSV).
func writeCSV(w http.ResponseWriter, filename string, header []string, rows [][]string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", attachment(filename))
	_ = textutil.WriteCSV(w, header, rows)
}
