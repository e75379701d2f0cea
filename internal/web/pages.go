package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if a := actorOf(r); a != nil {
		http.Redirect(w, r, s.landing(r, a), http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "home.html", page{Title: "Accueil"})
}

// conventionsQuery reads the filters of the conventions list (the page
// and the API take the same): texte, etat and page. It returns the field
// errors in French.
func conventionsQuery(r *http.Request) (app.ConventionListFilter, []model.FieldError) {
	q := r.URL.Query()
	var errs []model.FieldError
	f := app.ConventionListFilter{Text: searchText(q, "texte", "texte", &errs)}
	if st := strings.TrimSpace(q.Get("etat")); st != "" {
		if !slices.Contains(lifecycle.States, lifecycle.State(st)) {
			errs = append(errs, model.FieldError{Path: "etat", Message: fmt.Sprintf("état : « %s » n'est pas un état de convention", st)})
		}
		f.State = lifecycle.State(st)
	}
	if text := strings.TrimSpace(q.Get("page")); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			errs = append(errs, model.FieldError{Path: "page", Message: fmt.Sprintf("page : « %s » n'est pas un numéro de page (1, 2…)", text)})
		}
		f.Page = n
	}
	return f, errs
}

// maxSearchText bounds the text a list is filtered by: a title or a name
// is shorter.
const maxSearchText = 200

// searchText reads the filter text name of q, trimmed; a text longer than
// maxSearchText adds an error about the field label to errs and filters
// nothing.
func searchText(q url.Values, name, label string, errs *[]model.FieldError) string {
	text := strings.TrimSpace(q.Get(name))
	if n := utf8.RuneCountInString(text); n > maxSearchText {
		*errs = append(*errs, model.FieldError{Path: name, Message: fmt.Sprintf("%s : %d caractères au plus (%d saisis)", label, maxSearchText, n)})
		return ""
	}
	return text
}

// conventionsData is the conventions list page.
type conventionsData struct {
	*app.ConventionList
	Filter app.ConventionListFilter
	States []lifecycle.State
	Errors []model.FieldError
	// Day is the day asked for (au=), kept by the filters and the pages.
	Day string
	// Prev and Next are the links to the pages around, "" at the ends.
	Prev, Next string
	// Lines are the rows of the list, rendered and joined: the page
	// writes them as one piece.
	Lines template.HTML
}

// rowsKept bounds the rendered pages of rows kept (conventions list,
// portfolio).
const rowsKept = 1024

// keptRows renders each of rows with the template define of the page name
// and joins them, once while s.rows holds them under key: a page of rows
// whose key names everything they show (see ConventionList.Key,
// PortfolioView.Key). Without a key, every time.
func keptRows[T any](s *Server, key, name, define string, rows []T) (template.HTML, error) {
	if key == "" {
		return renderRows(s, name, define, rows)
	}
	key = name + "|" + key
	if html, ok := s.rows.Get(key); ok {
		return html, nil
	}
	html, err := renderRows(s, name, define, rows)
	if err == nil {
		s.rows.Put(key, html)
	}
	return html, err
}

// renderRows renders each of rows with the template define of the page
// name, and joins them.
func renderRows[T any](s *Server, name, define string, rows []T) (template.HTML, error) {
	t, err := s.pages.get(name)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	for _, row := range rows {
		if err := t.ExecuteTemplate(&out, define, row); err != nil {
			return "", err
		}
		out.WriteByte('\n')
	}
	return template.HTML(out.String()), nil
}

func (s *Server) conventionsPage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	f, errs := conventionsQuery(r)
	status := http.StatusOK
	d := conventionsData{States: lifecycle.States, Day: strings.TrimSpace(r.URL.Query().Get("au"))}
	if len(errs) > 0 {
		for _, e := range errs {
			e.Message = upperFirst(e.Message)
			d.Errors = append(d.Errors, e)
		}
		status = http.StatusUnprocessableEntity
		f = app.ConventionListFilter{}
	}
	list, err := s.app.ListConventions(r.Context(), a, f, s.today(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Filter = f
	if status != http.StatusOK {
		// A copy: the list may be kept for other views.
		shown := *list
		shown.Rows, shown.Key = nil, ""
		list = &shown
	}
	d.ConventionList = list
	if d.Lines, err = keptRows(s, list.Key, "conventions.html", "conventions-line", list.Rows); err != nil {
		s.serverError(w, r, err)
		return
	}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range map[string]string{"au": d.Day, "texte": f.Text, "etat": string(f.State)} {
			if v != "" {
				q.Set(k, v)
			}
		}
		q.Set("page", strconv.Itoa(n))
		return "/conventions?" + q.Encode()
	}
	if list.Page > 1 {
		d.Prev = link(list.Page - 1)
	}
	if list.Page < list.Pages {
		d.Next = link(list.Page + 1)
	}
	s.render(w, r, status, "conventions.html", page{Title: "Mes conventions", Data: d})
}

// conventionPage loads the convention of the URL for a signed-in reader;
// it answers the request itself and returns nil on failure.
func (s *Server) conventionPage(w http.ResponseWriter, r *http.Request) *convView {
	a := s.signedIn(w, r)
	if a == nil {
		return nil
	}
	c, err := s.app.Convention(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return nil
	}
	return newConvView(c, a)
}

// overview is the convention's dashboard: where the plan stands, the
// year's collection, the next deadlines and the findings summarized, then
// the parties, the organizations and the territory.
func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	o, err := s.app.Overview(r.Context(), a, r.PathValue("slug"), s.today(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(o.Convention, a)
	s.render(w, r, http.StatusOK, "overview.html", page{Title: v.Title, Conv: v, Nav: "overview",
		Data: overviewData{Overview: o, Findings: checksView(v, o.Checks)}})
}

type overviewData struct {
	*app.Overview
	// Findings is the checks summarized for the page.
	Findings checksData
}

// Brief shortens a step's text for the list of late steps, between words.
func (overviewData) Brief(text string) string { return textutil.ExcerptAt(text, 0, 0, 90) }

func (s *Server) diagnostic(w http.ResponseWriter, r *http.Request) {
	if v := s.conventionPage(w, r); v != nil {
		s.render(w, r, http.StatusOK, "diagnostic.html", page{Title: "Diagnostic partagé", Conv: v, Nav: "diagnostic"})
	}
}

func (s *Server) governance(w http.ResponseWriter, r *http.Request) {
	if v := s.conventionPage(w, r); v != nil {
		s.render(w, r, http.StatusOK, "governance.html", page{Title: "Gouvernance", Conv: v, Nav: "governance"})
	}
}

func (s *Server) text(w http.ResponseWriter, r *http.Request) {
	if v := s.conventionPage(w, r); v != nil {
		s.render(w, r, http.StatusOK, "text.html", page{Title: "Texte de la convention", Conv: v, Nav: "text"})
	}
}

// planFilter is the action plan's filter form.
type planFilter struct {
	Status, Axis, Partner string
}

// planAxis is an axis with the fiches the filter keeps.
type planAxis struct {
	Axis   *model.Axis
	Fiches []*model.Fiche
}

type planData struct {
	Filter   planFilter
	Axes     []planAxis
	Shown    int
	Statuses []model.ActionStatus
	// Today is the date the states of fiches and steps are shown as of.
	Today model.Date
}

// keeps reports whether the filter keeps a fiche: its state, or one of
// its steps' states, on day d is the one asked for.
func (f planFilter) keeps(a *model.Axis, fi *model.Fiche, d model.Date) bool {
	if f.Axis != "" && f.Axis != itoa(a.Number) {
		return false
	}
	if f.Partner != "" && !slices.Contains(fi.Pilots, f.Partner) && !slices.Contains(fi.Partners, f.Partner) {
		return false
	}
	if f.Status == "" || string(fi.StateOn(d)) == f.Status {
		return true
	}
	for _, st := range fi.Steps {
		if string(st.StateOn(d)) == f.Status {
			return true
		}
	}
	return false
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	q := r.URL.Query()
	d := planData{Filter: planFilter{Status: q.Get("statut"), Axis: q.Get("axe"), Partner: q.Get("partenaire")}, Statuses: model.ActionStatuses,
		Today: lifecycle.EngagementsDay(v.Convention, s.today(r))}
	for i := range v.Axes {
		a := &v.Axes[i]
		pa := planAxis{Axis: a}
		for j := range a.Fiches {
			if d.Filter.keeps(a, &a.Fiches[j], d.Today) {
				pa.Fiches = append(pa.Fiches, &a.Fiches[j])
			}
		}
		d.Shown += len(pa.Fiches)
		if len(pa.Fiches) > 0 || (d.Filter == planFilter{}) || (d.Filter.Axis == itoa(a.Number) && d.Filter.Status == "" && d.Filter.Partner == "") {
			d.Axes = append(d.Axes, pa)
		}
	}
	s.render(w, r, http.StatusOK, "plan.html", page{Title: "Plan d'actions", Conv: v, Nav: "plan", Data: d})
}

type ficheData struct {
	Fiche *model.Fiche
	Axis  *model.Axis
	// Today is the date the states of the fiche and its steps are shown as of.
	Today   model.Date
	History []historyRow
	// Years and Indicators are the fiche's dashboard: validated values per year.
	Years      []string
	Indicators []indicators.Row
	// Assessment is the coordinator's written assessment of a year.
	Assessment *assessmentForm
	// Actions are the follow-up actions decided about the fiche in committee.
	Actions []ficheAction
}

func (s *Server) fiche(w http.ResponseWriter, r *http.Request) {
	s.renderFiche(w, r, http.StatusOK, nil)
}

// renderFiche shows a fiche; in, when not nil, is an assessment the user
// sent that was not saved, shown back with what to correct.
func (s *Server) renderFiche(w http.ResponseWriter, r *http.Request, status int, in *assessmentInput) {
	v, figures := s.figuresPage(w, r)
	if v == nil {
		return
	}
	f, a := v.Fiche(r.PathValue("code"))
	if f == nil {
		s.ficheNotInVersion(w, r, v)
		return
	}
	form, err := s.assessmentForm(r, v, f, in)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ids := []string{f.ID}
	for _, st := range f.Steps {
		ids = append(ids, st.ID)
		for _, ind := range st.Indicators {
			ids = append(ids, ind.ID)
		}
	}
	for _, ind := range f.Indicators {
		ids = append(ids, ind.ID)
	}
	ids = append(ids, form.ids...)
	hist, err := s.app.History(r.Context(), actorOf(r), v.Slug, ids, 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := ficheData{Fiche: f, Axis: a, Today: lifecycle.EngagementsDay(v.Convention, s.today(r)), History: historyRows(v.Convention, hist), Years: figures.Years, Indicators: figures.Fiche(f.Code), Assessment: form}
	if d.Actions, err = s.ficheActions(r, v, f.Code); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "fiche.html", page{Title: "Fiche action " + f.Code, Conv: v, Nav: "plan", Data: d})
}

// ficheNotInVersion answers for a fiche the page cannot show: when the
// convention is read at a date, it says the fiche is not in the version
// in force that day, and links to the fiche in the current text if it is
// there; else the page is not found.
func (s *Server) ficheNotInVersion(w http.ResponseWriter, r *http.Request, v *convView) {
	day, ok := app.DateOf(r.Context())
	if !ok {
		s.notFound(w, r)
		return
	}
	code := r.PathValue("code")
	msg := messageWithNext{Text: fmt.Sprintf("La fiche %s ne figure pas dans la version de la convention en vigueur le %s.", code, textutil.FrenchDate(day))}
	current, _, err := s.app.ConventionAt(r.Context(), actorOf(r), v.Slug, s.today(r))
	if err == nil {
		for _, a := range current.Axes {
			for _, f := range a.Fiches {
				if f.Code == code {
					msg.Text += " Un avenant l'a ajoutée depuis : elle figure dans le texte en vigueur aujourd'hui."
					msg.Next = &nextStep{URL: "/c/" + v.Slug + "/fiches/" + code, Label: "Lire la fiche " + code + " dans le texte en vigueur"}
				}
			}
		}
	}
	s.errorPage(w, r, http.StatusNotFound, "Fiche absente de cette version", msg)
}

type equipmentData struct {
	Type, Commune string
	Types         []string
	Communes      []string
	Rows          []*model.Equipment
	Query         string
}

func (s *Server) equipmentRows(v *convView, r *http.Request) equipmentData {
	q := r.URL.Query()
	d := equipmentData{Type: q.Get("type"), Commune: q.Get("commune"), Query: r.URL.RawQuery}
	for i := range v.Equipments {
		e := &v.Equipments[i]
		if !slices.Contains(d.Types, e.ActivityType) {
			d.Types = append(d.Types, e.ActivityType)
		}
		if !slices.Contains(d.Communes, e.Commune) {
			d.Communes = append(d.Communes, e.Commune)
		}
		if (d.Type == "" || e.ActivityType == d.Type) && (d.Commune == "" || e.Commune == d.Commune) {
			d.Rows = append(d.Rows, e)
		}
	}
	slices.Sort(d.Types)
	slices.SortFunc(d.Communes, func(a, b string) int { return strings.Compare(v.CommuneName(a), v.CommuneName(b)) })
	return d
}

func (s *Server) equipments(w http.ResponseWriter, r *http.Request) {
	if v := s.conventionPage(w, r); v != nil {
		s.render(w, r, http.StatusOK, "equipments.html", page{Title: "Équipements et services", Conv: v, Nav: "equipments", Data: s.equipmentRows(v, r)})
	}
}

// equipmentsCSV exports the filtered register for Excel in French: ";"
// separators and a UTF-8 byte order mark.
func (s *Server) equipmentsCSV(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	d := s.equipmentRows(v, r)
	var rows [][]string
	for _, e := range d.Rows {
		rows = append(rows, []string{e.OperatorName, e.Name, e.ActivityType, e.ActivityNature, strings.Join(e.Address, ", "), e.PostalCode, e.City, e.Commune, v.CommuneName(e.Commune), placesText(e.Places)})
	}
	writeCSV(w, v.Slug+"-equipements.csv", []string{"Gestionnaire", "Équipement", "Type d'activité", "Nature d'activité", "Adresse", "Code postal", "Ville", "Code commune INSEE", "Commune", "Places"}, rows)
}

func itoa(n int) string { return strconv.Itoa(n) }

// placesText writes a number of places, or nothing when unknown.
func placesText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	hist, err := s.app.History(r.Context(), actorOf(r), v.Slug, nil, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "history.html", page{Title: "Historique des modifications", Conv: v, Nav: "history", Data: historyRows(v.Convention, hist)})
}
