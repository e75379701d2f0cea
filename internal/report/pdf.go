package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// DejaVu Sans Condensed covers French typography (œ, «», narrow spaces).
var (
	//go:embed fonts/DejaVuSansCondensed.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSansCondensed-Bold.ttf
	fontBold []byte
)

const (
	pageW   = 210.0
	margin  = 15.0
	textW   = pageW - 2*margin
	lineH   = 5.0
	font    = "dejavu"
	accentR = 11
	accentG = 79
	accentB = 138
)

// PDF writes the bilan as an A4 PDF document.
func (r *Report) PDF() ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(font, "", fontRegular)
	p.AddUTF8FontFromBytes(font, "B", fontBold)
	p.SetTitle(r.Title()+" — "+r.Convention.Title, true)
	p.SetAuthor("ctg", true)
	p.SetCreator("ctg", true)
	p.SetLang("fr-FR")
	p.SetCreationDate(r.Generated)
	p.SetModificationDate(r.Generated)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, 18)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		p.SetFont(font, "", 8)
		p.SetTextColor(90, 90, 90)
		footer := r.Title() + " — " + r.Convention.Slug
		if r.Synthetic {
			footer += " — contient des données fictives"
		}
		p.CellFormat(textW/2, 5, footer, "", 0, "L", false, 0, "")
		p.CellFormat(textW/2, 5, fmt.Sprintf("page %d / {nb}", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	w := &writer{p: p}
	w.cover(r)
	w.summary(r)
	w.plan(r)
	w.governance(r)
	w.findings(r)
	if err := p.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type writer struct{ p *fpdf.Fpdf }

func (w *writer) heading(level int, text string) {
	size := map[int]float64{1: 16, 2: 13, 3: 11}[level]
	if w.p.GetY() > 250 {
		w.p.AddPage()
	}
	w.p.Ln(2)
	w.p.SetFont(font, "B", size)
	w.p.SetTextColor(accentR, accentG, accentB)
	w.p.MultiCell(textW, size*0.5, text, "", "L", false)
	w.p.SetTextColor(0, 0, 0)
	w.p.Ln(1)
	w.p.SetFont(font, "", 10)
}

func (w *writer) para(text string) {
	w.p.SetFont(font, "", 10)
	w.p.MultiCell(textW, lineH, text, "", "L", false)
	w.p.Ln(1)
}

func (w *writer) warning(text string) {
	w.p.SetFillColor(255, 243, 205)
	w.p.SetFont(font, "B", 10)
	w.p.MultiCell(textW, lineH+1, text, "1", "L", true)
	w.p.SetFont(font, "", 10)
	w.p.Ln(2)
}

// table draws rows with the given column widths; the first row is the header.
func (w *writer) table(widths []float64, rows [][]string, aligns []string) {
	for i, row := range rows {
		style := ""
		if i == 0 {
			style = "B"
			w.p.SetFillColor(238, 238, 238)
		}
		w.p.SetFont(font, style, 9)
		// Row height: the tallest wrapped cell.
		lines := 1
		for j, cell := range row {
			lines = max(lines, len(w.p.SplitText(cell, widths[j]-2)))
		}
		h := float64(lines) * 4.5
		if w.p.GetY()+h > 277 {
			w.p.AddPage()
		}
		x, y := w.p.GetX(), w.p.GetY()
		for j, cell := range row {
			w.p.Rect(x, y, widths[j], h, map[bool]string{true: "FD", false: "D"}[i == 0])
			w.p.SetXY(x+1, y+0.5)
			w.p.MultiCell(widths[j]-2, 4.5, cell, "", aligns[j], false)
			x += widths[j]
		}
		w.p.SetXY(margin, y+h)
	}
	w.p.Ln(2)
	w.p.SetFont(font, "", 10)
}

func (w *writer) cover(r *Report) {
	c := r.Convention
	w.p.AddPage()
	w.p.SetFont(font, "B", 22)
	w.p.SetTextColor(accentR, accentG, accentB)
	w.p.Ln(30)
	w.p.MultiCell(textW, 10, r.Title(), "", "L", false)
	w.p.SetTextColor(0, 0, 0)
	w.p.SetFont(font, "B", 14)
	w.p.Ln(4)
	w.p.MultiCell(textW, 7, c.Title, "", "L", false)
	w.p.SetFont(font, "", 11)
	w.p.Ln(4)
	w.p.MultiCell(textW, 6, fmt.Sprintf("Convention territoriale globale du %s au %s.", FrenchDate(c.Period.Start), FrenchDate(c.Period.End)), "", "L", false)
	if c.Territory.EPCIName != "" {
		w.p.MultiCell(textW, 6, fmt.Sprintf("Territoire : %s (%d communes).", c.Territory.EPCIName, len(c.Territory.Resolved)), "", "L", false)
	}
	w.p.MultiCell(textW, 6, "Document établi le "+FrenchDate(model.DateOf(r.Generated.In(textutil.Paris)))+" à partir des données validées dans ctg.", "", "L", false)
	w.p.Ln(6)
	if r.Synthetic {
		w.warning("Données fictives : ce bilan contient des valeurs d'indicateurs de démonstration, générées par ctg, et non des chiffres réels. Elles sont signalées « (fictive) » dans les tableaux.")
	}
	if r.Public {
		w.para("Version diffusable : les effectifs de moins de 5 personnes sont masqués (« < 5 ») au titre du secret statistique.")
	}
	if r.Final {
		w.para("Ce bilan final couvre toute la période de la convention. L'évaluation est un préalable à tout renouvellement (annexe 5) : il doit éclairer la décision des conseils.")
	}
}

func (w *writer) summary(r *Report) {
	c := r.Convention
	w.p.AddPage()
	w.heading(1, "1. La convention")
	orgs := map[string]string{}
	for _, o := range c.Organizations {
		orgs[o.Key] = o.Name
	}
	rows := [][]string{{"Partie signataire", "Représentant·e(s)", "Délibération"}}
	for _, p := range c.Parties {
		var reps []string
		for _, rep := range p.Representatives {
			reps = append(reps, strings.TrimSpace(rep.Name+", "+rep.Title))
		}
		auth := "aucune"
		if a := p.Authorization; a != nil {
			auth = a.Body + " : date non renseignée"
			if a.Date != nil {
				auth = a.Body + " du " + FrenchDate(*a.Date)
			} else if a.DateAsWritten != "" {
				auth += " (« " + a.DateAsWritten + " »)"
			}
		}
		rows = append(rows, []string{orgs[p.Organization], strings.Join(reps, " ; "), auth})
	}
	w.table([]float64{60, 60, 60}, rows, []string{"L", "L", "L"})
	sig := "date de signature non renseignée"
	if c.Signature.Date != nil {
		sig = "signée le " + FrenchDate(*c.Signature.Date)
		if c.Signature.Place != "" {
			sig += " à " + c.Signature.Place
		}
	}
	w.para(fmt.Sprintf("Période : du %s au %s ; %s. %s", FrenchDate(c.Period.Start), FrenchDate(c.Period.End), sig, c.Period.Renewal))
}

func (w *writer) plan(r *Report) {
	w.heading(1, "2. Le plan d'actions")
	if deviations := r.Deviations(); len(deviations) > 0 {
		w.heading(2, "Écarts importants à présenter au comité de pilotage")
		rows := [][]string{{"Indicateur", "Année", "Cible", "Réalisé", "Écart"}}
		for _, d := range deviations {
			rows = append(rows, []string{d.Code + " – " + d.Label, d.Year, Number(d.Target), Number(d.Actual), percent(d.Percent)})
		}
		w.table([]float64{92, 18, 24, 24, 22}, rows, []string{"L", "C", "R", "R", "R"})
	}
	for _, a := range r.Promised {
		w.para(fmt.Sprintf("Axe %d – %s : %s (échéance : %s). Aucune fiche n'est enregistrée.", a.Number, a.Title, a.Promise, FrenchDate(*a.FichesDueBy)))
	}
	for _, f := range r.Fiches {
		w.heading(2, fmt.Sprintf("Fiche %s – %s", f.Code, f.Title))
		w.para(fmt.Sprintf("%s. Avancement : %s.", f.Axis, StatusLabels[f.Status]))
		if len(f.Steps) > 0 {
			rows := [][]string{{"Étape", "Calendrier", "Avancement"}}
			for i, s := range f.Steps {
				n := s.Number
				if n == 0 {
					n = i + 1
				}
				sched := s.Schedule.AsWritten
				if sched == "" {
					sched = "non daté"
				}
				rows = append(rows, []string{fmt.Sprintf("%d. %s", n, s.Text), sched, StatusLabels[s.Status]})
			}
			w.table([]float64{110, 45, 25}, rows, []string{"L", "L", "L"})
		}
		if inds := r.Indicators(f); len(inds) > 0 {
			w.indicatorTable(r, inds)
		}
	}
}

func (w *writer) indicatorTable(r *Report, inds []indicators.Row) {
	widths := []float64{180 - 30*float64(len(r.Years))}
	header := []string{"Indicateur (valeurs validées)"}
	aligns := []string{"L"}
	for _, y := range r.Years {
		widths, header, aligns = append(widths, 30), append(header, y), append(aligns, "R")
	}
	rows := [][]string{header}
	for _, ind := range inds {
		row := []string{ind.Code + " – " + ind.Label}
		for _, c := range ind.Figures {
			row = append(row, cellText(c))
		}
		rows = append(rows, row)
	}
	w.table(widths, rows, aligns)
	// Charts three to a row.
	var drawable []indicators.Row
	for _, ind := range inds {
		if ind.Scale() > 0 {
			drawable = append(drawable, ind)
		}
	}
	for i := 0; i < len(drawable); i += 3 {
		if w.p.GetY()+chartH+16 > 277 {
			w.p.AddPage()
		}
		top := w.p.GetY()
		for j, ind := range drawable[i:min(i+3, len(drawable))] {
			w.chart(ind, margin+float64(j)*textW/3, top)
		}
		w.p.SetXY(margin, top+chartH+16)
	}
	w.p.SetFont(font, "", 10)
}

const chartH = 18.0

func cellText(c indicators.Figure) string {
	if !c.Has {
		if c.Target != nil {
			return "— (cible " + Number(*c.Target) + ")"
		}
		return "—"
	}
	s := c.Shown()
	if c.Synthetic {
		s += " (fictive)"
	}
	if c.Target != nil {
		s += "\ncible " + Number(*c.Target)
	}
	if c.Deviation != nil {
		s += "\nécart " + percent(c.Deviation.Percent)
	}
	return s
}

func percent(p float64) string {
	sign := "+"
	if p < 0 {
		sign = "−"
	}
	return sign + Number(math.Abs(math.Round(p*10)/10)) + " %"
}

// chart draws small bars of an indicator's yearly values, with the targets
// as red lines, in a box whose top left corner is (left, top).
func (w *writer) chart(ind indicators.Row, left, top float64) {
	maxV := ind.Scale()
	barW := math.Min(12, (textW/3-12)/float64(len(ind.Figures))-3)
	w.p.SetFont(font, "B", 8)
	w.p.SetXY(left, top)
	w.p.CellFormat(textW/3, 4, ind.Code, "", 0, "L", false, 0, "")
	w.p.SetFont(font, "", 7)
	base := top + 9 + chartH
	for i, c := range ind.Figures {
		x := left + 4 + float64(i)*(barW+3)
		if c.Numeric() {
			bh := c.Value / maxV * chartH
			if c.Synthetic {
				w.p.SetFillColor(107, 124, 147)
			} else {
				w.p.SetFillColor(accentR, accentG, accentB)
			}
			w.p.Rect(x, base-bh, barW, bh, "F")
			w.p.SetXY(x-3, base-bh-3.5)
			w.p.CellFormat(barW+6, 3, Number(c.Value), "", 0, "C", false, 0, "")
		}
		if c.Target != nil {
			ty := base - *c.Target/maxV*chartH
			w.p.SetDrawColor(164, 22, 26)
			w.p.SetLineWidth(0.6)
			w.p.Line(x-1.5, ty, x+barW+1.5, ty)
			w.p.SetLineWidth(0.2)
			w.p.SetDrawColor(0, 0, 0)
		}
		w.p.SetXY(x-3, base+0.5)
		w.p.CellFormat(barW+6, 3, c.Year, "", 0, "C", false, 0, "")
	}
}

func (w *writer) governance(r *Report) {
	w.heading(1, "3. La gouvernance")
	for _, k := range r.Convention.Committees {
		var members []string
		for _, g := range k.Composition {
			members = append(members, g.Label)
		}
		w.para(fmt.Sprintf("%s : %s.", k.Name, strings.Join(members, " ; ")))
	}
	w.para("Les réunions, présences et relevés de décisions des comités ne sont pas encore enregistrés dans ctg : ce bilan ne peut donc pas en rendre compte.")
}

func (w *writer) findings(r *Report) {
	w.heading(1, "4. Points à régler")
	if len(r.Findings) == 0 {
		w.para("Le contrôle de la convention ne relève ni erreur ni avertissement.")
		return
	}
	rows := [][]string{{"Gravité", "Constat", "Que faire"}}
	for _, f := range r.Findings {
		rows = append(rows, []string{lint.Labels[f.Severity], f.Message, f.Fix})
	}
	w.table([]float64{25, 95, 60}, rows, []string{"L", "L", "L"})
}
