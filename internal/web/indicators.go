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

// yearCell is an indicator's validated total for a year.
type yearCell struct {
	Year      string
	Has       bool
	Value     float64
	Text      string
	Target    string
	Deviation *indicators.Deviation
	Synthetic bool
}

// indicatorRow is a line of the dashboard.
type indicatorRow struct {
	indicators.Entry
	Cells   []yearCell
	Pending int
}

type dashboardData struct {
	// ImportErrors and Imported report the last values file sent.
	ImportErrors []model.FieldError
	Imported     string
	Years        []string
	Fiches       []ficheIndicators
	Deviations   []deviationItem
	Synthetic    bool
	Pending      int
}

type ficheIndicators struct {
	Code, Title string
	Rows        []indicatorRow
}

type deviationItem struct {
	Entry     indicators.Entry
	Year      string
	Deviation indicators.Deviation
}

func years(c *model.Convention) []string {
	var out []string
	for y := c.Period.Start.Year; y <= c.Period.End.Year; y++ {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

// cells computes an indicator's validated totals per year.
func cells(e indicators.Entry, byCode map[string]model.Indicator, values []model.Value, ys []string) ([]yearCell, int) {
	var out []yearCell
	pending := 0
	for _, v := range values {
		if v.Indicator == e.Code && v.State == model.ValueSubmitted {
			pending++
		}
	}
	for _, y := range ys {
		cell := yearCell{Year: y}
		cell.Value, cell.Has = indicators.Total(e.Indicator, byCode, values, y, indicators.Options{ValidatedOnly: true})
		for _, v := range values {
			if v.Indicator == e.Code && indicators.Year(v.Period) == y && v.State == model.ValueValidated {
				cell.Synthetic = cell.Synthetic || v.Synthetic
				if v.Text != "" {
					cell.Text, cell.Has = v.Text, true
				}
			}
		}
		if t, ok := indicators.Target(e.Indicator, y); ok {
			cell.Target = indicators.FormatNumber(t)
		}
		if cell.Has && cell.Text == "" {
			if d, ok := indicators.Deviate(e.Indicator, y, cell.Value); ok {
				cell.Deviation = &d
			}
		}
		out = append(out, cell)
	}
	return out, pending
}

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

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, status int, importErrors []model.FieldError, imported string) {
	v, values := s.valuesPage(w, r)
	if v == nil {
		return
	}
	cat := indicators.Catalogue(v.Convention)
	byCode := indicators.ByCode(cat)
	d := dashboardData{Years: years(v.Convention), ImportErrors: importErrors, Imported: imported}
	for _, val := range values {
		d.Synthetic = d.Synthetic || val.Synthetic
	}
	for _, e := range cat {
		row := indicatorRow{Entry: e}
		row.Cells, row.Pending = cells(e, byCode, values, d.Years)
		d.Pending += row.Pending
		if n := len(d.Fiches); n == 0 || d.Fiches[n-1].Code != e.Fiche {
			d.Fiches = append(d.Fiches, ficheIndicators{Code: e.Fiche, Title: e.FicheTitle})
		}
		f := &d.Fiches[len(d.Fiches)-1]
		f.Rows = append(f.Rows, row)
		for _, c := range row.Cells {
			if c.Deviation != nil && c.Deviation.Important {
				d.Deviations = append(d.Deviations, deviationItem{e, c.Year, *c.Deviation})
			}
		}
	}
	s.render(w, r, status, "dashboard.html", page{Title: "Indicateurs", Conv: v, Nav: "indicators", Data: d})
}

// valuesCSV exports every value for Excel in French: ";", BOM, decimal
// comma. With ?diffusable=1 the file is meant to leave the authenticated
// scope: validated values only, counts of people under statistical secrecy.
func (s *Server) valuesCSV(w http.ResponseWriter, r *http.Request) {
	v, values := s.valuesPage(w, r)
	if v == nil {
		return
	}
	byCode := indicators.ByCode(indicators.Catalogue(v.Convention))
	public := r.URL.Query().Get("diffusable") == "1"
	name := v.Slug + "-indicateurs.csv"
	if public {
		name = v.Slug + "-indicateurs-diffusable.csv"
	}
	var rows [][]string
	for _, x := range values {
		if public && x.State != model.ValueValidated {
			continue
		}
		num := ""
		if x.Number != nil {
			n := *x.Number
			num = strings.ReplaceAll(indicators.FormatNumber(n), "\u202f", "")
			if unit := byCode[x.Indicator].Unit; public && (unit == "count" || unit == "places") {
				if label, shown, ok := s.Secrecy.Count(n); !ok {
					num = label
				} else {
					num = strings.ReplaceAll(indicators.FormatNumber(shown), "\u202f", "")
				}
			}
		}
		synthetic := "non"
		if x.Synthetic {
			synthetic = "oui"
		}
		rows = append(rows, []string{x.Indicator, byCode[x.Indicator].Label, x.Period, x.Breakdown, num, x.Text, stateLabels[x.State],
			v.OrgName(x.Organization), x.Source, x.Comment, synthetic})
	}
	writeCSV(w, name, []string{"Code", "Indicateur", "Période", "Ventilation", "Valeur", "Texte", "État", "Organisation", "Source", "Commentaire", "Fictive"}, rows)
}

var stateLabels = map[model.ValueState]string{
	model.ValueDraft: "brouillon", model.ValueSubmitted: "soumise", model.ValueValidated: "validée", model.ValueReturned: "renvoyée",
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
	Cells       []yearCell
	Chart       template.HTML
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
	cs, _ := cells(iv.Entry, iv.Catalogue, iv.Values, years(iv.Convention))
	d := indicatorPageData{View: iv, Cells: cs, Chart: barChart(iv.Entry, cs), CanEnter: app.CanEnter(a, slug, iv.Entry.Indicator),
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
	switch {
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
		s.renderIndicator(w, r, http.StatusConflict, in, map[string]string{"period": "une valeur existe déjà pour cette période et cette ventilation : corrigez-la depuis le tableau"}, "")
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
		if errors.As(err, &ve) {
			r.SetPathValue("code", r.PostFormValue("code"))
			s.renderIndicator(w, r, http.StatusUnprocessableEntity, app.ValueInput{}, nil, "Pour renvoyer une valeur, indiquez pourquoi.")
			return
		}
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/c/"+slug+"/indicateurs/"+v.Indicator+"?enregistre=1", http.StatusSeeOther)
}

// barChart draws the yearly totals as an SVG bar chart with the targets;
// the page shows the same figures in a table next to it.
func barChart(e indicators.Entry, cs []yearCell) template.HTML {
	const w, h, pad, bar = 480, 200, 30, 60
	maxV := 0.0
	for _, c := range cs {
		if c.Has && c.Text == "" && c.Value > maxV {
			maxV = c.Value
		}
		if c.Deviation != nil && c.Deviation.Target > maxV {
			maxV = c.Deviation.Target
		}
		if t, ok := indicators.Target(e.Indicator, c.Year); ok && t > maxV {
			maxV = t
		}
	}
	if maxV == 0 {
		return ""
	}
	var b strings.Builder
	title := template.HTMLEscapeString(fmt.Sprintf("Indicateur %s par année", e.Code))
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">`, w, h+pad)
	fmt.Fprintf(&b, `<title id="chart-title">%s</title><desc id="chart-desc">Valeurs validées par année, et cibles en trait pointillé ; les chiffres sont dans le tableau qui suit.</desc>`, title)
	step := float64(w-2*pad) / float64(len(cs))
	for i, c := range cs {
		x := float64(pad) + float64(i)*step + (step-bar)/2
		if c.Has && c.Text == "" {
			bh := c.Value / maxV * float64(h-pad)
			class := "bar"
			if c.Synthetic {
				class = "bar synthetic"
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%d" height="%.1f"><title>%s : %s</title></rect>`,
				class, x, float64(h)-bh, bar, bh, c.Year, template.HTMLEscapeString(indicators.FormatNumber(c.Value)))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" class="value">%s</text>`, x+bar/2, float64(h)-bh-4, template.HTMLEscapeString(indicators.FormatNumber(c.Value)))
		}
		if t, ok := indicators.Target(e.Indicator, c.Year); ok {
			ty := float64(h) - t/maxV*float64(h-pad)
			fmt.Fprintf(&b, `<line class="target" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"><title>Cible %s : %s</title></line>`, x-6, x+bar+6, ty, ty, c.Year,
				template.HTMLEscapeString(indicators.FormatNumber(t)))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+bar/2, h+18, c.Year)
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/></svg>`, pad, w-pad, h, h)
	return template.HTML(b.String())
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
