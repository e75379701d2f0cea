package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

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
	cellH   = 4.3
	bottom  = 279.0 // the lowest y a line may end at, above the footer
	font    = "dejavu"
	accentR = 11
	accentG = 79
	accentB = 138
)

// rgb is a colour of the document.
type rgb struct{ r, g, b int }

var (
	accent    = rgb{accentR, accentG, accentB}
	fictive   = rgb{196, 201, 209}
	fictiveLn = rgb{96, 106, 120}
	targetRed = rgb{164, 22, 26}
	// stateColours give each progress state a colour, for the plan's bar.
	stateColours = map[model.ActionStatus]rgb{
		model.ActionPlanned: {176, 190, 210}, model.ActionInProgress: {11, 79, 138}, model.ActionDone: {24, 128, 56},
		model.ActionLate: {196, 40, 40}, model.ActionAbandoned: {110, 110, 110},
	}
)

// sections are the parts of the bilan, in order, as the table of contents
// lists them; key names the alias of their first page.
var sections = []struct{ key, title string }{
	{"synthese", "1. Synthèse pour le comité de pilotage"},
	{"convention", "2. La convention"},
	{"plan", "3. Le plan d'actions, fiche par fiche"},
	{"equipements", "4. Les équipements et services (annexe 2)"},
	{"gouvernance", "5. La gouvernance"},
	{"points", "6. Points à régler"},
	{"annexe", "Annexe – Coquilles et écarts de rédaction du texte signé"},
}

func sectionTitle(key string) string {
	for _, s := range sections {
		if s.key == key {
			return s.title
		}
	}
	return key
}

// PDF writes the bilan as an A4 PDF document: a cover, a one-page
// summary for the steering committee, the convention, one page per fiche,
// the equipments, the governance, the points to settle and, in an
// appendix, the typos of the signed text.
func (r *Report) PDF() ([]byte, error) {
	footer := r.Title() + " — " + r.Convention.Title
	if r.Synthetic {
		footer = r.Title() + " — contient des données fictives"
	}
	p := newPDF(r.Title()+" — "+r.Convention.Title, r.Generated, footer)
	w := &writer{doc: &doc{p: p}, r: r}
	w.cover()
	w.summary()
	w.convention()
	w.plan()
	w.equipments()
	w.governance()
	w.findings()
	w.appendix()
	return output(p)
}

// newPDF starts an A4 document in the fonts, margins and metadata every
// PDF of ctg shares; from the second page on, each page ends with the
// footer's text and "page X / Y".
func newPDF(title string, created time.Time, footer string) *pdf {
	p := &pdf{fpdf.New("P", "mm", "A4", "")}
	p.AddUTF8FontFromBytes(font, "", fontRegular)
	p.AddUTF8FontFromBytes(font, "B", fontBold)
	p.SetTitle(title, true)
	p.SetAuthor("ctg", true)
	p.SetCreator("ctg", true)
	p.SetLang("fr-FR")
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, 297-bottom)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		p.SetY(-12)
		p.SetFont(font, "", 8)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(textW*0.8, 5, truncate(p, footer, textW*0.8-2), "", 0, "L", false, 0, "")
		p.CellFormat(textW*0.2, 5, fmt.Sprintf("page %d / {nb}", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
	return p
}

// output returns the finished document's bytes.
func output(p *pdf) ([]byte, error) {
	if err := p.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// doc draws the blocks every PDF of ctg is made of: headings, paragraphs,
// boxes and tables, flowing from page to page.
type doc struct {
	p *pdf
}

// writer draws the bilan.
type writer struct {
	*doc
	r *Report
}

func (w *doc) colour(c rgb) { w.p.SetFillColor(c.r, c.g, c.b) }

// need starts a new page unless h millimetres are left on this one, so
// that a heading never ends a page and a chart is never cut.
func (w *doc) need(h float64) {
	if w.p.GetY()+h > bottom {
		w.p.AddPage()
	}
}

// section starts a part of the bilan on a new page, with its bookmark and
// the page number the table of contents shows.
func (w *writer) section(key string) {
	w.p.AddPage()
	w.p.RegisterAlias("{p:"+key+"}", strconv.Itoa(w.p.PageNo()))
	title := sectionTitle(key)
	w.p.Bookmark(title, 0, -1)
	w.heading(1, title)
}

func (w *doc) heading(level int, text string) {
	size := map[int]float64{1: 16, 2: 13, 3: 11}[level]
	// A heading keeps at least a few lines of what follows with it.
	w.need(size*0.5*float64(len(w.p.SplitText(text, textW))) + 24)
	if level > 1 {
		w.p.Ln(2)
	}
	w.p.SetFont(font, "B", size)
	w.p.SetTextColor(accentR, accentG, accentB)
	w.p.MultiCell(textW, size*0.5, text, "", "L", false)
	w.p.SetTextColor(0, 0, 0)
	w.p.Ln(1.5)
	w.p.SetFont(font, "", 10)
}

func (w *doc) para(text string) {
	w.p.SetFont(font, "", 10)
	w.p.MultiCell(textW, lineH, text, "", "L", false)
	w.p.Ln(1)
}

// note writes a smaller grey line, for what explains rather than informs.
func (w *doc) note(text string) {
	w.p.SetFont(font, "", 8.5)
	w.p.SetTextColor(80, 80, 80)
	w.p.MultiCell(textW, 4, text, "", "L", false)
	w.p.SetTextColor(0, 0, 0)
	w.p.SetFont(font, "", 10)
	w.p.Ln(1)
}

// box writes text in a framed, tinted block; title in bold on top.
func (w *doc) box(title, text string, fill rgb) {
	w.p.SetFont(font, "", 10)
	lines := len(w.p.SplitText(text, textW-6))
	if title != "" {
		lines++
	}
	h := float64(lines)*lineH + 4
	if h < bottom-margin-20 {
		w.need(h)
	} else {
		w.need(40)
	}
	w.colour(fill)
	w.p.SetDrawColor(fill.r*3/4, fill.g*3/4, fill.b*3/4)
	x, y := w.p.GetX(), w.p.GetY()
	if y+h <= bottom {
		w.p.Rect(x, y, textW, h, "FD")
	}
	w.p.SetDrawColor(0, 0, 0)
	w.p.SetXY(x+3, y+2)
	if title != "" {
		w.p.SetFont(font, "B", 10)
		w.p.MultiCell(textW-6, lineH, title, "", "L", false)
		w.p.SetX(x + 3)
		w.p.SetFont(font, "", 10)
	}
	w.p.SetLeftMargin(margin + 3)
	w.p.MultiCell(textW-6, lineH, text, "", "L", false)
	w.p.SetLeftMargin(margin)
	w.p.SetXY(margin, math.Max(w.p.GetY()+2, y+h)+2)
}

func (w *doc) warning(text string) { w.box("", text, rgb{255, 243, 205}) }

// paragraphs splits a cell's text into its paragraphs; a paragraph that
// starts with "– " is a sub-item, drawn with a hanging indent.
func paragraphs(text string) []string { return strings.Split(text, "\n") }

const indent = 4.0

// cellLines counts the lines a cell's text takes in width w.
func (w *doc) cellLines(text string, width float64) int {
	n := 0
	for _, par := range paragraphs(text) {
		if rest, ok := strings.CutPrefix(par, "– "); ok {
			n += max(1, len(w.p.SplitText(rest, width-indent)))
		} else {
			n += max(1, len(w.p.SplitText(par, width)))
		}
	}
	return n
}

// drawCell writes a cell's text from (x, y), sub-items indented.
func (w *doc) drawCell(x, y, width float64, text, align string) {
	for _, par := range paragraphs(text) {
		if rest, ok := strings.CutPrefix(par, "– "); ok {
			w.p.SetXY(x, y)
			w.p.CellFormat(indent, cellH, "–", "", 0, "C", false, 0, "")
			w.p.SetXY(x+indent, y)
			w.p.MultiCell(width-indent, cellH, rest, "", "L", false)
		} else {
			w.p.SetXY(x, y)
			w.p.MultiCell(width, cellH, par, "", align, false)
		}
		y = w.p.GetY()
	}
}

// table draws rows with the given column widths; the first row is the
// header, repeated at the top of a new page when the table goes on.
func (w *doc) table(widths []float64, rows [][]string, aligns []string) {
	w.tableSized(widths, rows, aligns, 9)
}

func (w *doc) tableSized(widths []float64, rows [][]string, aligns []string, size float64) {
	w.p.SetAutoPageBreak(false, 0)
	defer w.p.SetAutoPageBreak(true, 297-bottom)
	height := func(row []string, style string) float64 {
		w.p.SetFont(font, style, size)
		lines := 1
		for j, cell := range row {
			lines = max(lines, w.cellLines(cell, widths[j]-2))
		}
		return float64(lines)*cellH + 1
	}
	draw := func(row []string, header bool) {
		style := ""
		if header {
			style = "B"
			w.p.SetFillColor(232, 236, 242)
		}
		h := height(row, style)
		w.p.SetFont(font, style, size)
		x, y := margin, w.p.GetY()
		for j, cell := range row {
			w.p.SetDrawColor(150, 150, 150)
			w.p.Rect(x, y, widths[j], h, map[bool]string{true: "FD", false: "D"}[header])
			w.p.SetDrawColor(0, 0, 0)
			w.drawCell(x+1, y+0.5, widths[j]-2, cell, aligns[j])
			x += widths[j]
		}
		w.p.SetXY(margin, y+h)
	}
	// The header stays with the first row.
	if len(rows) > 1 && w.p.GetY()+height(rows[0], "B")+height(rows[1], "") > bottom {
		w.p.AddPage()
	}
	draw(rows[0], true)
	for _, row := range rows[1:] {
		if w.p.GetY()+height(row, "") > bottom {
			w.p.AddPage()
			draw(rows[0], true)
		}
		draw(row, false)
	}
	w.p.Ln(2)
	w.p.SetFont(font, "", 10)
}

// facts draws label: value lines, the label in bold in a left column.
func (w *doc) facts(labelW float64, rows [][2]string) {
	for _, row := range rows {
		// A row is not cut from its label: it starts a page when it does
		// not fit on what is left of this one (unless no page holds it).
		w.p.SetFont(font, "B", 10.5)
		lines := len(w.p.SplitText(row[0], labelW))
		w.p.SetFont(font, "", 10.5)
		lines = max(lines, w.cellLines(row[1], textW-labelW))
		if h := 5.5*float64(lines) + 1.5; h < bottom-margin {
			w.need(h)
		}
		y := w.p.GetY()
		w.p.SetFont(font, "B", 10.5)
		w.p.SetXY(margin, y)
		w.p.MultiCell(labelW, 5.5, row[0], "", "L", false)
		labelEnd := w.p.GetY()
		w.p.SetFont(font, "", 10.5)
		w.p.SetXY(margin+labelW, y)
		w.p.MultiCell(textW-labelW, 5.5, row[1], "", "L", false)
		// A label on two lines must not run into the next row.
		w.p.SetY(max(labelEnd, w.p.GetY()))
		w.p.Ln(1.5)
	}
}

// coverPage starts a document's first page: a band in the accent colour
// naming the kind of document, then its title in large type, the text
// colour left on the accent.
func (w *doc) coverPage(band, title string, size, lineHeight float64) {
	w.p.AddPage()
	w.colour(accent)
	w.p.Rect(0, 0, pageW, 14, "F")
	w.p.SetXY(margin, 4)
	w.p.SetFont(font, "B", 10)
	w.p.SetTextColor(255, 255, 255)
	w.p.CellFormat(textW, 6, band, "", 0, "L", false, 0, "")
	w.p.SetXY(margin, 30)
	w.p.SetFont(font, "B", size)
	w.p.SetTextColor(accentR, accentG, accentB)
	w.p.MultiCell(textW, lineHeight, title, "", "L", false)
}

func (w *writer) cover() {
	r, c := w.r, w.r.Convention
	w.coverPage("Convention territoriale globale — comité de pilotage", r.Title(), 26, 12)
	w.p.SetTextColor(0, 0, 0)
	w.p.SetFont(font, "B", 14)
	w.p.Ln(3)
	w.p.MultiCell(textW, 7, c.Title, "", "L", false)
	w.p.Ln(8)

	territory := "non renseigné"
	if c.Territory.EPCIName != "" {
		signed := 0
		for _, tc := range c.Territory.Resolved {
			if tc.Signatory {
				signed++
			}
		}
		n := len(c.Territory.Resolved)
		territory = fmt.Sprintf("%s — %d %s, dont %d %s de la convention", c.Territory.EPCIName, n, plural(n, "commune", "communes"),
			signed, plural(signed, "signataire", "signataires"))
	}
	year := fmt.Sprintf("%d (les tableaux montrent les années %s à %s)", r.Year, r.Years[0], r.Years[len(r.Years)-1])
	if r.Final {
		year = fmt.Sprintf("toute la période, %s à %s", r.Years[0], r.Years[len(r.Years)-1])
	}
	var parties []string
	for _, p := range c.Parties {
		parties = append(parties, c.OrgName(p.Organization))
	}
	w.facts(42, [][2]string{
		{"Territoire", territory},
		{"Période", fmt.Sprintf("du %s au %s", FrenchDate(c.Period.Start), FrenchDate(c.Period.End))},
		{map[bool]string{true: "Bilan", false: "Année du bilan"}[r.Final], year},
		{"Signataires", strings.Join(parties, "\n")},
		{"Établi le", FrenchDate(model.DateOf(r.Generated.In(textutil.Paris))) + ", à partir des valeurs validées dans ctg"},
	})
	w.p.Ln(4)
	if r.Synthetic {
		w.warning("Données fictives : ce bilan contient des valeurs d'indicateurs de démonstration, générées par ctg, et non des chiffres réels. Elles sont signalées « (fictive) » dans les tableaux et hachurées en gris dans les graphiques.")
	}
	if r.Public {
		w.para("Version diffusable : les effectifs de moins de 5 personnes sont masqués (« < 5 ») au titre du secret statistique.")
	}
	if r.Final {
		w.para("Ce bilan final couvre toute la période de la convention. L'évaluation est un préalable à tout renouvellement (annexe 5) : il doit éclairer la décision des conseils.")
	}
	w.p.Ln(2)
	w.need(60)
	w.p.SetFont(font, "B", 12)
	w.p.SetTextColor(accentR, accentG, accentB)
	w.p.CellFormat(textW, 7, "Sommaire", "", 1, "L", false, 0, "")
	w.p.SetTextColor(0, 0, 0)
	w.p.SetFont(font, "", 10.5)
	for _, s := range sections {
		if s.key == "annexe" && len(r.TextFindings) == 0 {
			continue
		}
		// Page numbers are aliases replaced at the end: their width is not
		// known yet, so they are left-aligned in their column.
		w.p.CellFormat(textW-18, 6, s.title, "B", 0, "L", false, 0, "")
		w.p.CellFormat(18, 6, "page {p:"+s.key+"}", "B", 1, "L", false, 0, "")
	}
}

// summary is the page a mayor reads in two minutes: where the plan
// stands, the key indicators, the important deviations and what the
// committee must decide.
func (w *writer) summary() {
	r := w.r
	w.section("synthese")
	w.heading(3, "Avancement du plan")
	counts, total := r.StepCounts()
	axes := map[string]bool{}
	for _, f := range r.Fiches {
		axes[f.Axis] = true
	}
	w.para(fmt.Sprintf("%d fiches actions sur %d axes, %d étapes. État des étapes au %s (une étape dont l'échéance est passée compte en retard) :", len(r.Fiches), len(axes), total, FrenchDate(model.DateOf(r.Generated))))
	w.stateBar(counts, total)
	if len(r.Promised) > 0 {
		var names []string
		for _, a := range r.Promised {
			names = append(names, strconv.Itoa(a.Number))
		}
		w.note(fmt.Sprintf("%s %s : fiches promises par avenant, non enregistrées.", plural(len(names), "Axe", "Axes"), frenchList(names)))
	}

	keys, targeted := r.KeyIndicators()
	w.heading(3, "Indicateurs clés")
	with, synthetic, all := r.Collected()
	year := r.Years[r.YearIndex()]
	collected := fmt.Sprintf("%d indicateurs sur %d ont une valeur validée pour %s", with-synthetic, all, year)
	if synthetic > 0 {
		collected += fmt.Sprintf(" ; %d autres n'ont qu'une valeur fictive de démonstration, qui n'en tient pas lieu", synthetic)
	}
	switch {
	case with == 0:
		collected = fmt.Sprintf("Aucun indicateur n'a de valeur validée pour %s", year)
	case !targeted:
		collected += fmt.Sprintf(". Aucune cible n'est fixée pour %s : le tableau montre, pour chaque fiche, son premier indicateur renseigné et son évolution sur un an", year)
	}
	w.note(collected + ".")
	if len(keys) > 0 {
		y := r.YearIndex()
		prev := ""
		if y > 0 {
			prev = r.Years[y-1]
		}
		header := []string{"Indicateur", "Unité", prev, r.Years[y], "Évolution"}
		widths := []float64{98, 22, 20, 20, 20}
		if targeted {
			header = []string{"Indicateur", "Unité", prev, r.Years[y], "Cible", "Écart"}
			widths = []float64{84, 22, 18, 18, 19, 19}
		}
		rows := [][]string{header}
		for _, k := range keys {
			before := ""
			if y > 0 {
				before = shortCell(k.Figures[y-1])
			}
			f := k.Figures[y]
			row := []string{k.Code + " – " + k.Label, unitCell(k.Unit), before, shortCell(f)}
			if targeted {
				target, dev := "—", "—"
				if f.Target != nil {
					target = Number(*f.Target)
				}
				if f.Deviation != nil {
					dev = indicators.FormatPercent(f.Deviation.Percent)
				}
				row = append(row, target, dev)
			} else {
				row = append(row, evolution(k.Figures, y))
			}
			rows = append(rows, row)
		}
		w.tableSized(widths, rows, []string{"L", "L", "R", "R", "R", "R"}, 8.5)
	}

	w.heading(3, "Écarts importants")
	switch devs := r.YearDeviations(); {
	case len(devs) > 0:
		for _, d := range devs {
			w.para(fmt.Sprintf("• %s – %s (%s) : %s pour une cible de %s, soit %s.", d.Code, d.Label, d.Year, Number(d.Actual), Number(d.Target), indicators.FormatPercent(d.Percent)))
		}
	case !targeted:
		w.para("Aucune cible n'étant fixée, aucun écart ne peut être mesuré : le comité peut fixer les cibles des indicateurs.")
	default:
		w.para("Aucun écart au-delà de la tolérance fixée pour chaque indicateur.")
	}

	w.heading(3, "Ce que le comité doit décider")
	if len(r.Decisions) == 0 {
		w.para("Le contrôle de la convention ne relève aucune erreur appelant une décision.")
		return
	}
	for i, d := range r.Decisions {
		w.need(16)
		w.p.SetFont(font, "B", 10)
		w.p.MultiCell(textW, lineH, fmt.Sprintf("%d. %s", i+1, d.Subject), "", "L", false)
		w.p.SetFont(font, "", 9.5)
		w.p.SetLeftMargin(margin + 5)
		w.p.MultiCell(textW-5, 4.5, d.Detail, "", "L", false)
		if d.Fix != "" {
			w.p.SetTextColor(60, 60, 60)
			w.p.MultiCell(textW-5, 4.5, "À faire : "+d.Fix, "", "L", false)
			w.p.SetTextColor(0, 0, 0)
		}
		w.p.SetLeftMargin(margin)
		w.p.Ln(1.5)
	}
	w.p.SetFont(font, "", 10)
}

// stateBar draws the steps by state as one bar of coloured segments, with
// its legend (state and count) below.
func (w *writer) stateBar(counts []StepCount, total int) {
	if total == 0 {
		return
	}
	w.need(18)
	x, y := margin, w.p.GetY()+1
	for _, c := range counts {
		if c.Count == 0 {
			continue
		}
		width := textW * float64(c.Count) / float64(total)
		w.colour(stateColours[c.Status])
		w.p.Rect(x, y, width, 6, "F")
		x += width
	}
	w.p.SetXY(margin, y+8)
	w.p.SetFont(font, "", 9)
	for _, c := range counts {
		w.colour(stateColours[c.Status])
		lx := w.p.GetX()
		w.p.Rect(lx, w.p.GetY()+1, 3, 3, "F")
		w.p.SetX(lx + 4)
		label := fmt.Sprintf("%s : %d", StatusLabels[c.Status], c.Count)
		w.p.CellFormat(w.p.GetStringWidth(label)+6, 5, label, "", 0, "L", false, 0, "")
	}
	w.p.Ln(7)
	w.p.SetFont(font, "", 10)
}

// evolution compares the figure of year y with the year before, in percent.
func evolution(figures []indicators.Figure, y int) string {
	if y == 0 || !figures[y].Numeric() || !figures[y-1].Numeric() || figures[y-1].Value == 0 {
		return "—"
	}
	// A change between a real and a fictive figure would measure nothing.
	if figures[y].Synthetic != figures[y-1].Synthetic {
		return "—"
	}
	if figures[y].Value == figures[y-1].Value {
		return "stable"
	}
	return indicators.FormatPercent((figures[y].Value - figures[y-1].Value) / figures[y-1].Value * 100)
}

// unitCell writes a unit in a narrow column: a dash when it is not given.
func unitCell(u model.Unit) string {
	if u == "" {
		return "—"
	}
	return u.Label()
}

// shortCell writes a figure in a summary cell: the number, "fictive"
// marked by an asterisk-free word so that the cell stays narrow.
func shortCell(f indicators.Figure) string {
	if !f.Has {
		return "—"
	}
	s := f.Shown()
	if f.Text != "" {
		s = "texte"
	}
	if f.Synthetic {
		s += "\n(fictive)"
	}
	return s
}

func (w *writer) convention() {
	c := w.r.Convention
	w.section("convention")
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
		rows = append(rows, []string{c.OrgName(p.Organization), strings.Join(reps, "\n"), auth})
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

func (w *writer) plan() {
	r := w.r
	for i, f := range r.Fiches {
		if i == 0 {
			w.section("plan")
			for _, a := range r.Promised {
				w.note(fmt.Sprintf("Axe %d – %s : %s (échéance : %s). Aucune fiche n'est enregistrée.", a.Number, a.Title, a.Promise, FrenchDate(*a.FichesDueBy)))
			}
		} else {
			w.p.AddPage()
		}
		w.fiche(f)
	}
	if len(r.Fiches) == 0 {
		w.section("plan")
		w.para("Aucune fiche action n'est enregistrée.")
	}
}

func (w *writer) fiche(f Fiche) {
	r := w.r
	title := fmt.Sprintf("Fiche %s – %s", f.Code, f.Title)
	w.p.Bookmark(title, 1, -1)
	w.heading(2, title)
	pilots := "non désigné"
	if len(f.Pilots) > 0 {
		var names []string
		for _, k := range f.Pilots {
			names = append(names, r.Convention.OrgName(k))
		}
		pilots = strings.Join(names, ", ")
	}
	w.note(fmt.Sprintf("%s · avancement : %s · pilote : %s", f.Axis, StatusLabels[f.Status], pilots))

	label := fmt.Sprintf("Appréciation %d de la coordination", r.Year)
	if r.Final {
		label = "Appréciations de la coordination"
	}
	if len(f.Assessments) == 0 {
		what := fmt.Sprintf("Aucune appréciation n'est écrite pour %d : elle se saisit sur la page de la fiche dans ctg.", r.Year)
		if r.Final {
			what = "Aucune appréciation n'est écrite : elles se saisissent, année par année, sur la page de la fiche dans ctg."
		}
		w.box(label, what, rgb{242, 242, 242})
	}
	for _, x := range f.Assessments {
		t := label
		if r.Final {
			t = fmt.Sprintf("Appréciation %d de la coordination", x.Year)
		}
		w.box(t, x.Text+"\n— "+x.Author+", le "+FrenchDate(model.DateOf(x.UpdatedAt.In(textutil.Paris))), rgb{232, 241, 250})
	}

	if len(f.Steps) > 0 {
		w.heading(3, "Étapes")
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
			text := fmt.Sprintf("%d. %s", n, s.Text)
			for _, d := range s.Details {
				text += "\n– " + d
			}
			rows = append(rows, []string{text, sched, StatusLabels[s.Status]})
		}
		w.table([]float64{116, 38, 26}, rows, []string{"L", "L", "L"})
	}
	if inds := r.Indicators(f); len(inds) > 0 {
		w.heading(3, "Indicateurs")
		w.indicatorTable(inds)
	}
}

func (w *writer) indicatorTable(inds []indicators.Row) {
	r := w.r
	yearW := 28.0
	switch {
	case len(r.Years) > 4:
		yearW = 20
	case len(r.Years) > 3:
		yearW = 24
	}
	widths := []float64{180 - 22 - yearW*float64(len(r.Years)), 22}
	header := []string{"Indicateur (valeurs validées)", "Unité"}
	aligns := []string{"L", "L"}
	for _, y := range r.Years {
		widths, header, aligns = append(widths, yearW), append(header, y), append(aligns, "R")
	}
	rows := [][]string{header}
	for _, ind := range inds {
		row := []string{ind.Code + " – " + ind.Label, unitCell(ind.Unit)}
		for _, c := range ind.Figures {
			text := cellText(c)
			if yearW < 28 {
				// A narrow column: the deviation's figure on its own line.
				text = strings.Replace(text, "écart ", "écart\n", 1)
			}
			row = append(row, text)
		}
		rows = append(rows, row)
	}
	w.table(widths, rows, aligns)

	// Charts four to a row, then one legend for them all.
	var drawable []indicators.Row
	hasFictive, hasReal, hasTarget := false, false, false
	for _, ind := range inds {
		if ind.Scale() > 0 {
			drawable = append(drawable, ind)
			for _, f := range ind.Figures {
				hasFictive = hasFictive || (f.Numeric() && f.Synthetic)
				hasReal = hasReal || (f.Numeric() && !f.Synthetic)
				hasTarget = hasTarget || f.Target != nil
			}
		}
	}
	if len(drawable) == 0 {
		return
	}
	w.p.Ln(1)
	for i := 0; i < len(drawable); i += chartsPerRow {
		// The last row of charts keeps the legend with it.
		extra := 0.0
		if i+chartsPerRow >= len(drawable) {
			extra = 8
		}
		w.need(chartBlock + extra)
		top := w.p.GetY()
		for j, ind := range drawable[i:min(i+chartsPerRow, len(drawable))] {
			w.chart(ind, margin+float64(j)*textW/chartsPerRow, top)
		}
		w.p.SetXY(margin, top+chartBlock)
	}
	w.legend(hasReal, hasFictive, hasTarget)
	w.p.SetFont(font, "", 10)
}

// The parts of a chart, in millimetres: its title, the plot, the years.
const (
	chartTitleH  = 8.0
	chartH       = 20.0
	chartsPerRow = 4
	chartBlock   = chartTitleH + chartH + 10
)

// unitCaption says in the title of a chart what its bars count.
func unitCaption(u model.Unit) string {
	switch u {
	case model.UnitCount:
		return "en nombre"
	case model.UnitEuros:
		return "en euros"
	case model.UnitHours:
		return "en heures"
	case model.UnitPlaces:
		return "en places"
	case model.UnitPercent:
		return "en %"
	}
	return "unité non précisée"
}

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
		s += "\nécart " + indicators.FormatPercent(c.Deviation.Percent)
	}
	return s
}

// chart draws an indicator's yearly values as bars in a box whose top
// left corner is (left, top): validated values in solid blue, fictive
// ones hatched grey (another series, named by the legend), targets as red
// lines; the unit is in the title and the scale on the left axis.
func (w *writer) chart(ind indicators.Row, left, top float64) {
	maxV := ind.Scale()
	boxW := textW/chartsPerRow - 4
	w.p.SetXY(left, top)
	w.p.SetFont(font, "B", 8)
	title := ind.Code + " – " + unitCaption(ind.Unit)
	w.p.CellFormat(boxW, 3.5, title, "", 2, "L", false, 0, "")
	w.p.SetFont(font, "", 6.5)
	w.p.SetTextColor(70, 70, 70)
	w.p.SetX(left)
	w.p.CellFormat(boxW, 3.5, truncate(w.p, ind.Label, boxW), "", 0, "L", false, 0, "")
	w.p.SetTextColor(0, 0, 0)

	axisX := left + 10
	base := top + chartTitleH + 4 + chartH
	plotTop := base - chartH
	// Left axis with its scale: 0 and the largest value.
	w.p.SetDrawColor(120, 120, 120)
	w.p.SetLineWidth(0.2)
	w.p.Line(axisX, plotTop, axisX, base)
	w.p.Line(axisX, base, left+boxW, base)
	w.p.SetFont(font, "", 6)
	w.p.SetXY(left, base-1.5)
	w.p.CellFormat(9, 3, "0", "", 0, "R", false, 0, "")
	w.p.SetXY(left, plotTop-1.5)
	w.p.CellFormat(9, 3, Number(maxV), "", 0, "R", false, 0, "")
	w.p.Line(axisX-1, plotTop, axisX, plotTop)

	slot := (left + boxW - axisX) / float64(len(ind.Figures))
	barW := math.Min(10, slot*0.6)
	w.p.SetFont(font, "", 6.5)
	for i, c := range ind.Figures {
		x := axisX + float64(i)*slot + (slot-barW)/2
		if c.Numeric() && c.Value > 0 {
			bh := c.Value / maxV * chartH
			if c.Synthetic {
				w.hatched(x, base-bh, barW, bh)
			} else {
				w.colour(accent)
				w.p.Rect(x, base-bh, barW, bh, "F")
			}
		}
		if c.Numeric() {
			bh := c.Value / maxV * chartH
			w.p.SetXY(x-4, base-bh-3.3)
			w.p.CellFormat(barW+8, 3, Number(c.Value), "", 0, "C", false, 0, "")
		}
		if c.Target != nil {
			ty := base - *c.Target/maxV*chartH
			w.p.SetDrawColor(targetRed.r, targetRed.g, targetRed.b)
			w.p.SetLineWidth(0.6)
			w.p.Line(x-1.5, ty, x+barW+1.5, ty)
			w.p.SetLineWidth(0.2)
		}
		w.p.SetXY(x-4, base+0.8)
		w.p.CellFormat(barW+8, 3, c.Year, "", 0, "C", false, 0, "")
	}
	w.p.SetDrawColor(0, 0, 0)
}

// hatched draws a bar of fictive values: light grey with diagonal lines.
func (w *writer) hatched(x, y, width, h float64) {
	w.colour(fictive)
	w.p.Rect(x, y, width, h, "F")
	w.p.ClipRect(x, y, width, h, false)
	w.p.SetDrawColor(fictiveLn.r, fictiveLn.g, fictiveLn.b)
	w.p.SetLineWidth(0.25)
	for d := -width; d < h+width; d += 1.4 {
		w.p.Line(x, y+d, x+width, y+d-width)
	}
	w.p.ClipEnd()
	w.p.SetLineWidth(0.2)
	w.p.SetDrawColor(0, 0, 0)
}

// legend names the series of the charts above it.
func (w *writer) legend(real, fictiveShown, target bool) {
	w.p.SetFont(font, "", 8)
	y := w.p.GetY()
	x := margin
	item := func(label string, mark func(x, y float64)) {
		mark(x, y+1)
		w.p.SetXY(x+6, y)
		w.p.CellFormat(w.p.GetStringWidth(label)+2, 5, label, "", 0, "L", false, 0, "")
		x = w.p.GetX() + 5
	}
	w.p.SetXY(margin, y)
	w.p.CellFormat(16, 5, "Légende :", "", 0, "L", false, 0, "")
	x = w.p.GetX()
	if real {
		item("valeur validée", func(x, y float64) { w.colour(accent); w.p.Rect(x, y, 4, 3, "F") })
	}
	if fictiveShown {
		item("valeur fictive (démonstration)", func(x, y float64) { w.hatched(x, y, 4, 3) })
	}
	if target {
		item("cible", func(x, y float64) {
			w.p.SetDrawColor(targetRed.r, targetRed.g, targetRed.b)
			w.p.SetLineWidth(0.6)
			w.p.Line(x, y+1.5, x+4, y+1.5)
			w.p.SetLineWidth(0.2)
			w.p.SetDrawColor(0, 0, 0)
		})
	}
	w.p.SetXY(margin, y+7)
}

// truncate shortens a text to fit a width, with an ellipsis.
func truncate(p *pdf, s string, width float64) string {
	if p.GetStringWidth(s) <= width {
		return s
	}
	runes := []rune(s)
	for len(runes) > 0 && p.GetStringWidth(string(runes)+"…") > width {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimSpace(string(runes)) + "…"
}

func (w *writer) equipments() {
	c := w.r.Convention
	w.section("equipements")
	if len(c.Equipments) == 0 {
		w.para("L'annexe 2 ne liste aucun équipement.")
		return
	}
	communes := map[string]string{}
	for _, tc := range c.Territory.Resolved {
		communes[tc.INSEE] = tc.Name
	}
	places := false
	for _, e := range c.Equipments {
		places = places || e.Places > 0
	}
	header := []string{"Équipement", "Gestionnaire", "Type", "Commune"}
	widths := []float64{55, 50, 45, 30}
	aligns := []string{"L", "L", "L", "L"}
	if places {
		header, widths, aligns = append(header, "Places"), []float64{50, 45, 42, 28, 15}, append(aligns, "R")
	}
	rows := [][]string{header}
	for _, e := range c.Equipments {
		operator := e.OperatorName
		if e.Operator != "" {
			operator = c.OrgName(e.Operator)
		}
		typ := e.ActivityType
		if e.ActivityNature != "" && e.ActivityNature != e.ActivityType {
			typ += "\n" + e.ActivityNature
		}
		commune := communes[e.Commune]
		if commune == "" {
			commune = e.City
		}
		row := []string{e.Name, operator, typ, commune}
		if places {
			n := ""
			if e.Places > 0 {
				n = strconv.Itoa(e.Places)
			}
			row = append(row, n)
		}
		rows = append(rows, row)
	}
	w.note(fmt.Sprintf("%d équipements et services soutenus au titre de la convention.", len(c.Equipments)))
	w.table(widths, rows, aligns)
}

func (w *writer) governance() {
	r := w.r
	w.section("gouvernance")
	for _, k := range r.Convention.Committees {
		w.heading(3, k.Name)
		w.composition(r.Convention, k)
	}
	w.heading(3, "Réunions")
	when := fmt.Sprintf("en %d", r.Year)
	if r.Final {
		when = "depuis le début de la période"
	}
	if len(r.Meetings) == 0 {
		w.para(fmt.Sprintf("Aucune réunion enregistrée %s.", when))
		return
	}
	rows := [][]string{{"Date", "Comité", "Statut", "Présents ou représentés", "Décisions"}}
	for _, m := range r.Meetings {
		// The members present or represented; guests do not count.
		present := 0
		for _, x := range m.Attendance {
			if x.Status != model.AttendanceExcused && x.Organization != "" {
				present++
			}
		}
		rows = append(rows, []string{FrenchDate(m.Date), committeeName(r.Convention, m.Committee), model.MeetingStatusLabels[m.Status],
			strconv.Itoa(present), strconv.Itoa(len(m.Decisions))})
	}
	w.table([]float64{36, 54, 25, 40, 25}, rows, []string{"L", "L", "L", "R", "R"})
	for _, m := range r.Meetings {
		if len(m.Decisions) == 0 {
			continue
		}
		w.heading(3, fmt.Sprintf("Décisions du %s – %s", committeeName(r.Convention, m.Committee), FrenchDate(m.Date)))
		for i, d := range m.Decisions {
			text := fmt.Sprintf("%d. %s", i+1, d.Text)
			if o := d.ObjectLabel(); o != "" {
				text += " (" + o + ")"
			}
			w.para(text)
			for _, a := range d.Actions {
				who := a.Person
				if a.Organization != "" {
					who = r.Convention.OrgName(a.Organization)
				}
				line := fmt.Sprintf("Action : %s – %s", a.Text, who)
				if a.DueOn != nil {
					line += ", pour le " + FrenchDate(*a.DueOn)
				}
				w.note(line + " : " + model.FollowUpLabels[a.Status] + ".")
			}
		}
	}
}

// committeeName names a committee of the convention by its key.
func committeeName(c *model.Convention, key string) string {
	for _, k := range c.Committees {
		if k.Key == key {
			return k.Name
		}
	}
	return key
}

// composition draws a committee's composition as a table: for whom, and
// which members, the organizations by name.
func (w *doc) composition(c *model.Convention, k model.Committee) {
	rows := [][]string{{"Pour", "Membres"}}
	for _, g := range k.Composition {
		var names []string
		for _, o := range g.Organizations {
			names = append(names, c.OrgName(o))
		}
		who := g.Label
		if len(names) > 0 {
			who += "\n(" + strings.Join(names, ", ") + ")"
		}
		var members []string
		for _, m := range g.Members {
			members = append(members, "– "+m)
		}
		rows = append(rows, []string{who, strings.Join(members, "\n")})
	}
	if len(rows) > 1 {
		w.table([]float64{70, 110}, rows, []string{"L", "L"})
	}
}

func (w *writer) findings() {
	r := w.r
	w.section("points")
	if len(r.Findings) == 0 {
		w.para("Le contrôle de la convention ne relève ni erreur ni avertissement sur lesquels le comité doit agir.")
	} else {
		w.note(fmt.Sprintf("Erreurs et avertissements du contrôle de la convention au %s sur lesquels le comité doit agir. Les coquilles et écarts de rédaction du texte signé sont en annexe.",
			FrenchDate(model.DateOf(r.Generated.In(textutil.Paris)))))
		rows := [][]string{{"Gravité", "Où", "Constat", "Que faire"}}
		for _, f := range r.Findings {
			rows = append(rows, []string{lint.Labels[f.Severity], f.Where, f.Message, f.Fix})
		}
		w.tableSized([]float64{24, 24, 78, 54}, rows, []string{"L", "L", "L", "L"}, 8.5)
	}
}

func (w *writer) appendix() {
	r := w.r
	if len(r.TextFindings) == 0 {
		return
	}
	w.section("annexe")
	w.note("Coquilles, blancs non remplis et titres ou renvois écrits différemment selon l'endroit du texte. Ils n'appellent pas de décision du comité : ils se corrigent au prochain avenant.")
	rows := [][]string{{"Où", "Constat", "Correction"}}
	for _, f := range r.TextFindings {
		rows = append(rows, []string{f.Where, f.Message, f.Fix})
	}
	w.tableSized([]float64{24, 96, 60}, rows, []string{"L", "L", "L"}, 8.5)
}
