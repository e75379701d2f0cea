package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

type dashboardData struct {
	// ImportErrors and Imported report the last values file sent.
	ImportErrors []model.FieldError
	Imported     string
	Years        []string
	Fiches       []ficheIndicators
	Deviations   []indicators.ImportantDeviation
	Synthetic    bool
	Pending      int
	// Slug is the convention's; Tables are the deviations and the fiches'
	// tables rendered (see dashboardTables).
	Slug   string
	Tables template.HTML
}

type ficheIndicators struct {
	Code, Title string
	Rows        []indicators.Row
}

func years(c *model.Convention) []string { return app.ConventionYears(c) }

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	s.renderDashboard(w, r, http.StatusOK, nil, "")
}

// importValues reads a values file sent from the dashboard.
func (s *Server) importValues(w http.ResponseWriter, r *http.Request) {
	a := s.uploader(w, r)
	if a == nil {
		return
	}
	file, _, err := r.FormFile("fichier")
	if err != nil {
		s.renderDashboard(w, r, http.StatusUnprocessableEntity, []model.FieldError{{Path: "fichier", Message: "choisissez un fichier CSV"}}, "")
		return
	}
	defer file.Close()
	n, err := s.app.ImportValuesCSV(r.Context(), a, r.PathValue("slug"), file)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		s.renderDashboard(w, r, http.StatusUnprocessableEntity, ve.Errors, "")
	case err != nil:
		s.pageError(w, r, err)
	default:
		s.renderDashboard(w, r, http.StatusOK, nil, fmt.Sprintf("%d valeur(s) importée(s) en brouillon : soumettez-les pour validation.", n))
	}
}

// valuesPage loads the convention of the URL and its values for a
// signed-in reader; it answers the request itself and returns nil on failure.
func (s *Server) valuesPage(w http.ResponseWriter, r *http.Request) (*convView, []model.Value) {
	a := s.signedIn(w, r)
	if a == nil {
		return nil, nil
	}
	c, values, err := s.app.Values(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	return newConvView(c, a), values
}

// figuresPage loads the convention of the URL and its indicators' yearly
// figures for a signed-in reader; it answers the request itself and
// returns nil on failure.
func (s *Server) figuresPage(w http.ResponseWriter, r *http.Request) (*convView, *indicators.Table) {
	a := s.signedIn(w, r)
	if a == nil {
		return nil, nil
	}
	c, t, err := s.app.Figures(r.Context(), a, r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil
	}
	return newConvView(c, a), t
}

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, status int, importErrors []model.FieldError, imported string) {
	v, t := s.figuresPage(w, r)
	if v == nil {
		return
	}
	d := dashboardData{Years: t.Years, ImportErrors: importErrors, Imported: imported, Synthetic: t.Synthetic, Slug: v.Slug}
	for _, row := range t.Rows {
		d.Pending += row.Pending
	}
	var err error
	if d.Tables, err = s.dashboardTables(t, d); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "dashboard.html", page{Title: "Indicateurs", Conv: v, Nav: "indicators", Data: d})
}

// dashboardTables renders the deviations and the tables of the fiches of
// the figures t, once while the service keeps t (by the convention's
// revision): they show nothing else, whoever reads them.
func (s *Server) dashboardTables(t *indicators.Table, d dashboardData) (template.HTML, error) {
	if html, ok := s.dashboards.Get(t); ok {
		return html, nil
	}
	d.Deviations = t.Deviations()
	for _, row := range t.Rows {
		if n := len(d.Fiches); n == 0 || d.Fiches[n-1].Code != row.Fiche {
			d.Fiches = append(d.Fiches, ficheIndicators{Code: row.Fiche, Title: row.FicheTitle})
		}
		f := &d.Fiches[len(d.Fiches)-1]
		f.Rows = append(f.Rows, row)
	}
	page, err := s.pages.get("dashboard.html")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := page.ExecuteTemplate(&b, "dashboard-tables", d); err != nil {
		return "", err
	}
	html := template.HTML(b.String())
	s.dashboards.Put(t, html)
	return html, nil
}

// valuesCSV exports every value for Excel in French: ";", BOM, decimal
// comma. With ?diffusable=1 the file is meant to leave the authenticated
// scope: the service keeps the validated values only, and puts counts of
// people under statistical secrecy.
func (s *Server) valuesCSV(w http.ResponseWriter, r *http.Request) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	public := r.URL.Query().Get("diffusable") == "1"
	c, values, err := s.app.ExportValues(r.Context(), a, r.PathValue("slug"), public)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := newConvView(c, a)
	byCode := indicators.ByCode(indicators.Catalogue(c))
	name := v.Slug + "-indicateurs.csv"
	if public {
		name = v.Slug + "-indicateurs-diffusable.csv"
	}
	var rows [][]string
	for _, x := range values {
		num := x.Masked
		if x.Number != nil {
			num = strings.ReplaceAll(indicators.FormatNumber(*x.Number), "\u202f", "")
		}
		synthetic := "non"
		if x.Synthetic {
			synthetic = "oui"
		}
		rows = append(rows, []string{x.Indicator, byCode[x.Indicator].Label, x.Period, x.Breakdown, num, x.Text, x.State.Label(),
			v.OrgName(x.Organization), x.Source, x.Comment, synthetic})
	}
	writeCSV(w, name, []string{"Code", "Indicateur", "Période", "Ventilation", "Valeur", "Texte", "État", "Organisation", "Source", "Commentaire", "Fictive"}, rows)
}

// breakdownTable is an indicator's validated values by one dimension, per year.
type breakdownTable struct {
	Dimension string
	Keys      []string
	Labels    map[string]string
	Years     []string
	// Values[key][year] is the formatted figure, "" when there is none.
	Values map[string]map[string]string
}

type indicatorPageData struct {
	Breakdowns  []breakdownTable
	View        *app.IndicatorView
	Figures     indicators.Row
	Chart       *barChart
	CanEnter    bool
	CanValidate bool
	Form        app.ValueInput
	Errors      map[string]string
	Message     string
	Saved       bool
	Synthetic   bool
}

func (s *Server) indicatorPage(w http.ResponseWriter, r *http.Request) {
	s.renderIndicator(w, r, http.StatusOK, app.ValueInput{Period: r.URL.Query().Get("periode")}, nil, "")
}

func (s *Server) renderIndicator(w http.ResponseWriter, r *http.Request, status int, form app.ValueInput, errs map[string]string, msg string) {
	a := s.signedIn(w, r)
	if a == nil {
		return
	}
	slug := r.PathValue("slug")
	iv, err := s.app.Indicator(r.Context(), a, slug, r.PathValue("code"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// ?valeur=ID fills the form with a value to correct.
	if id := r.URL.Query().Get("valeur"); id != "" && form.ID == "" {
		for _, x := range iv.Values {
			if x.ID == id {
				form = app.ValueInput{ID: x.ID, Version: x.Version, Period: x.Period, Breakdown: x.Breakdown, Text: x.Text, Source: x.Source, Comment: x.Comment}
				if x.Number != nil {
					form.Number = strings.ReplaceAll(indicators.FormatNumber(*x.Number), "\u202f", "")
				}
			}
		}
	}
	v := newConvView(iv.Convention, a)
	row, err := s.app.IndicatorFigures(r.Context(), iv)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := indicatorPageData{View: iv, Figures: row, Chart: newBarChart(row), CanEnter: app.CanEnter(a, slug, iv.Entry.Indicator),
		CanValidate: app.CanValidate(a, slug), Form: form, Errors: errs, Message: msg, Saved: r.URL.Query().Get("enregistre") == "1"}
	for _, x := range iv.Values {
		d.Synthetic = d.Synthetic || x.Synthetic
	}
	d.Breakdowns = breakdowns(iv, v)
	s.render(w, r, status, "indicator.html", page{Title: "Indicateur " + iv.Entry.Code, Conv: v, Nav: "indicators", Data: d})
}

func (s *Server) saveValue(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	in := app.ValueInput{ID: r.PostFormValue("id"), Version: version, Period: r.PostFormValue("period"), Breakdown: r.PostFormValue("breakdown"),
		Number: r.PostFormValue("value"), Text: r.PostFormValue("text"), Source: r.PostFormValue("source"), Comment: r.PostFormValue("comment")}
	slug, code := r.PathValue("slug"), r.PathValue("code")
	_, err := s.app.SaveValue(r.Context(), a, slug, code, in)
	if err == nil {
		http.Redirect(w, r, "/c/"+slug+"/indicateurs/"+code+"?enregistre=1", http.StatusSeeOther)
		return
	}
	s.valueFailure(w, r, in, err)
}

// valueFailure shows the indicator page again with the problem, the input kept.
func (s *Server) valueFailure(w http.ResponseWriter, r *http.Request, in app.ValueInput, err error) {
	var ve *model.ValidationError
	var ce *app.ConflictError
	var refused *app.RefusedError
	switch {
	case errors.As(err, &refused):
		s.renderIndicator(w, r, http.StatusForbidden, in, nil, "La valeur n'a pas été enregistrée : "+refused.Reason+".")
	case errors.As(err, &ve):
		errs := map[string]string{}
		for _, fe := range ve.Errors {
			errs[fe.Path] = fe.Message
		}
		s.renderIndicator(w, r, http.StatusUnprocessableEntity, in, errs, "La valeur n'a pas été enregistrée : corrigez les champs signalés.")
	case errors.As(err, &ce):
		in.Version = ce.Version
		s.renderIndicator(w, r, http.StatusConflict, in, nil,
			fmt.Sprintf("Cette valeur a été modifiée entre-temps par %s (%s) : vérifiez-la, votre saisie est conservée.", lastActor(ce), ce.Current["value"]))
	case errors.Is(err, model.ErrConflict):
		s.renderIndicator(w, r, http.StatusConflict, in, map[string]string{"period": "une valeur existe déjà pour cette période et cette ventilation : corrigez-la avec le lien « Corriger » de sa ligne dans le tableau des valeurs saisies"}, "")
	default:
		s.pageError(w, r, err)
	}
}

func (s *Server) valueAction(w http.ResponseWriter, r *http.Request) {
	a := s.signedPost(w, r)
	if a == nil {
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	slug := r.PathValue("slug")
	v, err := s.app.ValueAction(r.Context(), a, slug, r.PathValue("id"), version, r.PathValue("action"), r.PostFormValue("reason"))
	if err != nil {
		var ve *model.ValidationError
		var refused *app.RefusedError
		switch {
		case errors.As(err, &ve):
			r.SetPathValue("code", r.PostFormValue("code"))
			s.renderIndicator(w, r, http.StatusUnprocessableEntity, app.ValueInput{}, nil, "Pour renvoyer une valeur, indiquez pourquoi.")
			return
		case errors.As(err, &refused) && r.PostFormValue("code") != "":
			r.SetPathValue("code", r.PostFormValue("code"))
			s.renderIndicator(w, r, http.StatusForbidden, app.ValueInput{}, nil, upperFirst(refused.Reason)+".")
			return
		}
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/c/"+slug+"/indicateurs/"+v.Indicator+"?enregistre=1", http.StatusSeeOther)
}

// barChart is the geometry of an indicator's yearly figures as bars, with
// the targets as lines; the "bar-chart" template draws it, and the page
// shows the same figures in a table next to it.
type barChart struct {
	Code string
	// Width and Height are the view box; Base is the y of the axis, from
	// Left to Right; BarWidth the width of a bar; the years are written
	// at YearY.
	Width, Height, Base, Left, Right, BarWidth, YearY int
	Years                                             []chartYear
}

// chartYear is one year of a bar chart: a bar when there is a number, a
// line when there is a target.
type chartYear struct {
	Year string
	// X is the left of the bar, Center its middle.
	X, Center float64
	Bar       bool
	Synthetic bool
	// Previous marks a year of the convention this one renews.
	Previous bool
	// BarY and BarHeight place the bar; Value is written at ValueY.
	BarY, BarHeight, ValueY float64
	Value                   string
	// A target is a line from TargetX1 to TargetX2 at TargetY.
	HasTarget                   bool
	TargetX1, TargetX2, TargetY float64
	Target                      string
}

// newBarChart lays a row's figures out; nil when there is nothing to draw.
func newBarChart(row indicators.Row) *barChart {
	const w, h, pad, bar = 480, 200, 30, 60
	top := row.Scale()
	if top == 0 {
		return nil
	}
	c := &barChart{Code: row.Code, Width: w, Height: h + pad, Base: h, Left: pad, Right: w - pad, BarWidth: bar, YearY: h + 18}
	step := float64(w-2*pad) / float64(len(row.Figures))
	for i, f := range row.Figures {
		x := float64(pad) + float64(i)*step + (step-bar)/2
		y := chartYear{Year: f.Year, X: x, Center: x + bar/2, Previous: f.Previous}
		if f.Numeric() {
			bh := f.Value / top * float64(h-pad)
			y.Bar, y.Synthetic, y.BarY, y.BarHeight, y.ValueY, y.Value = true, f.Synthetic, float64(h)-bh, bh, float64(h)-bh-4, indicators.FormatNumber(f.Value)
		}
		if f.Target != nil {
			y.HasTarget, y.TargetX1, y.TargetX2 = true, x-6, x+bar+6
			y.TargetY, y.Target = float64(h)-*f.Target/top*float64(h-pad), indicators.FormatNumber(*f.Target)
		}
		c.Years = append(c.Years, y)
	}
	return c
}

var dimensionLabels = map[string]string{"commune": "Par commune", "equipment_type": "Par type d'équipement", "channel": "Par canal", "partner": "Par partenaire"}

// breakdowns tabulates an indicator's validated values by each of its
// dimensions, per year of the convention.
func breakdowns(iv *app.IndicatorView, v *convView) []breakdownTable {
	var out []breakdownTable
	ys := years(iv.Convention)
	for _, dim := range iv.Entry.Dimensions {
		t := breakdownTable{Dimension: dimensionLabels[dim], Years: ys, Labels: map[string]string{}, Values: map[string]map[string]string{}}
		for _, y := range ys {
			for key, val := range indicators.ByBreakdown(iv.Entry.Indicator, iv.Values, y, dim, indicators.Options{ValidatedOnly: true}) {
				if _, ok := t.Values[key]; !ok {
					t.Values[key] = map[string]string{}
					t.Keys = append(t.Keys, key)
					t.Labels[key] = key
					if dim == "commune" {
						t.Labels[key] = v.CommuneName(key)
					} else if dim == "partner" {
						t.Labels[key] = v.OrgName(key)
					}
				}
				t.Values[key][y] = indicators.FormatNumber(val)
			}
		}
		sort.Slice(t.Keys, func(i, j int) bool { return t.Labels[t.Keys[i]] < t.Labels[t.Keys[j]] })
		if len(t.Keys) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// dashboardsKept bounds the dashboards' tables kept: as many as the
// figures the service keeps.
const dashboardsKept = 64
