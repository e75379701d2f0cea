package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// portfolioQuery reads the filters of a portfolio request (the page, its
// CSV and the API take the same): texte, etat, departement, echeance
// (AAAA-MM-JJ), organisation (platform administrators only) and tri, and
// the day, dayParam (today by default). It returns the field errors in
// French, by field.
func (s *Server) portfolioQuery(r *http.Request, a *auth.Actor, dayParam string) (app.PortfolioFilter, model.Date, []model.FieldError) {
	q := r.URL.Query()
	var errs []model.FieldError
	f := app.PortfolioFilter{Text: searchText(q, "texte", "texte", &errs), Departement: strings.ToUpper(strings.TrimSpace(q.Get("departement")))}
	day := model.DateOf(s.now().In(paris))
	if text := strings.TrimSpace(q.Get(dayParam)); text != "" {
		d, err := model.ParseDate(text)
		if err != nil {
			errs = append(errs, model.FieldError{Path: dayParam, Message: fmt.Sprintf("date : « %s » n'est pas une date au format AAAA-MM-JJ (%v)", text, err)})
		} else {
			day = d
		}
	}
	if st := strings.TrimSpace(q.Get("etat")); st != "" {
		if !slices.Contains(lifecycle.States, lifecycle.State(st)) {
			errs = append(errs, model.FieldError{Path: "etat", Message: fmt.Sprintf("état : « %s » n'est pas un état de convention", st)})
		}
		f.State = lifecycle.State(st)
	}
	if f.Departement != "" && !slices.Contains(s.departements(), f.Departement) {
		errs = append(errs, model.FieldError{Path: "departement",
			Message: fmt.Sprintf("département : « %s » n'est pas un département des données INSEE (code attendu : 04, 2A, 971…)", f.Departement)})
	}
	if text := strings.TrimSpace(q.Get("echeance")); text != "" {
		d, err := model.ParseDate(text)
		if err != nil {
			errs = append(errs, model.FieldError{Path: "echeance", Message: fmt.Sprintf("échéance avant le : « %s » n'est pas une date au format AAAA-MM-JJ (%v)", text, err)})
		} else {
			f.DueBy = &d
		}
	}
	if a.PlatformAdmin {
		f.Organization = searchText(q, "organisation", "organisation", &errs)
	}
	switch sort := q.Get("tri"); sort {
	case "", "echeance":
	case app.PortfolioSortTitle:
		f.Sort = sort
	default:
		errs = append(errs, model.FieldError{Path: "tri", Message: fmt.Sprintf("tri : « %s » n'est pas un tri proposé (echeance ou titre)", sort)})
	}
	return f, day, errs
}

// portfolioQueryString writes the filters back as a query, for the CSV
// link.
func portfolioQueryString(f app.PortfolioFilter, day string) string {
	q := url.Values{}
	if day != "" {
		q.Set("au", day)
	}
	for k, v := range map[string]string{"texte": f.Text, "etat": string(f.State), "departement": f.Departement, "organisation": f.Organization, "tri": f.Sort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.DueBy != nil {
		q.Set("echeance", f.DueBy.String())
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// portfolioData is the portfolio page.
type portfolioData struct {
	Filter app.PortfolioFilter
	DueBy  string
	// Day is the day asked for (au=), kept by the filters.
	Day          string
	Errors       []model.FieldError
	States       []lifecycle.State
	Departements []string
	Rows         []app.PortfolioRow
	// RowsHTML is Rows rendered.
	RowsHTML template.HTML
	// Any is set when the person reads at least one convention, whatever
	// the filters.
	Any bool
	CSV string
	// Coverage is the coverage of Departement, the one chosen or the most
	// frequent among the conventions.
	Departement string
	Coverage    *CoverageSummary
	CoverageURL string
	// Total counts the rows the filters keep; Page is the page shown
	// (from 1) of Pages; Prev and Next link to the pages around, "" at
	// the ends.
	Total, Page, Pages int
	Prev, Next         string
}

// portfolioPage lists the conventions the person may read with where each
// stands, then the coverage of a département.
func (s *Server) portfolioPage(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	f, today, errs := s.portfolioQuery(r, a, "au")
	pageNo := 0
	if text := strings.TrimSpace(r.URL.Query().Get("page")); text != "" {
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			errs = append(errs, model.FieldError{Path: "page", Message: fmt.Sprintf("page : « %s » n'est pas un numéro de page (1, 2…)", text)})
		}
		pageNo = n
	}
	d := portfolioData{Filter: f, States: lifecycle.States, Departements: s.departements(), DueBy: strings.TrimSpace(r.URL.Query().Get("echeance")),
		Day: strings.TrimSpace(r.URL.Query().Get("au"))}
	status := http.StatusOK
	if len(errs) > 0 {
		for _, e := range errs {
			e.Message = upperFirst(e.Message)
			d.Errors = append(d.Errors, e)
		}
		status, f = http.StatusUnprocessableEntity, app.PortfolioFilter{}
	}
	// The view of the filter: the rows it keeps, and the département of
	// the coverage, the most frequent of every row.
	view, err := s.app.PortfolioView(r.Context(), a, f, today)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Any = view.Any
	if status == http.StatusOK {
		d.Total = len(view.Rows)
		d.Rows, d.Page, d.Pages = app.PortfolioPage(view.Rows, pageNo)
		if d.RowsHTML, err = keptRows(s, pageKey(view.Key, d.Page), "portfolio.html", "portfolio-row", d.Rows); err != nil {
			s.serverError(w, r, err)
			return
		}
		d.CSV = "/portefeuille.csv" + portfolioQueryString(f, d.Day)
		query := portfolioQueryString(f, d.Day)
		link := func(n int) string {
			if query == "" {
				return "/portefeuille?page=" + strconv.Itoa(n)
			}
			return "/portefeuille" + query + "&page=" + strconv.Itoa(n)
		}
		if d.Page > 1 {
			d.Prev = link(d.Page - 1)
		}
		if d.Page < d.Pages {
			d.Next = link(d.Page + 1)
		}
	}
	d.Departement = f.Departement
	if d.Departement == "" {
		d.Departement = view.Departement
	}
	if d.Departement != "" {
		rep, err := s.app.Coverage(r.Context(), a, d.Departement, today)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		sum := newCoverageSummary(rep)
		d.Coverage = &sum
		d.CoverageURL = "/couverture?departement=" + d.Departement + "&au=" + today.String()
	}
	s.render(w, r, status, "portfolio.html", page{Title: "Portefeuille", Data: d})
}

// pageKey names page n of what key names, "" without a key.
func pageKey(key string, n int) string {
	if key == "" {
		return ""
	}
	return key + "|" + strconv.Itoa(n)
}

// portfolioCSV exports the portfolio with the page's filters, one
// convention a row.
func (s *Server) portfolioCSV(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	f, today, errs := s.portfolioQuery(r, a, "au")
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = upperFirst(e.Message) + "."
		}
		s.errorPage(w, r, http.StatusUnprocessableEntity, "Portefeuille impossible à exporter", strings.Join(msgs, " "))
		return
	}
	rows, err := s.app.Portfolio(r.Context(), a, f, today)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	out := make([][]string, 0, len(rows))
	for _, row := range rows {
		var due, dueLabel, meeting string
		if e := row.NextDeadline; e != nil {
			due, dueLabel = e.Date.String(), e.Label
		}
		if m := row.NextMeeting; m != nil {
			meeting = m.Date.String()
		}
		out = append(out, []string{row.Title, row.Slug, row.EPCIName, row.EPCI, strings.Join(row.Departements, " "), row.State.Label,
			row.Period.Start.String(), row.Period.End.String(), due, dueLabel, strconv.Itoa(row.Overdue), strconv.Itoa(row.Errors), strconv.Itoa(row.Warnings),
			strconv.Itoa(row.CollectionYear), strconv.Itoa(row.Collection.Entered), strconv.Itoa(row.Collection.Expected), meeting, row.Committee,
			strings.Join(row.Parties, " | ")})
	}
	writeCSV(w, "portefeuille-"+today.String()+".csv", []string{"Convention", "Identifiant", "Intercommunalité", "SIREN de l'intercommunalité",
		"Départements", "État", "Début", "Fin", "Prochaine échéance", "Échéance", "Obligations en retard", "Erreurs", "Avertissements",
		"Année de collecte", "Valeurs saisies", "Valeurs attendues", "Prochaine réunion", "Comité", "Signataires"}, out)
}

// portfolioRowJSON is a convention of the portfolio as the API gives it.
type portfolioRowJSON struct {
	Slug           string              `json:"slug"`
	Title          string              `json:"title"`
	EPCIName       string              `json:"epci_name"`
	EPCI           string              `json:"epci"`
	Departements   []string            `json:"departements"`
	Parties        []string            `json:"parties"`
	State          lifecycle.Standing  `json:"state"`
	Period         model.Period        `json:"period"`
	NextDeadline   *deadlineJSON       `json:"next_deadline"`
	Overdue        int                 `json:"overdue"`
	Errors         int                 `json:"errors"`
	Warnings       int                 `json:"warnings"`
	CollectionYear int                 `json:"collection_year"`
	Collection     collectionTallyJSON `json:"collection"`
	NextMeeting    *nextMeetingJSON    `json:"next_meeting"`
}

type deadlineJSON struct {
	Date  model.Date `json:"date"`
	Label string     `json:"label"`
	Kind  string     `json:"kind"`
}

type collectionTallyJSON struct {
	Expected int `json:"expected"`
	Entered  int `json:"entered"`
}

type nextMeetingJSON struct {
	ID        string     `json:"id"`
	Date      model.Date `json:"date"`
	Committee string     `json:"committee"`
}

func (s *Server) apiPortfolio(w http.ResponseWriter, r *http.Request) {
	a := apiActor(w, r)
	if a == nil {
		return
	}
	f, day, errs := s.portfolioQuery(r, a, "at")
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "paramètres acceptés : texte, etat, departement, echeance (AAAA-MM-JJ), organisation, tri, at (AAAA-MM-JJ)", Details: errs})
		return
	}
	rows, err := s.app.Portfolio(r.Context(), a, f, day)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]portfolioRowJSON, 0, len(rows))
	for _, row := range rows {
		j := portfolioRowJSON{Slug: row.Slug, Title: row.Title, EPCIName: row.EPCIName, EPCI: row.EPCI, Departements: nonNil(row.Departements),
			Parties: nonNil(row.Parties), State: row.State, Period: row.Period, Overdue: row.Overdue, Errors: row.Errors, Warnings: row.Warnings,
			CollectionYear: row.CollectionYear, Collection: collectionTallyJSON{Expected: row.Collection.Expected, Entered: row.Collection.Entered}}
		if e := row.NextDeadline; e != nil {
			j.NextDeadline = &deadlineJSON{Date: e.Date, Label: e.Label, Kind: string(e.Kind)}
		}
		if m := row.NextMeeting; m != nil {
			j.NextMeeting = &nextMeetingJSON{ID: m.ID, Date: m.Date, Committee: row.Committee}
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// landing is where a signed-in person arrives: the portfolio for a
// platform administrator, an account following its organization's
// conventions, or whoever reads two conventions or more, the
// list of their conventions otherwise.
func (s *Server) landing(r *http.Request, a *auth.Actor) string {
	// A platform administrator, and whoever follows conventions through
	// their organization (the adviser of a Caf), land on the portfolio.
	if a.PlatformAdmin || (a.Organization != nil && a.OrganizationRole != "") {
		return "/portefeuille"
	}
	if list, err := s.app.Conventions(r.Context(), a); err == nil && len(list) >= 2 {
		return "/portefeuille"
	}
	return "/conventions"
}
