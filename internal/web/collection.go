package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

type collectionData struct {
	Year  int
	Years []string
	Rows  []app.Progress
	// ImportErrors and Imported report the last form sent.
	ImportErrors []model.FieldError
	Imported     string
	// Done says what the last bulk action did; ActionErrors why it did nothing.
	Done         string
	ActionErrors []model.FieldError
	// Indicators is the catalogue, with who is responsible for each;
	// Unassigned the indicators nobody is.
	Indicators []indicators.Entry
	Unassigned []indicators.Entry
	// Pending are the values of the year waiting for validation.
	Pending []app.TaskValue
	// Organization is the viewer's organization (a contributor's), Mine
	// the number of indicators it is responsible for, and Admins whom to
	// ask when it is none.
	Organization, OrganizationName string
	Mine                           int
	Admins                         []string
	// Submits are the forms submitting each organization's drafts, by
	// key, for the organizations the viewer may submit for; PendingForm
	// the list of values to validate.
	Submits     map[string]draftsForm
	PendingForm pendingForm
}

func (s *Server) collectionData(w http.ResponseWriter, r *http.Request) (*convView, *collectionData) {
	v, values := s.valuesPage(w, r)
	if v == nil {
		return nil, nil
	}
	year, err := strconv.Atoi(r.URL.Query().Get("annee"))
	if err != nil || year < v.Period.Start.Year || year > v.Period.End.Year {
		year = s.defaultYear(r, v.Convention)
	}
	d := &collectionData{Year: year, Years: years(v.Convention), Rows: app.CollectionProgress(v.Convention, values, year),
		Indicators: indicators.Catalogue(v.Convention), Done: doneMessage(r.URL.Query())}
	a := actorOf(r)
	if m, ok := a.Memberships[v.Slug]; ok && !m.Role.ReadsOnly() {
		d.Organization, d.OrganizationName = m.Organization, v.OrgName(m.Organization)
	}
	labels, responsible := map[string]string{}, map[string]string{}
	for _, e := range d.Indicators {
		responsible[e.Code] = e.Responsible
		labels[e.Code] = e.Label
		if e.Responsible == "" {
			d.Unassigned = append(d.Unassigned, e)
		}
		if d.Organization != "" && e.Responsible == d.Organization {
			d.Mine++
		}
	}
	validator := app.CanValidate(a, v.Slug)
	d.Submits = map[string]draftsForm{}
	for _, x := range values {
		if x.Synthetic || indicators.Year(x.Period) != strconv.Itoa(year) {
			continue
		}
		if org := responsible[x.Indicator]; x.State == model.ValueDraft && org != "" && (validator || org == d.Organization) {
			f := d.Submits[org]
			f.Count++
			d.Submits[org] = f
		}
		if validator && x.State == model.ValueSubmitted {
			d.Pending = append(d.Pending, app.TaskValue{Value: x, Label: labels[x.Indicator], OrganizationName: v.OrgName(x.Organization)})
		}
	}
	for org, f := range d.Submits {
		d.Submits[org] = draftsForm{Slug: v.Slug, CSRF: csrfOf(r), Return: "collecte", Organization: org, OrganizationName: v.OrgName(org), Year: year, Count: f.Count, Compact: true}
	}
	d.PendingForm = pendingForm{Slug: v.Slug, CSRF: csrfOf(r), Return: "collecte", Year: year, Values: d.Pending}
	if d.Organization != "" && d.Mine == 0 {
		if d.Admins, err = s.app.ConventionAdmins(r.Context(), a, v.Slug); err != nil {
			s.pageError(w, r, err)
			return nil, nil
		}
	}
	return v, d
}

// defaultYear is the year a collection page shows when none is asked for:
// the year being collected.
func (s *Server) defaultYear(r *http.Request, c *model.Convention) int {
	return app.CollectionYear(c, s.today(r))
}

// formYear reads the year of a collection form (annee): when absent, the
// year the collection page shows by default; a year that is not one of
// the convention is answered 400 and reported as 0.
func (s *Server) formYear(w http.ResponseWriter, r *http.Request, c *model.Convention) int {
	text := strings.TrimSpace(r.FormValue("annee"))
	if text == "" {
		return s.defaultYear(r, c)
	}
	year, err := strconv.Atoi(text)
	if err != nil || year < c.Period.Start.Year || year > c.Period.End.Year {
		s.render(w, r, http.StatusBadRequest, "error.html", page{Title: "Année invalide",
			Data: fmt.Sprintf("Année de collecte invalide (paramètre annee) : choisissez une année de la convention, de %d à %d.", c.Period.Start.Year, c.Period.End.Year)})
		return 0
	}
	return year
}

// attachment is the Content-Disposition of a download named name. The
// name may carry what a user typed (an organization key): characters other
// than letters, digits, "-", "_" and "." are replaced, and mime quotes the
// name, or encodes it as filename* when it is not ASCII.
func attachment(name string) string {
	safe := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.", r) {
			return r
		}
		return '-'
	}, name)
	return mime.FormatMediaType("attachment", map[string]string{"filename": safe})
}

// collection shows which organizations have answered the collection of a year.
func (s *Server) collection(w http.ResponseWriter, r *http.Request) {
	if v, d := s.collectionData(w, r); d != nil {
		s.render(w, r, http.StatusOK, "collection.html", page{Title: "Collecte " + strconv.Itoa(d.Year), Conv: v, Nav: "indicators", Data: d})
	}
}

func (s *Server) collectionCSV(w http.ResponseWriter, r *http.Request) {
	v, d := s.collectionData(w, r)
	if d == nil {
		return
	}
	var rows [][]string
	for _, p := range d.Rows {
		name := "Sans organisation responsable"
		if p.Organization != "" {
			name = v.OrgName(p.Organization)
		}
		rows = append(rows, []string{name, strconv.Itoa(p.Indicators), strconv.Itoa(p.Expected), strconv.Itoa(p.Entered), strconv.Itoa(p.Submitted),
			strconv.Itoa(p.Validated), strconv.Itoa(p.Returned)})
	}
	writeCSV(w, v.Slug+"-collecte-"+strconv.Itoa(d.Year)+".csv",
		[]string{"Organisation", "Indicateurs", "Valeurs attendues", "Saisies", "Soumises", "Validées", "Renvoyées"}, rows)
}

// collectionForm sends an organization's XLSX collection form.
func (s *Server) collectionForm(w http.ResponseWriter, r *http.Request) {
	v, values := s.valuesPage(w, r)
	if v == nil {
		return
	}
	slug := v.Slug
	year := s.formYear(w, r, v.Convention)
	if year == 0 {
		return
	}
	form, err := app.CollectionForm(actorOf(r), v.Convention, values, r.URL.Query().Get("organisation"), year)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	data, err := form.XLSX()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := slug + "-collecte-" + strconv.Itoa(year)
	if form.Organization != "" {
		name += "-" + form.Organization
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", attachment(name+".xlsx"))
	_, _ = w.Write(data)
}

// importForm reads a filled collection form.
func (s *Server) importForm(w http.ResponseWriter, r *http.Request) {
	a := s.uploader(w, r)
	if a == nil {
		return
	}
	// Import first, so that the progress shown afterwards counts the new values.
	var importErrors []model.FieldError
	imported := ""
	file, _, err := r.FormFile("fichier")
	if err != nil {
		importErrors = []model.FieldError{{Path: "fichier", Message: "choisissez le formulaire XLSX rempli"}}
	} else {
		defer file.Close()
		n, err := s.app.ImportValuesXLSX(r.Context(), a, r.PathValue("slug"), file)
		var ve *model.ValidationError
		switch {
		case errors.As(err, &ve):
			importErrors = ve.Errors
		case err != nil:
			s.pageError(w, r, err)
			return
		case n == 0:
			imported = "Aucune valeur nouvelle ou modifiée dans le formulaire : rien n'a été importé."
		default:
			imported = fmt.Sprintf("%d valeur(s) importée(s) en brouillon : soumettez-les avec le bouton « Soumettre … pour validation ».", n)
		}
	}
	v, d := s.collectionData(w, r)
	if d == nil {
		return
	}
	d.ImportErrors, d.Imported = importErrors, imported
	status := http.StatusOK
	if importErrors != nil {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "collection.html", page{Title: "Collecte", Conv: v, Nav: "indicators", Data: d})
}

// formLine is a line of the browser collection form.
type formLine struct {
	app.FormLine
	Label    string
	Unit     model.Unit
	Existing bool
	Error    string
	// Target and Previous help the person entering the value: the
	// period's target and the value of the same period a year before, as
	// text ("" when none).
	Target, Previous, PreviousPeriod string
}

// previousPeriod is the same period a year before: "2024" → "2023",
// "2024-T2" → "2023-T2".
func previousPeriod(p string) string {
	if len(p) < 4 {
		return ""
	}
	y, err := strconv.Atoi(p[:4])
	if err != nil {
		return ""
	}
	return strconv.Itoa(y-1) + p[4:]
}

// valueText writes a stored value for reading, marked when fictive.
func valueText(v model.Value) string {
	out := v.Text
	if v.Number != nil {
		out = indicators.FormatNumber(*v.Number)
	}
	if v.Synthetic {
		out += " (fictive)"
	}
	return out
}

type browserFormData struct {
	Year                           int
	Organization, OrganizationName string
	Lines                          []formLine
	Errors                         []model.FieldError
	Saved                          string
	// Drafts counts the form's values still in draft, to submit.
	Drafts int
	// Admins names whom to ask when the form has nothing to fill.
	Admins []string
	Submit draftsForm
}

// browserForm shows an organization's collection form in the browser.
func (s *Server) browserForm(w http.ResponseWriter, r *http.Request) {
	s.renderBrowserForm(w, r, http.StatusOK, nil, nil, "")
}

func (s *Server) renderBrowserForm(w http.ResponseWriter, r *http.Request, status int, typed []app.FormLine, errs []model.FieldError, saved string) {
	v, values := s.valuesPage(w, r)
	if v == nil {
		return
	}
	year := s.formYear(w, r, v.Convention)
	if year == 0 {
		return
	}
	form, err := app.CollectionForm(actorOf(r), v.Convention, values, r.FormValue("organisation"), year)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if saved == "" {
		saved = doneMessage(r.URL.Query())
	}
	d := browserFormData{Year: year, Organization: form.Organization, OrganizationName: form.OrganizationName, Errors: errs, Saved: saved}
	inForm := map[string]bool{}
	for _, e := range form.Entries {
		inForm[e.Code] = true
	}
	existing := map[string]model.Value{}
	for _, x := range form.Values {
		if x.Breakdown == "" {
			existing[x.Indicator+"|"+x.Period] = x
		}
		if x.State == model.ValueDraft && inForm[x.Indicator] {
			d.Drafts++
		}
	}
	d.Submit = draftsForm{Slug: v.Slug, CSRF: csrfOf(r), Return: "saisie", Organization: form.Organization, Year: year, Count: d.Drafts}
	if form.Organization != "" {
		d.Submit.OrganizationName = form.OrganizationName
	}
	if len(form.Entries) == 0 {
		if d.Admins, err = s.app.ConventionAdmins(r.Context(), actorOf(r), v.Slug); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	// The values of the year before, real ones first, beside each field.
	before := map[string]model.Value{}
	for _, x := range values {
		k := x.Indicator + "|" + x.Period
		if old, ok := before[k]; x.Breakdown == "" && (!ok || old.Synthetic) {
			before[k] = x
		}
	}
	for _, e := range form.Entries {
		for _, p := range e.Periodicity.Periods(year) {
			l := formLine{FormLine: app.FormLine{Code: e.Code, Period: p}, Label: e.Label, Unit: e.Unit, PreviousPeriod: previousPeriod(p)}
			for _, t := range e.Targets {
				if t.Period == p {
					l.Target = indicators.FormatNumber(t.Value)
				}
			}
			if x, ok := before[e.Code+"|"+l.PreviousPeriod]; ok {
				l.Previous = valueText(x)
			}
			if x, ok := existing[e.Code+"|"+p]; ok {
				l.Existing, l.Text, l.Source, l.Comment = true, x.Text, x.Source, x.Comment
				if x.Number != nil {
					l.Number = strings.ReplaceAll(indicators.FormatNumber(*x.Number), "\u202f", "")
				}
			}
			if i := len(d.Lines); i < len(typed) {
				l.FormLine = typed[i]
			}
			d.Lines = append(d.Lines, l)
		}
	}
	for _, fe := range errs {
		if fe.Line > 0 && fe.Line <= len(d.Lines) {
			d.Lines[fe.Line-1].Error += fe.Message + " "
		}
	}
	s.render(w, r, status, "collect_form.html", page{Title: "Saisie " + strconv.Itoa(year), Conv: v, Nav: "indicators", Data: d})
}

// saveBrowserForm stores the lines of the browser collection form.
func (s *Server) saveBrowserForm(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	if !a.CanRead(r.PathValue("slug")) {
		s.notFound(w, r)
		return
	}
	if !a.CanEditSomething(r.PathValue("slug")) {
		s.forbidden(w, r)
		return
	}
	// The year only chooses the form shown back, but a wrong one is
	// refused before anything is saved.
	c, err := s.app.Convention(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if s.formYear(w, r, c) == 0 {
		return
	}
	var lines []app.FormLine
	codes := r.PostForm["code"]
	for i := range codes {
		get := func(name string) string {
			if vals := r.PostForm[name]; i < len(vals) {
				return vals[i]
			}
			return ""
		}
		lines = append(lines, app.FormLine{Code: codes[i], Period: get("period"), Number: get("value"), Text: get("text"), Source: get("source"), Comment: get("comment")})
	}
	n, err := s.app.SaveFormLines(r.Context(), a, r.PathValue("slug"), lines)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderBrowserForm(w, r, http.StatusUnprocessableEntity, lines, ve.Errors, "")
	case err != nil:
		s.pageError(w, r, err)
	case n == 0:
		s.renderBrowserForm(w, r, http.StatusOK, nil, nil, "Aucune valeur nouvelle ou modifiée : rien n'a été enregistré.")
	default:
		s.renderBrowserForm(w, r, http.StatusOK, nil, nil, fmt.Sprintf("%d valeur(s) enregistrée(s) en brouillon : soumettez-les avec le bouton « Soumettre … pour validation ».", n))
	}
}
