package draft

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

var (
	axisListRe  = textutil.LazyRegexp(`^\s*(\d{1,2})\s*\)\s*(\S.*?)\s*$`)
	ficheListRe = textutil.LazyRegexp(`^\s*(\d{1,2})\s*([.\-])\s*(\d{1,2})\s*(?:[-–—:]\s*)?(\S.*?)\s*$`)
	stepRe      = textutil.LazyRegexp(`^\s*(\d{1,2})\s*\)\s*(.*?)\s*$`)
	scheduleRe  = textutil.LazyRegexp(`(?i)^((?:dès|des|à\s+partir\s+d[ue]|a\s+partir\s+d[ue]|en|au\s+cours\s+d[ue]|d'ici|d’ici|courant|fin|début)\b[^:,]*?\b(20\d\d)\b[^:,]*?)\s*[:,]\s*(.*)$`)
)

type listedFiche struct {
	code, asWritten, title string
	line                   int
}

type listedAxis struct {
	number          int
	title           string
	line            int
	fiches          []listedFiche
	promise         string
	promiseLine     int
	promiseDate     *model.Date
	promiseDateLine int
}

// planList reads the list of axes « n) Titre » and fiches « n.m - Titre »
// in lines[from:to].
func (r *reader) planList(from, to int) []*listedAxis {
	var axes []*listedAxis
	var cur *listedAxis
	var title *string
	for i := from; i < to; i++ {
		l := r.lines[i]
		if ficheRe.MatchString(l) {
			break
		}
		if blank(l) || noise(l) {
			title = nil
			continue
		}
		if m := axisListRe.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			cur = &listedAxis{number: n, title: clean(m[2]), line: i + 1}
			axes = append(axes, cur)
			title = &cur.title
			continue
		}
		if cur == nil {
			continue
		}
		if m := ficheListRe.FindStringSubmatch(l); m != nil && m[1] == strconv.Itoa(cur.number) {
			cur.fiches = append(cur.fiches, listedFiche{code: m[1] + "." + m[3], asWritten: m[1] + m[2] + m[3], title: clean(m[4]), line: i + 1})
			title = &cur.fiches[len(cur.fiches)-1].title
			continue
		}
		if f := textutil.Fold(l); strings.Contains(f, "avenant") && strings.Contains(f, "fiche") {
			cur.promise, cur.promiseLine = clean(l), i+1
			if d, _ := parseDate(l); d != nil {
				cur.promiseDate = d
			}
			title = nil
			continue
		}
		if title != nil {
			*title = clean(*title + " " + l)
		} else {
			// Prose after the list ends it.
			cur = nil
		}
	}
	return axes
}

// actionPlan reads the axes and fiches of the action-plan annex, and the
// fiches « Fiche action n.m : Titre » with their steps and indicators.
func (r *reader) actionPlan() {
	var axes []*listedAxis
	place := ""
	if h := r.annex("action_plan"); h != nil {
		axes = r.planList(h.line+1, h.end)
		place = fmt.Sprintf("annexe %d", h.number)
	}
	listings := map[string][]model.Listing{}
	for _, h := range r.articles {
		for _, a := range r.planList(h.line+1, h.end) {
			for _, f := range a.fiches {
				listings[f.code] = append(listings[f.code], model.Listing{Place: fmt.Sprintf("article %d", h.number), Code: f.asWritten, Title: f.title})
			}
		}
		if len(axes) == 0 {
			if list := r.planList(h.line+1, h.end); len(list) > 0 {
				axes, place = list, fmt.Sprintf("article %d", h.number)
			}
		}
	}
	listed := map[string]listedFiche{}
	byNumber := map[int]int{}
	for i, a := range axes {
		ap := fmt.Sprintf("axes[%d]", i)
		axis := model.Axis{Number: a.number, Title: a.title}
		r.set(ap+".number", strconv.Itoa(a.number), a.line, 0.9, "liste « n) Thème » ("+place+")")
		r.set(ap+".title", a.title, a.line, 0.85, "liste « n) Thème » ("+place+")")
		if a.promise != "" {
			axis.Promise = a.promise
			axis.FichesDueBy = a.promiseDate
			r.set(ap+".promise", a.promise, a.promiseLine, 0.8, "phrase « feront l'objet d'un avenant » sous le thème")
			if a.promiseDate != nil {
				r.set(ap+".fiches_due_by", a.promiseDate.String(), a.promiseLine, 0.85, "date de cette phrase")
			}
		}
		for _, f := range a.fiches {
			listed[f.code] = f
			if place != "" && !strings.HasPrefix(place, "article") {
				listings[f.code] = append(listings[f.code], model.Listing{Place: place, Code: f.asWritten, Title: f.title})
			}
		}
		byNumber[a.number] = len(r.c.Axes)
		r.c.Axes = append(r.c.Axes, axis)
	}
	if len(axes) == 0 {
		r.miss("axes", 0, "liste des thèmes « n) … » et des fiches « n.m - … » introuvable")
	}
	// The fiches themselves.
	var heads []int
	for i, l := range r.lines {
		if ficheRe.MatchString(l) {
			heads = append(heads, i)
		}
	}
	seen := map[string]bool{}
	for k, start := range heads {
		end := len(r.lines)
		if k+1 < len(heads) {
			end = heads[k+1]
		}
		for _, h := range r.annexes {
			if h.line > start && h.line < end {
				end = h.line
			}
		}
		m := ficheRe.FindStringSubmatch(r.lines[start])
		code := m[1] + "." + m[2]
		if seen[code] {
			r.miss("axes", start+1, "fiche "+code+" écrite deux fois : seule la première est lue")
			continue
		}
		seen[code] = true
		title := clean(m[3])
		bodyStart := start + 1
		for ; bodyStart < end && !blank(r.lines[bodyStart]) && section(r.lines[bodyStart]) == ""; bodyStart++ {
			title = clean(title + " " + r.lines[bodyStart])
		}
		n, _ := strconv.Atoi(m[1])
		ai, ok := byNumber[n]
		if !ok {
			ai = len(r.c.Axes)
			byNumber[n] = ai
			r.c.Axes = append(r.c.Axes, model.Axis{Number: n})
			r.miss(fmt.Sprintf("axes[%d].title", ai), start+1, "thème "+m[1]+" absent de la liste du plan d'actions : titre à compléter")
		}
		fp := fmt.Sprintf("axes[%d].fiches[%d]", ai, len(r.c.Axes[ai].Fiches))
		f := r.fiche(fp, code, title, start, bodyStart, end)
		f.Listings = listings[code]
		if _, ok := listed[code]; !ok && len(axes) > 0 {
			r.miss(fp+".listings", start+1, "fiche "+code+" absente de la liste du plan d'actions")
		}
		r.c.Axes[ai].Fiches = append(r.c.Axes[ai].Fiches, f)
	}
	for code, f := range listed {
		if !seen[code] {
			r.miss("axes", f.line, "fiche "+code+" listée mais sans « Fiche action "+code+" » dans le texte : non reprise")
		}
	}
}

// section names the part of a fiche a heading line opens.
func section(l string) string {
	t, _ := unbullet(l)
	f := textutil.Fold(t)
	if len(f) > 90 {
		return ""
	}
	switch {
	case strings.HasPrefix(f, "contexte"):
		return "context"
	case strings.HasPrefix(f, "objectif"):
		return "objectives"
	case strings.HasPrefix(f, "descriptif"):
		return "steps"
	case strings.HasPrefix(f, "public vise"), strings.HasPrefix(f, "publics vises"), strings.HasPrefix(f, "public cible"):
		return "public"
	case strings.HasPrefix(f, "criteres d'evaluation"), strings.HasPrefix(f, "indicateurs d'evaluation"):
		return "criteria"
	}
	return ""
}

func indicatorHeading(l string) bool {
	f := strings.TrimSpace(strings.TrimRight(textutil.Fold(l), ": "))
	return f == "indicateurs" || f == "les indicateurs" || f == "indicateur" || f == "les indicateurs retenus"
}

func (r *reader) fiche(fp, code, title string, head, from, to int) model.Fiche {
	f := model.Fiche{Code: code, Title: title, Status: model.ActionPlanned}
	r.set(fp+".code", code, head+1, 1, "titre « Fiche action n.m »")
	r.set(fp+".title", title, head+1, 0.9, "titre « Fiche action n.m : … »")
	r.set(fp+".status", string(f.Status), head+1, 0.5, "valeur par défaut d'un brouillon : « prévue » (le texte ne dit pas l'avancement)")
	parts := map[string][2]int{}
	cur, curStart := "", from
	for i := from; i < to; i++ {
		if s := section(r.lines[i]); s != "" {
			if cur != "" {
				parts[cur] = [2]int{curStart, i}
			}
			cur, curStart = s, i
		}
	}
	if cur != "" {
		parts[cur] = [2]int{curStart, to}
	}
	if span, ok := parts["context"]; ok {
		ps := paragraphs(r.lines, span[0]+1, span[1])
		f.Context = joinParas(ps)
		if len(ps) > 0 {
			r.set(fp+".context", excerpt(f.Context), ps[0].line, 0.85, "section « Contexte »")
		}
	} else {
		r.miss(fp+".context", head+1, "section « Contexte » absente")
	}
	if span, ok := parts["objectives"]; ok {
		for _, p := range paragraphs(r.lines, span[0]+1, span[1]) {
			f.Objectives = append(f.Objectives, p.text)
			r.set(fmt.Sprintf("%s.objectives[%d]", fp, len(f.Objectives)-1), excerpt(p.text), p.line, 0.8, "paragraphe de la section « Objectif(s) »")
		}
	} else {
		r.miss(fp+".objectives", head+1, "section « Objectif(s) » absente")
	}
	codes := map[string]string{}
	indicator := func(label string) model.Indicator {
		c, ok := codes[textutil.Fold(label)]
		if !ok {
			c = fmt.Sprintf("%s-%d", code, len(codes)+1)
			codes[textutil.Fold(label)] = c
		}
		return model.Indicator{Code: c, Label: label}
	}
	if span, ok := parts["steps"]; ok {
		r.steps(&f, fp, span[0]+1, span[1], indicator)
	} else {
		r.miss(fp+".steps", head+1, "section « Descriptif » absente")
	}
	if span, ok := parts["criteria"]; ok {
		t, _ := unbullet(r.lines[span[0]])
		f.IndicatorsHeading = strings.TrimSpace(strings.TrimRight(clean(t), ":"))
		for _, it := range r.items(span[0]+1, span[1]) {
			f.Indicators = append(f.Indicators, indicator(it.text))
			r.set(fmt.Sprintf("%s.indicators[%d].label", fp, len(f.Indicators)-1), it.text, it.line, 0.85, "élément de liste sous « "+f.IndicatorsHeading+" »")
		}
	}
	if span, ok := parts["public"]; ok {
		l := clean(r.lines[span[0]])
		if _, after, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(after) != "" {
			f.TargetPublic = append(f.TargetPublic, strings.TrimSpace(after))
			r.set(fp+".target_public[0]", strings.TrimSpace(after), span[0]+1, 0.85, "« Public visé : … »")
		}
		for _, p := range paragraphs(r.lines, span[0]+1, span[1]) {
			f.TargetPublic = append(f.TargetPublic, p.text)
			r.set(fmt.Sprintf("%s.target_public[%d]", fp, len(f.TargetPublic)-1), p.text, p.line, 0.85, "paragraphe sous « Public visé »")
		}
	}
	if len(f.Steps) == 0 {
		r.miss(fp+".steps", head+1, "aucune étape lue")
	}
	return f
}

type item struct {
	text string
	line int
}

// items reads a list: a marker starts an item, other lines go on with it.
func (r *reader) items(from, to int) []item {
	var out []item
	for i := from; i < to; i++ {
		l := r.lines[i]
		if blank(l) || noise(l) {
			continue
		}
		t, bullet := unbullet(l)
		if bullet || len(out) == 0 {
			out = append(out, item{clean(t), i + 1})
		} else {
			out[len(out)-1].text = clean(out[len(out)-1].text + " " + t)
		}
	}
	return out
}

// schedule reads « Dès 2023 : », « A partir du deuxième trimestre 2023, »
// at the start of a step.
func schedule(text string) (model.Schedule, string, bool) {
	m := scheduleRe.FindStringSubmatch(text)
	if m == nil {
		return model.Schedule{}, text, false
	}
	year, _ := strconv.Atoi(m[2])
	month := time.January
	f := textutil.Fold(m[1])
	for word, mo := range map[string]time.Month{"deuxieme trimestre": 4, "second trimestre": 4, "troisieme trimestre": 7, "quatrieme trimestre": 10, "second semestre": 7, "deuxieme semestre": 7} {
		if strings.Contains(f, word) {
			month = mo
		}
	}
	s := model.Schedule{AsWritten: clean(m[1])}
	if strings.HasPrefix(f, "des") || strings.HasPrefix(f, "a partir") || strings.HasPrefix(f, "en ") || strings.HasPrefix(f, "courant") || strings.HasPrefix(f, "au cours") || strings.HasPrefix(f, "debut") {
		d := model.Date{Year: year, Month: month, Day: 1}
		s.Start = &d
	}
	if strings.Contains(f, "chaque annee") || strings.Contains(f, "tous les ans") {
		s.Recurrence = model.RecurYearly
	}
	return s, strings.TrimSpace(m[3]), true
}

// steps reads the « Descriptif » of a fiche: numbered steps « 1) … », or
// else paragraphs opened by a (lost) bullet, or else one step; under each,
// « Indicateurs : » and their list.
func (r *reader) steps(f *model.Fiche, fp string, from, to int, indicator func(string) model.Indicator) {
	type block struct {
		number     int
		lines      []int
		indicators []item
	}
	var blocks []*block
	var pre []int
	numbered := false
	for i := from; i < to; i++ {
		if stepRe.MatchString(r.lines[i]) {
			numbered = true
			break
		}
	}
	var cur *block
	inIndicators := false
	var loose []item // indicators outside any step
	for i := from; i < to; i++ {
		l := r.lines[i]
		if noise(l) {
			continue
		}
		if indicatorHeading(l) {
			inIndicators = true
			continue
		}
		if numbered {
			if m := stepRe.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				cur = &block{number: n}
				blocks = append(blocks, cur)
				inIndicators = false
				cur.lines = append(cur.lines, i)
				continue
			}
		} else if !blank(l) && indented(l) && !inIndicators && textutil.Fold(clean(l)) != "" {
			if _, _, only := scheduleOnly(l); !only {
				cur = &block{}
				blocks = append(blocks, cur)
				cur.lines = append(cur.lines, i)
				continue
			}
		}
		if blank(l) {
			if cur != nil && !inIndicators {
				cur.lines = append(cur.lines, i)
			}
			continue
		}
		switch {
		case inIndicators:
			t, bullet := unbullet(l)
			target := &loose
			if cur != nil && numbered {
				target = &cur.indicators
			}
			if bullet || len(*target) == 0 {
				*target = append(*target, item{clean(t), i + 1})
			} else {
				(*target)[len(*target)-1].text = clean((*target)[len(*target)-1].text + " " + t)
			}
		case cur != nil:
			cur.lines = append(cur.lines, i)
		default:
			pre = append(pre, i)
		}
	}
	// Text before the steps: a schedule for all of them, or a description.
	var common model.Schedule
	hasCommon := false
	var desc []string
	for _, p := range groupLines(r.lines, pre) {
		if s, rest, ok := schedule(p.text); ok && rest == "" {
			common, hasCommon = s, true
			continue
		}
		if !numbered && len(blocks) == 0 {
			continue
		}
		desc = append(desc, p.text)
	}
	if len(blocks) == 0 && len(pre) > 0 {
		// One step: the whole text.
		b := &block{}
		for _, i := range pre {
			if s, rest, ok := scheduleOnly(r.lines[i]); ok && rest == "" {
				common, hasCommon = s, true
				continue
			}
			b.lines = append(b.lines, i)
		}
		blocks = append(blocks, b)
		desc = nil
	}
	if len(desc) > 0 {
		f.Description = strings.Join(desc, "\n\n")
		r.set(fp+".description", excerpt(f.Description), pre[0]+1, 0.6, "texte du « Descriptif » avant la première étape")
	}
	for _, b := range blocks {
		ps := groupLines(r.lines, b.lines)
		if len(ps) == 0 {
			continue
		}
		text := ps[0].text
		if b.number > 0 {
			text = strings.TrimSpace(stepRe.FindStringSubmatch(text)[2])
		}
		st := model.Step{Number: b.number, Status: model.ActionPlanned}
		sp := fmt.Sprintf("%s.steps[%d]", fp, len(f.Steps))
		if s, rest, ok := schedule(text); ok && rest != "" {
			st.Schedule, text = s, rest
			r.set(sp+".schedule.as_written", s.AsWritten, ps[0].line, 0.8, "échéance en tête de l'étape")
		} else if hasCommon {
			st.Schedule = common
			r.set(sp+".schedule.as_written", common.AsWritten, ps[0].line, 0.7, "échéance commune écrite avant les étapes")
		}
		st.Text = text
		r.set(sp+".text", excerpt(text), ps[0].line, 0.8, "première phrase de l'étape")
		for _, p := range ps[1:] {
			st.Details = append(st.Details, p.text)
		}
		for _, it := range b.indicators {
			st.Indicators = append(st.Indicators, indicator(it.text))
			r.set(fmt.Sprintf("%s.indicators[%d].label", sp, len(st.Indicators)-1), it.text, it.line, 0.85, "élément de liste sous « Indicateurs : »")
		}
		f.Steps = append(f.Steps, st)
	}
	for _, it := range loose {
		f.Indicators = append(f.Indicators, indicator(it.text))
		r.set(fmt.Sprintf("%s.indicators[%d].label", fp, len(f.Indicators)-1), it.text, it.line, 0.8, "élément de liste sous « Indicateurs : » de la fiche")
	}
}

func scheduleOnly(l string) (model.Schedule, string, bool) {
	t, _ := unbullet(l)
	return schedule(clean(t))
}

// groupLines makes paragraphs of the given lines: a blank line, a marker,
// or a sentence ended on the previous line and a capital here start a new one.
func groupLines(lines []string, idx []int) []para {
	var out []para
	var cur []string
	start := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, para{text: strings.Join(cur, " "), line: start + 1})
		}
		cur = nil
	}
	for _, i := range idx {
		raw := lines[i]
		if blank(raw) {
			flush()
			continue
		}
		t, bullet := unbullet(raw)
		t = clean(t)
		if bullet && len(cur) > 0 {
			flush()
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			if strings.HasSuffix(prev, ".") && t != "" && isUpperRune([]rune(t)[0]) {
				flush()
			}
		}
		if len(cur) == 0 {
			start = i
		}
		cur = append(cur, t)
	}
	flush()
	return out
}

var postalRe = textutil.LazyRegexp(`^(.*?)\s*\b(\d{5})\b\s*(.*)$`)

var headerWords = map[string]bool{"nom": true, "partenaire": true, "equipement": true, "type": true, "activite": true, "nature": true, "adresse": true, "commune": true, "code": true, "postal": true, "ville": true, "gestionnaire": true, "structure": true}

func headerLine(l string) bool {
	ws := strings.Fields(textutil.Fold(l))
	if len(ws) == 0 {
		return false
	}
	for _, w := range ws {
		if !headerWords[w] {
			return false
		}
	}
	return true
}

// equipments reads the table of annex 2 as text extraction gives it:
// cells separated by blank lines (or wide spaces), each row ending with a
// postal code and its city.
func (r *reader) equipments() {
	h := r.annex("equipments")
	if h == nil {
		r.miss("equipments", 0, "annexe des équipements introuvable")
		return
	}
	if r.postal == nil {
		r.postal = map[string][]*territory.Commune{}
		for _, c := range r.ref.Communes() {
			for _, pc := range c.PostalCodes {
				r.postal[pc] = append(r.postal[pc], c)
			}
		}
	}
	var cells []item
	var cell *item
	newCell := func(t string, line int) {
		cells = append(cells, item{t, line})
		cell = &cells[len(cells)-1]
	}
	for i := h.line + 1; i < h.end; i++ {
		l := r.lines[i]
		if blank(l) || noise(l) {
			cell = nil
			continue
		}
		if headerLine(l) && len(cells) == 0 {
			continue
		}
		if m := postalRe.FindStringSubmatch(l); m != nil && r.postal[m[2]] != nil {
			for _, part := range splitWide(m[1]) {
				newCell(part, i+1)
			}
			city := clean(m[3])
			j := i + 1
			for ; j < h.end && isCapitals(r.lines[j]) && !indented(r.lines[j]) && postalRe.FindStringSubmatch(r.lines[j]) == nil; j++ {
				city = clean(city + " " + r.lines[j])
			}
			if _, score := r.findCommune(city, r.postal[m[2]]); city == "" || score < 1 {
				// The city, or its end, in a cell of its own after a blank
				// line (« ST ETIENNE LES », then « ORGUES »): taken only
				// when the whole is, word for word, a commune of that code.
				k := j
				for k < h.end && blank(r.lines[k]) {
					k++
				}
				next, end := city, k
				for ; end < h.end && isCapitals(r.lines[end]) && !indented(r.lines[end]) && postalRe.FindStringSubmatch(r.lines[end]) == nil; end++ {
					next = clean(next + " " + r.lines[end])
				}
				if _, score := r.findCommune(next, r.postal[m[2]]); next != city && score == 1 {
					city, j = next, end
				}
			}
			r.equipment(cells, m[2], city, i+1)
			cells, cell = nil, nil
			i = j - 1
			continue
		}
		parts := splitWide(l)
		for k, part := range parts {
			if cell == nil || k > 0 {
				newCell(part, i+1)
			} else {
				cell.text = clean(cell.text + " " + part)
			}
		}
	}
	if len(r.c.Equipments) == 0 {
		r.miss("equipments", h.line+1, "aucune ligne du tableau lue (chaque ligne doit finir par un code postal et une commune)")
	}
}

var wide = textutil.LazyRegexp(`\s{3,}`)

func splitWide(l string) []string {
	var out []string
	for _, p := range wide.Split(strings.TrimSpace(l), -1) {
		if p = clean(p); p != "" && !headerLine(p) {
			out = append(out, p)
		}
	}
	return out
}

func (r *reader) equipment(cells []item, postal, city string, line int) {
	if len(cells) < 3 {
		r.miss("equipments", line, "ligne du tableau des équipements incomplète avant le code postal "+postal)
		return
	}
	ep := fmt.Sprintf("equipments[%d]", len(r.c.Equipments))
	e := model.Equipment{OperatorName: cells[0].text, Name: cells[1].text, ActivityType: cells[2].text, PostalCode: postal, City: city}
	r.set(ep+".operator_name", e.OperatorName, cells[0].line, 0.7, "1re colonne de la ligne")
	r.set(ep+".name", e.Name, cells[1].line, 0.7, "2e colonne de la ligne")
	r.set(ep+".activity_type", e.ActivityType, cells[2].line, 0.7, "3e colonne de la ligne")
	if len(cells) > 3 {
		e.ActivityNature = cells[3].text
		r.set(ep+".activity_nature", e.ActivityNature, cells[3].line, 0.6, "4e colonne de la ligne")
	}
	if len(cells) > 4 {
		var addr []string
		for _, c := range cells[4:] {
			addr = append(addr, c.text)
		}
		e.Address = []string{strings.Join(addr, " ")}
		r.set(ep+".address", e.Address[0], cells[4].line, 0.5, "colonnes avant le code postal")
	}
	r.set(ep+".postal_code", postal, line, 0.9, "code postal de la ligne")
	if city != "" {
		r.set(ep+".city", city, line, 0.8, "commune après le code postal")
	}
	if c, score := r.findCommune(city, r.postal[postal]); c != nil {
		e.Commune = c.INSEE
		r.set(ep+".commune", c.INSEE, line, score, "code postal et nom rapprochés de « "+c.Name+" » (INSEE)")
	} else if list := current(r.postal[postal]); len(list) == 1 {
		e.Commune = list[0].INSEE
		r.set(ep+".commune", list[0].INSEE, line, 0.6, "seule commune du code postal "+postal)
	} else {
		r.miss(ep+".commune", line, "commune « "+city+" » non rapprochée du référentiel INSEE pour le code postal "+postal)
	}
	for _, o := range r.c.Organizations {
		if similarity(tokens(o.Name), tokens(e.OperatorName)) >= 0.75 {
			e.Operator = o.Key
			r.set(ep+".operator", o.Key, cells[0].line, 0.6, "gestionnaire rapproché de la partie « "+o.Name+" »")
			break
		}
	}
	r.c.Equipments = append(r.c.Equipments, e)
}

func current(list []*territory.Commune) []*territory.Commune {
	var out []*territory.Commune
	for _, c := range list {
		if c.Type == territory.CommuneCurrent {
			out = append(out, c)
		}
	}
	return out
}

var committeeRe = textutil.LazyRegexp(`(?i)^\s*(?:\d+\s*[.)-]\s*)?(?:le\s+|la\s+)?(comit[ée]\s+(?:de\s+pilotage|technique|de\s+suivi)\b.*?)\s*:?\s*$`)

// committees reads the governance annex: « 1. Le comité de pilotage »
// and « 2. Le comité technique », their « Composition » and « Objet ».
func (r *reader) committees() {
	h := r.annex("governance")
	if h == nil {
		r.miss("committees", 0, "annexe de la gouvernance introuvable")
		return
	}
	var heads []int
	for i := h.line + 1; i < h.end; i++ {
		if l := clean(r.lines[i]); len(l) < 60 && committeeRe.MatchString(l) {
			heads = append(heads, i)
		}
	}
	used := map[string]bool{}
	for k, start := range heads {
		end := h.end
		if k+1 < len(heads) {
			end = heads[k+1]
		}
		name := textutil.UpperFirst(clean(committeeRe.FindStringSubmatch(clean(r.lines[start]))[1]))
		kind := model.CommitteeTechnical
		if strings.Contains(textutil.Fold(name), "pilotage") {
			kind = model.CommitteeSteering
		}
		cp := fmt.Sprintf("committees[%d]", len(r.c.Committees))
		c := model.Committee{Key: uniqueKey(string(kind), used), Kind: kind, Name: name}
		r.set(cp+".name", name, start+1, 0.9, "titre « n. Le comité … » de l'annexe de la gouvernance")
		r.set(cp+".kind", string(kind), start+1, 0.9, "mot « pilotage » ou « technique » du titre")
		part := ""
		var composition, purposes []item
		for i := start + 1; i < end; i++ {
			t, _ := unbullet(r.lines[i])
			f := textutil.Fold(t)
			switch {
			case strings.HasPrefix(f, "composition"):
				part = "composition"
				continue
			case strings.HasPrefix(f, "objet") || strings.HasPrefix(f, "missions") || strings.HasPrefix(f, "role"):
				part = "purposes"
				continue
			}
			if blank(r.lines[i]) || noise(r.lines[i]) {
				continue
			}
			list := &composition
			if part == "purposes" {
				list = &purposes
			} else if part == "" {
				continue
			}
			if indented(r.lines[i]) || len(*list) == 0 {
				*list = append(*list, item{clean(t), i + 1})
			} else {
				(*list)[len(*list)-1].text = clean((*list)[len(*list)-1].text + " " + t)
			}
		}
		// Composition: « Pour X : members » opens a group; the lines under
		// it are its members.
		for _, it := range composition {
			label, members, ok := strings.Cut(it.text, ":")
			if fl := textutil.Fold(it.text); !ok && strings.HasPrefix(fl, "le cas echeant,") {
				label, members, ok = strings.Cut(it.text, ",")
			}
			if ok && (strings.HasPrefix(textutil.Fold(label), "pour ") || strings.HasPrefix(textutil.Fold(label), "le cas echeant")) {
				g := model.MemberGroup{Label: strings.TrimSpace(label), Organizations: r.groupOrganizations(label)}
				r.set(fmt.Sprintf("%s.composition[%d].label", cp, len(c.Composition)), g.Label, it.line, 0.8, "« Pour … : » sous « Composition »")
				if m := strings.TrimSpace(members); m != "" {
					g.Members = append(g.Members, strings.TrimRight(m, " ,;."))
				}
				c.Composition = append(c.Composition, g)
			} else if n := len(c.Composition); n > 0 {
				c.Composition[n-1].Members = append(c.Composition[n-1].Members, strings.TrimRight(it.text, " ,;."))
			}
		}
		for _, it := range purposes {
			c.Purposes = append(c.Purposes, it.text)
			r.set(fmt.Sprintf("%s.purposes[%d]", cp, len(c.Purposes)-1), excerpt(it.text), it.line, 0.75, "élément sous « Objet »")
		}
		r.c.Committees = append(r.c.Committees, c)
	}
	if len(heads) == 0 {
		r.miss("committees", h.line+1, "aucun titre « n. Le comité … » dans l'annexe de la gouvernance")
	}
}

var titleRe = textutil.LazyRegexp(`(?i)convention\s+territoriale\s+globale(\s*\(ctg\))?`)

// titleAndSlug composes the title from words of the text: « Convention
// territoriale globale (Ctg) », the years of the period and the EPCI as
// the parties name it; the slug from the same.
func (r *reader) titleAndSlug() {
	var epciName string
	for _, o := range r.c.Organizations {
		if o.Kind == model.KindEPCI {
			epciName = o.Name
			break
		}
	}
	name, line := "", 0
	for i, l := range r.lines {
		if m := titleRe.FindString(clean(l)); m != "" {
			name, line = textutil.UpperFirst(strings.ToLower(m[:1])+m[1:]), i+1
			if strings.Contains(m, "(") {
				break
			}
		}
	}
	if name == "" {
		r.miss("title", 0, "les mots « Convention territoriale globale » n'apparaissent pas")
		return
	}
	title := name
	if !r.c.Period.Start.IsZero() {
		title += fmt.Sprintf(" %d-%d", r.c.Period.Start.Year, r.c.Period.End.Year)
	}
	if epciName != "" {
		title += " — " + epciName
	}
	r.c.Title = title
	r.set("title", title, line, 0.6, "composé de « "+name+" » tel qu'écrit, des années de la période et du nom de l'EPCI partie")
	slug := "ctg"
	if epciName != "" {
		slug += "-" + slugify(epciName)
	}
	if !r.c.Period.Start.IsZero() {
		slug += "-" + strconv.Itoa(r.c.Period.Start.Year)
	}
	r.c.Slug = slug
	r.set("slug", slug, line, 0.5, "identifiant composé du nom de l'EPCI et de l'année de début (à revoir)")
}

// check lists what the interchange format refuses in the draft.
func (r *reader) check() {
	data, err := interchange.EncodeFile(r.c)
	if err != nil {
		r.rep.Invalid = append(r.rep.Invalid, err.Error())
		return
	}
	_, err = interchange.DecodeFile(data, r.ref)
	var ve *model.ValidationError
	switch {
	case err == nil:
	case errors.As(err, &ve):
		for _, e := range ve.Errors {
			r.rep.Invalid = append(r.rep.Invalid, e.Path+" : "+e.Message)
		}
	default:
		r.rep.Invalid = append(r.rep.Invalid, err.Error())
	}
}

// groupOrganizations names the parties a composition group stands for:
// « Pour la Caf », « Pour la communauté de communes et les communes »,
// « Pour les collectivités ».
func (r *reader) groupOrganizations(label string) []string {
	f := " " + textutil.Fold(label) + " "
	epci := strings.Contains(f, "communaute de communes") || strings.Contains(f, "communaute d'agglomeration") || strings.Contains(f, "intercommunal") || strings.Contains(f, "collectivites")
	rest := strings.ReplaceAll(f, "communaute de communes", "")
	communes := strings.Contains(rest, " communes ") || strings.Contains(rest, " commune ") || strings.Contains(f, "collectivites")
	var out []string
	for i, o := range r.c.Organizations {
		if i >= len(r.c.Parties) {
			break
		}
		switch {
		case o.Kind == model.KindCaf && strings.Contains(f, " caf "),
			o.Kind == model.KindMSA && strings.Contains(f, " msa "),
			o.Kind == model.KindEPCI && epci,
			o.Kind == model.KindCommune && communes:
			out = append(out, o.Key)
		}
	}
	return out
}
