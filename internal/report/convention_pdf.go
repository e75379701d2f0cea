package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
)

// ConventionOptions says which version of a convention the document is.
type ConventionOptions struct {
	// At is the day the consolidated text is read at.
	At model.Date
	// Amendments are the avenants the text includes, in order.
	Amendments []AppliedAmendment
	// Status is the convention's lifecycle state on that day, in French
	// ("en vigueur"); left out when empty.
	Status string
}

// AppliedAmendment is an avenant included in a consolidated text.
type AppliedAmendment struct {
	Number      int
	Object      string
	SignedOn    *model.Date
	EffectiveOn *model.Date
}

// ConventionPDF writes the consolidated text of a convention as an A4
// PDF, in the order of the signed document: the parties, the visas, the
// preamble, the articles, the place and date of signature with the
// signatories, then each annex rendered from the data it holds (the
// diagnostic, the table of equipments, the fiches of the action plan, the
// committees, the deliberations). What the data leaves blank stays blank,
// and what it keeps as written ("XXXX") is printed as written.
func ConventionPDF(c *model.Convention, opts ConventionOptions) ([]byte, error) {
	version := "Version consolidée au " + FrenchDate(opts.At)
	p := newPDF(c.Title, opts.At.Time(), version)
	p.SetHeaderFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		p.SetXY(margin, 6)
		p.SetFont(font, "", 8)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(textW, 5, truncate(p, c.Title, textW), "B", 0, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetXY(margin, margin)
	})
	w := &conventionWriter{doc: &doc{p: p}, c: c}
	w.cover(version, opts)
	w.parties()
	w.preamble()
	w.articles()
	w.signatures()
	for _, a := range c.Annexes {
		w.annex(a)
	}
	return output(p)
}

// conventionWriter draws the consolidated text of a convention.
type conventionWriter struct {
	*doc
	c *model.Convention
}

func (w *conventionWriter) cover(version string, opts ConventionOptions) {
	c := w.c
	w.coverPage("Convention territoriale globale", c.Title, 20, 9)
	w.p.Ln(4)
	w.p.SetFont(font, "B", 14)
	w.p.MultiCell(textW, 7, version, "", "L", false)
	w.p.SetTextColor(0, 0, 0)
	w.p.Ln(6)

	var facts [][2]string
	if opts.Status != "" {
		facts = append(facts, [2]string{"État", opts.Status})
	}
	facts = append(facts, [2]string{"Période", fmt.Sprintf("du %s au %s", FrenchDate(c.Period.Start), FrenchDate(c.Period.End))})
	facts = append(facts, [2]string{"Signature", w.signedAt()})
	var parties []string
	for _, p := range c.Parties {
		parties = append(parties, c.OrgName(p.Organization))
	}
	if len(parties) > 0 {
		facts = append(facts, [2]string{"Signataires", strings.Join(parties, "\n")})
	}
	for _, t := range c.Transmissions {
		ack := t.Identifier
		if t.ReceivedOn != nil {
			ack += ", reçu le " + FrenchDate(*t.ReceivedOn)
		}
		facts = append(facts, [2]string{"Accusé de réception en préfecture", ack})
	}
	w.facts(48, facts)

	w.heading(3, "Avenants intégrés")
	if len(opts.Amendments) == 0 {
		w.para("Aucun avenant : le texte est celui de la convention signée.")
	}
	for _, a := range opts.Amendments {
		w.para("• " + amendmentLine(a))
	}
	w.p.Ln(2)
	w.note("Texte établi par ctg à partir des données de la convention. Il ne remplace pas l'original signé, qui seul fait foi.")
}

// amendmentLine writes "Avenant n° 1 du 3 avril 2023 : objet, effet le
// 1er mai 2023", leaving out what is not recorded.
func amendmentLine(a AppliedAmendment) string {
	s := fmt.Sprintf("Avenant n° %d", a.Number)
	if a.SignedOn != nil {
		s += " du " + FrenchDate(*a.SignedOn)
	}
	if a.Object != "" {
		s += " : " + a.Object
	}
	if a.EffectiveOn != nil {
		s += ", effet le " + FrenchDate(*a.EffectiveOn)
	}
	return s
}

// signedAt says where and when the convention was signed, the place as
// the text writes it.
func (w *conventionWriter) signedAt() string {
	s := w.c.Signature
	place := s.PlaceAsWritten
	if place == "" {
		place = s.Place
	}
	switch {
	case s.Date != nil && place != "":
		return "le " + FrenchDate(*s.Date) + " à " + place
	case s.Date != nil:
		return "le " + FrenchDate(*s.Date) + " (lieu non renseigné)"
	case place != "":
		return "à " + place + " (date non renseignée)"
	}
	return "non renseignée"
}

// representedBy writes a party's representatives as the text introduces
// them: "Monsieur Thierry AUTARD, Directeur, et Madame …".
func representedBy(reps []model.Representative) string {
	var names []string
	for _, r := range reps {
		s := strings.TrimSpace(r.Civility + " " + r.Name)
		if r.Title != "" {
			s += ", " + r.Title
		}
		names = append(names, s)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + ", et " + names[len(names)-1]
}

// authorized agrees "autorisé" with the representatives.
func authorized(reps []model.Representative) string {
	s := "autorisé"
	feminine := len(reps) > 0
	for _, r := range reps {
		feminine = feminine && r.Civility == "Madame"
	}
	if feminine {
		s += "e"
	}
	if len(reps) > 1 {
		s += "s"
	}
	return s
}

func (w *conventionWriter) parties() {
	c := w.c
	w.p.AddPage()
	w.p.Bookmark("Parties", 0, -1)
	w.heading(2, "Entre :")
	for i, p := range c.Parties {
		s := c.OrgName(p.Organization)
		if len(p.Representatives) > 0 {
			s += ", représentée par " + representedBy(p.Representatives) + ", dûment " + authorized(p.Representatives) +
				" à signer la présente convention"
			if a := p.Authorization; a != nil && a.Body != "" {
				s += " par délibération du " + a.Body
			}
		}
		s += " ;"
		w.prose("- "+s, 10)
		if p.Designation != "" {
			w.p.SetLeftMargin(margin + 5)
			w.para(p.Designation + " ;")
			w.p.SetLeftMargin(margin)
			w.p.SetX(margin)
		}
		if i < len(c.Parties)-1 {
			w.para("Et")
		}
	}
	w.p.Ln(2)
	w.para("Il est convenu et arrêté ce qui suit :")
	if len(c.LegalBases) > 0 {
		w.p.Ln(2)
		for _, b := range c.LegalBases {
			w.prose(b.Text, 10)
		}
	}
}

func (w *conventionWriter) preamble() {
	pre := w.c.Preamble
	if pre.Text == "" {
		return
	}
	w.p.Ln(4)
	w.p.Bookmark("Préambule", 0, -1)
	w.heading(2, "PRÉAMBULE")
	w.prose(pre.Text, 10)
}

func (w *conventionWriter) articles() {
	for _, a := range w.c.Articles {
		title := "ARTICLE " + strconv.Itoa(a.Number)
		if a.Title != "" {
			title += " – " + a.Title
		}
		w.p.Ln(2)
		w.p.Bookmark(title, 0, -1)
		w.heading(3, title)
		w.prose(a.Text, 10)
		for _, f := range a.Footnotes {
			w.note(f)
		}
	}
}

// signatures writes where and when the convention was signed, in how many
// originals, then each representative's signature title and name, two to
// a row, with room to sign.
func (w *conventionWriter) signatures() {
	c := w.c
	s := c.Signature
	place := s.PlaceAsWritten
	if place == "" {
		place = s.Place
	}
	if place == "" {
		place = "(lieu non renseigné)"
	}
	date := "(date non renseignée)"
	if s.Date != nil {
		date = FrenchDate(*s.Date)
	}
	w.need(60)
	w.p.Ln(6)
	w.p.Bookmark("Signatures", 0, -1)
	w.p.SetFont(font, "B", 10.5)
	w.p.MultiCell(textW, 6, "Fait à "+place+", le "+date, "", "L", false)
	w.p.SetFont(font, "", 10)
	if s.Copies != "" {
		w.para(s.Copies)
	}
	w.p.Ln(4)
	var blocks [][2]string
	for _, p := range c.Parties {
		for _, r := range p.Representatives {
			title := r.SignatureTitle
			if title == "" {
				title = strings.TrimSpace(r.Title + ", " + c.OrgName(p.Organization))
			}
			name := r.SignatureName
			if name == "" {
				name = r.Name
			}
			blocks = append(blocks, [2]string{title, name})
		}
	}
	const colW, room = textW / 2, 16.0
	for i := 0; i < len(blocks); i += 2 {
		row := blocks[i:min(i+2, len(blocks))]
		w.p.SetFont(font, "B", 9.5)
		lines := 1
		for _, b := range row {
			lines = max(lines, len(w.p.SplitText(b[0], colW-6)))
		}
		h := float64(lines)*4.5 + room + 10
		w.need(h)
		y := w.p.GetY()
		for j, b := range row {
			x := margin + float64(j)*colW
			w.p.SetXY(x, y)
			w.p.SetFont(font, "B", 9.5)
			w.p.MultiCell(colW-6, 4.5, b[0], "", "L", false)
			w.p.SetXY(x, y+float64(lines)*4.5+room)
			w.p.SetFont(font, "", 10)
			w.p.CellFormat(colW-6, 5, b[1], "", 0, "L", false, 0, "")
		}
		w.p.SetXY(margin, y+h)
	}
}

func (w *conventionWriter) annex(a model.Annex) {
	w.p.AddPage()
	title := "ANNEXE " + strconv.Itoa(a.Number)
	if a.Title != "" {
		title += " – " + a.Title
	}
	w.p.Bookmark(title, 0, -1)
	w.heading(1, title)
	if a.Text != "" {
		w.prose(a.Text, 10)
	}
	switch a.Holds {
	case "diagnostic":
		w.diagnostic()
	case "equipments":
		w.equipmentTable()
	case "action_plan":
		w.actionPlan(a.Number)
	case "governance":
		w.committees()
	case "authorizations":
		w.authorizations()
	}
}

// diagnostic draws the findings as the text's table: a theme per row, the
// quantitative findings, then the qualitative ones.
func (w *conventionWriter) diagnostic() {
	d := w.c.Diagnostic
	if d.Summary != "" {
		w.prose(d.Summary, 10)
	}
	if len(d.Findings) == 0 {
		return
	}
	rows := [][]string{{"Les thématiques", "Les constats issus du diagnostic quantitatif", "Les apports de l'analyse qualitative"}}
	at := map[string]int{}
	for _, f := range d.Findings {
		i, ok := at[f.Theme]
		if !ok {
			i = len(rows)
			at[f.Theme] = i
			rows = append(rows, []string{f.Theme, "", ""})
		}
		col := 1
		if f.Kind == model.FindingQualitative {
			col = 2
		}
		if rows[i][col] != "" {
			rows[i][col] += "\n"
		}
		rows[i][col] += "– " + f.Text
	}
	w.p.Ln(2)
	w.tableSized([]float64{40, 70, 70}, rows, []string{"L", "L", "L"}, 8.5)
}

// equipmentTable draws annex 2 as its table, each field as written.
func (w *conventionWriter) equipmentTable() {
	c := w.c
	if len(c.Equipments) == 0 {
		return
	}
	names := map[string]string{}
	for _, tc := range c.Territory.Resolved {
		names[tc.INSEE] = tc.Name
	}
	rows := [][]string{{"Gestionnaire", "Équipement", "Type d'activité", "Nature d'activité", "Adresse", "Commune"}}
	for _, e := range c.Equipments {
		commune := strings.TrimSpace(e.PostalCode + " " + e.City)
		if e.City == "" {
			commune = strings.TrimSpace(e.PostalCode + " " + names[e.Commune])
		}
		rows = append(rows, []string{e.OperatorName, e.Name, e.ActivityType, e.ActivityNature, strings.Join(e.Address, "\n"), commune})
	}
	w.tableSized([]float64{31, 33, 29, 29, 32, 26}, rows, []string{"L", "L", "L", "L", "L", "L"}, 8)
}

// actionPlan lists the axes and their fiches, then gives each fiche its
// page.
func (w *conventionWriter) actionPlan(annex int) {
	c := w.c
	place := "annexe " + strconv.Itoa(annex)
	for _, a := range c.Axes {
		w.need(14)
		w.p.SetFont(font, "B", 10)
		w.p.MultiCell(textW, lineH, fmt.Sprintf("%d) %s", a.Number, a.Title), "", "L", false)
		w.p.SetFont(font, "", 10)
		w.p.SetLeftMargin(margin + 5)
		for _, f := range a.Fiches {
			code, title := listed(f, place)
			w.p.MultiCell(textW-5, lineH, code+" – "+title, "", "L", false)
		}
		if len(a.Fiches) == 0 && a.Promise != "" {
			w.p.MultiCell(textW-5, lineH, a.Promise, "", "L", false)
		}
		w.p.SetLeftMargin(margin)
		w.p.Ln(2)
	}
	for _, a := range c.Axes {
		for _, f := range a.Fiches {
			w.p.AddPage()
			w.fiche(a, f)
		}
	}
}

// listed returns a fiche's code and title as the list at place writes
// them, when the text lists it there differently.
func listed(f model.Fiche, place string) (code, title string) {
	for _, l := range f.Listings {
		if l.Place == place {
			return l.Code, l.Title
		}
	}
	return f.Code, f.Title
}

func (w *conventionWriter) fiche(a model.Axis, f model.Fiche) {
	c := w.c
	title := "Fiche action " + f.Code + " : " + f.Title
	w.p.Bookmark(title, 1, -1)
	w.heading(2, title)
	w.note(fmt.Sprintf("Axe %d – %s", a.Number, a.Title))
	if f.Context != "" {
		w.heading(3, "Contexte")
		w.prose(f.Context, 10)
	}
	if len(f.Objectives) > 0 {
		w.heading(3, "Objectif(s) de l'action")
		w.list(f.Objectives)
	}
	if f.Description != "" || len(f.Steps) > 0 {
		w.heading(3, "Descriptif des actions et dates de mise en œuvre")
	}
	if f.Description != "" {
		w.prose(f.Description, 10)
	}
	if len(f.Steps) > 0 {
		rows := [][]string{{"Étape", "Calendrier"}}
		for i, s := range f.Steps {
			n := s.Number
			if n == 0 {
				n = i + 1
			}
			text := fmt.Sprintf("%d. %s", n, s.Text)
			for _, d := range s.Details {
				text += "\n– " + d
			}
			rows = append(rows, []string{text, s.Schedule.AsWritten})
		}
		w.table([]float64{130, 50}, rows, []string{"L", "L"})
	}
	if inds := ficheIndicators(f); len(inds) > 0 {
		heading := f.IndicatorsHeading
		if heading == "" {
			heading = "Les indicateurs"
		}
		w.heading(3, heading)
		w.list(inds)
	}
	if len(f.TargetPublic) > 0 {
		w.heading(3, "Public visé")
		w.list(f.TargetPublic)
	}
	if len(f.Pilots) > 0 {
		w.heading(3, "Pilote(s)")
		w.list(orgNames(c, f.Pilots))
	}
	if len(f.Partners) > 0 {
		w.heading(3, "Partenaires")
		w.list(orgNames(c, f.Partners))
	}
}

// ficheIndicators lists a fiche's indicators once each, those of its steps
// with the step they measure.
func ficheIndicators(f model.Fiche) []string {
	var out []string
	seen := map[string]bool{}
	add := func(ind model.Indicator, where string) {
		key := ind.Code + "\x00" + ind.Label
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, ind.Label+where)
	}
	for i, s := range f.Steps {
		n := s.Number
		if n == 0 {
			n = i + 1
		}
		for _, ind := range s.Indicators {
			add(ind, fmt.Sprintf(" (étape %d)", n))
		}
	}
	for _, ind := range f.Indicators {
		add(ind, "")
	}
	return out
}

func orgNames(c *model.Convention, keys []string) []string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = c.OrgName(k)
	}
	return names
}

func (w *conventionWriter) committees() {
	c := w.c
	for i, k := range c.Committees {
		// A committee starts where its composition fits below its name.
		w.need(60)
		w.heading(2, fmt.Sprintf("%d. %s", i+1, k.Name))
		if len(k.Composition) > 0 {
			w.heading(3, "Composition")
			w.composition(c, k)
		}
		if len(k.Purposes) > 0 {
			w.heading(3, "Missions")
			w.list(k.Purposes)
		}
		if len(k.CoChairs) > 0 {
			w.para("Coprésidence : " + frenchList(orgNames(c, k.CoChairs)) + ".")
		}
		if k.Secretariat != "" {
			w.para("Secrétariat : " + c.OrgName(k.Secretariat) + ".")
		}
		if k.Notes != "" {
			w.note(k.Notes)
		}
	}
}

// authorizations lists each party's deliberation: body, date as written,
// reference and the prefecture's acknowledgement.
func (w *conventionWriter) authorizations() {
	c := w.c
	rows := [][]string{{"Partie", "Instance", "Date", "Référence", "Accusé de réception en préfecture"}}
	for _, p := range c.Parties {
		a := p.Authorization
		if a == nil {
			rows = append(rows, []string{c.OrgName(p.Organization), "aucune autorisation enregistrée", "", "", ""})
			continue
		}
		date := a.DateAsWritten
		if date == "" && a.Date != nil {
			date = FrenchDate(*a.Date)
		}
		rows = append(rows, []string{c.OrgName(p.Organization), a.Body, date, a.Reference, a.PrefectureAcknowledgement})
	}
	w.p.Ln(2)
	w.tableSized([]float64{44, 46, 28, 28, 34}, rows, []string{"L", "L", "L", "L", "L"}, 8.5)
}

// list writes items as a list with a hanging indent.
func (w *doc) list(items []string) {
	w.prose("- "+strings.Join(items, "\n- "), 10)
}

// prose writes a text as written: its paragraphs justified, its "- "
// items as a list with a hanging indent, an item's own items (indented by
// two spaces) further in.
func (w *doc) prose(text string, size float64) {
	h := size * 0.5
	w.p.SetFont(font, "", size)
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch rest, item := strings.CutPrefix(trimmed, "- "); {
		case strings.TrimSpace(line) == "":
			w.p.Ln(h * 0.6)
		case item:
			x := margin + float64((len(line)-len(trimmed))/2)*5
			w.need(h)
			w.p.SetX(x)
			w.p.CellFormat(5, h, "–", "", 0, "L", false, 0, "")
			w.p.SetLeftMargin(x + 5)
			w.p.MultiCell(textW-(x+5-margin), h, rest, "", "J", false)
			w.p.SetLeftMargin(margin)
		default:
			w.p.MultiCell(textW, h, line, "", "J", false)
		}
	}
	w.p.Ln(1.5)
}
