package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
)

// checkRow is a line of the checks with the link to the record to fix.
type checkRow struct {
	app.Check
	Label, URL string
}

// checkGroup is the open lines of one severity.
type checkGroup struct {
	Severity lint.Severity
	Heading  string
	Rows     []checkRow
}

type checksData struct {
	At model.Date
	// Counts is the number of open lines by severity name, for the templates.
	Counts       map[string]int
	Groups       []checkGroup
	Acknowledged []checkRow
	// CanAcknowledge shows the forms that acknowledge a finding or withdraw it.
	CanAcknowledge bool
	// Form and Errors are a refused acknowledgement, shown again.
	Form   url.Values
	Errors []model.FieldError
}

// FormKey is the key of the finding whose acknowledgement was refused.
func (d checksData) FormKey() string { return d.Form.Get("key") }

// FormReason is the reason given with the refused acknowledgement.
func (d checksData) FormReason() string { return d.Form.Get("reason") }

// severityHeadings names each severity's group on the page.
var severityHeadings = map[lint.Severity]string{lint.Error: "Erreurs", lint.Warning: "Avertissements", lint.Info: "Informations"}

// today is the date of the checks: today in Paris, or ?au=AAAA-MM-JJ.
func (s *Server) today(r *http.Request) model.Date {
	if d, err := model.ParseDate(r.URL.Query().Get("au")); err == nil {
		return d
	}
	return model.DateOf(s.now().In(paris))
}

// checksView makes the page's data from the service's report.
func checksView(v *convView, c *app.Checks) checksData {
	d := checksData{At: c.At, Counts: map[string]int{}, CanAcknowledge: app.CanAcknowledge(v.actor, v.Slug)}
	for sev, n := range c.Counts {
		d.Counts[string(sev)] = n
	}
	row := func(line app.Check) checkRow {
		r := checkRow{Check: line, Label: lint.Labels[line.Severity]}
		switch {
		case line.Kind == "amendment":
			r.URL = "/c/" + v.Slug + "/avenants/" + line.ID
		case line.Kind == "meeting" && line.ID != "":
			r.URL = "/c/" + v.Slug + "/reunions/" + line.ID
		case line.Kind == "data-request" && line.ID != "":
			r.URL = "/c/" + v.Slug + "/echanges-donnees/" + line.ID
		case line.Kind != "" && line.ID != "":
			r.URL = "/c/" + v.Slug + "/modifier/" + line.Kind + "/" + line.ID
		}
		return r
	}
	for _, sev := range []lint.Severity{lint.Error, lint.Warning, lint.Info} {
		g := checkGroup{Severity: sev, Heading: severityHeadings[sev]}
		for _, line := range c.Open {
			if line.Severity == sev {
				g.Rows = append(g.Rows, row(line))
			}
		}
		if len(g.Rows) > 0 {
			d.Groups = append(d.Groups, g)
		}
	}
	for _, line := range c.Acknowledged {
		d.Acknowledged = append(d.Acknowledged, row(line))
	}
	return d
}

// checksPage loads the convention of the URL and its checks; it answers
// the request itself and returns nil on failure.
func (s *Server) checksPage(w http.ResponseWriter, r *http.Request) (*convView, *app.Checks) {
	a := s.signedIn(w, r)
	if a == nil {
		return nil, nil
	}
	c, checks, err := s.app.Checks(r.Context(), a, r.PathValue("slug"), s.today(r))
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	return newConvView(c, a), checks
}

func (s *Server) checks(w http.ResponseWriter, r *http.Request) {
	if v, c := s.checksPage(w, r); v != nil {
		s.renderChecks(w, r, http.StatusOK, v, checksView(v, c))
	}
}

func (s *Server) renderChecks(w http.ResponseWriter, r *http.Request, status int, v *convView, d checksData) {
	s.render(w, r, status, "checks.html", page{Title: "Contrôles", Conv: v, Nav: "checks", Data: d})
}

// checksCSV exports every finding for Excel in French, the acknowledged
// ones last with who acknowledged them, when and why.
func (s *Server) checksCSV(w http.ResponseWriter, r *http.Request) {
	v, c := s.checksPage(w, r)
	if v == nil {
		return
	}
	var rows [][]string
	for _, line := range c.All() {
		row := []string{lint.Labels[line.Severity], line.Rule, line.Where, line.Message, line.Fix, strings.Join(line.Paths, ", "),
			strconv.Itoa(line.Count), "", "", ""}
		if a := line.Acknowledgement; a != nil {
			row[7], row[8], row[9] = a.By, frenchTime(a.At), a.Reason
		}
		rows = append(rows, row)
	}
	writeCSV(w, v.Slug+"-controles-"+c.At.String()+".csv", []string{"Gravité", "Règle", "Partie du texte", "Constat", "Que faire", "Emplacement",
		"Occurrences", "Pris en compte par", "Pris en compte le", "Raison"}, rows)
}

// acknowledge records that a finding is accepted as it is, with a reason.
func (s *Server) acknowledge(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	at := s.formDay(r)
	if _, err := s.app.Acknowledge(r.Context(), a, slug, r.PostFormValue("key"), r.PostFormValue("reason"), at); err != nil {
		s.checksFormError(w, r, err, at)
		return
	}
	http.Redirect(w, r, "/c/"+slug+"/controles?au="+at.String()+"#pris-en-compte", http.StatusSeeOther)
}

// unacknowledge withdraws the acknowledgement of a finding.
func (s *Server) unacknowledge(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	at := s.formDay(r)
	if err := s.app.Unacknowledge(r.Context(), a, slug, r.PostFormValue("key")); err != nil {
		s.checksFormError(w, r, err, at)
		return
	}
	http.Redirect(w, r, "/c/"+slug+"/controles?au="+at.String(), http.StatusSeeOther)
}

// formDay is the date of the checks a form was sent from (au), today
// when absent.
func (s *Server) formDay(r *http.Request) model.Date {
	if d, err := model.ParseDate(r.PostFormValue("au")); err == nil {
		return d
	}
	return model.DateOf(s.now().In(paris))
}

// checksFormError shows the checks page again with a refused reason, or
// answers with the error page.
func (s *Server) checksFormError(w http.ResponseWriter, r *http.Request, err error, at model.Date) {
	if errors.Is(err, model.ErrNotFound) && actorOf(r).CanRead(r.PathValue("slug")) {
		s.errorPage(w, r, http.StatusNotFound, "Constat introuvable", "Ce constat n'existe plus, ou sa prise en compte a déjà été annulée : "+
			"la convention a changé depuis l'affichage de la page. Rechargez la page des contrôles et recommencez.")
		return
	}
	f := s.classify(r, err)
	if f.status != http.StatusUnprocessableEntity {
		s.pageError(w, r, err)
		return
	}
	c, checks, err := s.app.Checks(r.Context(), actorOf(r), r.PathValue("slug"), at)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, actorOf(r))
	d := checksView(v, checks)
	d.Form, d.Errors = r.PostForm, f.details
	s.renderChecks(w, r, f.status, v, d)
}

func (s *Server) apiChecks(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	at, ok := s.apiDate(w, r)
	if !ok {
		return
	}
	_, c, err := s.app.Checks(r.Context(), a, r.PathValue("slug"), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": at, "counts": c.Counts, "acknowledged": len(c.Acknowledged), "findings": c.All()})
}

// acknowledgeRequest is the body of POST …/checks/acknowledgements.
type acknowledgeRequest struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
	// At is the date of the checks the key was read from; today by default.
	At string `json:"at"`
}

const acknowledgeShape = `{"key": "clé du constat", "reason": "pourquoi il est pris en compte"}`

func (s *Server) apiAcknowledge(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	var req acknowledgeRequest
	if !decodeBody(w, r, &req, acknowledgeShape) {
		return
	}
	at := model.DateOf(s.now().In(paris))
	if req.At != "" {
		d, err := model.ParseDate(req.At)
		if err != nil {
			badBody(w, acknowledgeShape, "at", err.Error())
			return
		}
		at = d
	}
	ack, err := s.app.Acknowledge(r.Context(), a, r.PathValue("slug"), req.Key, req.Reason, at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": ack.Key, "rule": ack.Rule, "message": ack.Message, "acknowledgement": ack})
}

func (s *Server) apiUnacknowledge(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	if err := s.app.Unacknowledge(r.Context(), a, r.PathValue("slug"), r.PathValue("key")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
