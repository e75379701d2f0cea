// Package draft reads the text of a Convention Territoriale Globale signed
// on the national model of the Cnaf and makes a draft of it in the
// interchange format: parties, visas, period, signature, articles, annexes,
// fiches of the action plan with their steps and indicators, equipments
// of annex 2 and committees.
//
// It relies on the structure of the model (« ARTICLE n - TITRE »,
// « ANNEXE n – Titre », « Fiche action x.y : … », « Descriptif… »,
// « Indicateurs : », « Fait à … le … ») and never on the names, dates or
// numbers of one text. What it cannot read stays empty; every field it
// sets is listed in the Report with its source line and a confidence.
package draft

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Field is one value the draft sets: where it was read and how.
type Field struct {
	Path  string `json:"path"`
	Value string `json:"value"`
	Line  int    `json:"line"`
	// Page and PageLine place Line in the PDF the text was extracted from
	// (pages separated by form feeds): set only for such a text.
	Page       int     `json:"page,omitempty"`
	PageLine   int     `json:"page_line,omitempty"`
	Confidence float64 `json:"confidence"`
	Method     string  `json:"method"`
	// AsWritten is set when Value is copied from the text (whitespace and
	// list markers aside); otherwise it was normalized (a date, a kind), looked
	// up (a SIREN, an INSEE code) or composed (the title).
	AsWritten bool `json:"as_written"`
}

// Missing is something the model expects that the text did not give.
type Missing struct {
	Path string `json:"path"`
	Line int    `json:"line,omitempty"`
	// Page and PageLine are as for Field.
	Page     int    `json:"page,omitempty"`
	PageLine int    `json:"page_line,omitempty"`
	Reason   string `json:"reason"`
}

// Report lists what the draft holds and what it lacks.
type Report struct {
	Fields  []Field   `json:"fields"`
	Missing []Missing `json:"missing"`
	// Invalid lists what the interchange format refuses in the draft as it
	// stands (a required field the text did not give): to complete before
	// importing it.
	Invalid []string `json:"invalid,omitempty"`
}

// ErrNoText is returned for a text with nothing to read (a scanned PDF
// without a text layer gives one).
var ErrNoText = errors.New("le texte est vide : s'il vient d'un PDF, c'est sans doute une image numérisée sans couche de texte, dont il faut d'abord faire la reconnaissance de caractères (OCR)")

// ErrNotModel is returned when none of the landmarks of the national
// model are found.
var ErrNotModel = errors.New("aucun repère du modèle national de CTG dans le texte (« ARTICLE 1 - … », « Fiche action … », « Fait à … ») : ce n'est pas le texte d'une convention territoriale globale lisible")

type reader struct {
	lines []string
	ref   *territory.Data
	c     *model.ConventionFile
	rep   *Report

	convenu, preamble, fait int
	articles                []heading
	annexes                 []heading
	epci                    *territory.EPCI
	orgByName               map[string]string // folded name → key
	postal                  map[string][]*territory.Commune
}

type heading struct {
	number     int
	title      string
	line, end  int // 0-based: heading line, first line after the section
	titleLines int
}

// Read makes a draft from the text of a signed convention.
func Read(text string, ref *territory.Data) (*model.ConventionFile, *Report, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	// Nothing of the text reaches a field that a person could not type:
	// control characters become spaces (page breaks and line breaks
	// aside), and those that reverse the direction of writing go.
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t' || r == '\f':
			return r
		case unicode.IsControl(r):
			return ' '
		case model.TypedProblem(string(r), true) != "":
			return -1
		}
		return r
	}, text)
	pages := pagesOf(text)
	text = strings.ReplaceAll(text, "\f", "\n")
	if strings.TrimSpace(text) == "" {
		return nil, nil, ErrNoText
	}
	r := &reader{
		lines: strings.Split(text, "\n"),
		ref:   ref,
		c:     &model.ConventionFile{},
		rep:   &Report{Fields: []Field{}, Missing: []Missing{}},
	}
	r.c.Format = model.FormatVersion
	r.c.Status = model.StatusDraft
	r.landmarks()
	if len(r.articles) == 0 && r.fait < 0 && !r.hasFiche() {
		return nil, nil, ErrNotModel
	}
	r.parties()
	r.visas()
	r.preambleText()
	r.articleTexts()
	r.period()
	r.signature()
	r.annexTexts()
	r.actionPlan()
	r.equipments()
	r.committees()
	r.titleAndSlug()
	r.check()
	if pages != nil {
		for i := range r.rep.Fields {
			f := &r.rep.Fields[i]
			f.Page, f.PageLine = pages.place(f.Line)
		}
		for i := range r.rep.Missing {
			m := &r.rep.Missing[i]
			m.Page, m.PageLine = pages.place(m.Line)
		}
	}
	return r.c, r.rep, nil
}

// pageMap places the lines of a text whose pages are separated by form
// feeds (pdftotext's output) on their page.
type pageMap []struct{ page, line int }

// pagesOf maps each line of text, as Read numbers them (a form feed
// counting as a line break), to its page and its line within the page;
// nil for a text without form feeds.
func pagesOf(text string) pageMap {
	if !strings.Contains(text, "\f") {
		return nil
	}
	m := pageMap{{1, 1}}
	page, line := 1, 1
	for _, c := range text {
		switch c {
		case '\n':
			line++
		case '\f':
			page, line = page+1, 1
		default:
			continue
		}
		m = append(m, struct{ page, line int }{page, line})
	}
	return m
}

// place gives the page and the line within it of line n (1-based); zeros
// when n is not a line of the text.
func (m pageMap) place(n int) (page, line int) {
	if n < 1 || n > len(m) {
		return 0, 0
	}
	return m[n-1].page, m[n-1].line
}

func (r *reader) set(path, value string, line int, confidence float64, method string) {
	r.rep.Fields = append(r.rep.Fields, Field{Path: path, Value: value, Line: line, Confidence: confidence, Method: method, AsWritten: asWritten(path)})
}

// derived are the endings of paths whose value is not copied from the text.
var derived = []string{".kind", ".siren", ".insee", "territory.epci", "period.start", "period.end", ".date", "fiches_due_by",
	".status", "title", "slug", ".holds", ".operator", ".party", ".commune", "signature.place", ".annex"}

func asWritten(path string) bool {
	for _, d := range derived {
		if strings.HasSuffix(path, d) && !strings.HasSuffix(path, "].title") {
			return false
		}
	}
	return true
}

func (r *reader) miss(path string, line int, reason string) {
	r.rep.Missing = append(r.rep.Missing, Missing{Path: path, Line: line, Reason: reason})
}

var (
	articleRe = textutil.LazyRegexp(`^\s*ARTICLE\s+(\d+)\s*(?:[-–—:.]\s*)?(.*?)\s*$`)
	annexRe   = textutil.LazyRegexp(`^\s*ANNEXE\s+(\d+)\s*(?:[-–—:.]\s*)?(.*?)\s*$`)
	faitRe    = textutil.LazyRegexp(`^\s*Fait\s+à\s+(.+?)\s*,?\s+le\s+(.+?)\s*$`)
	ficheRe   = textutil.LazyRegexp(`(?i)^\s*Fiche[\s-]+action\s*(?:n\s*°\s*)?(\d+)\s*[.\-]\s*(\d+)\s*:?\s*(.*?)\s*$`)
)

func (r *reader) hasFiche() bool {
	for _, l := range r.lines {
		if ficheRe.MatchString(l) {
			return true
		}
	}
	return false
}

// landmarks finds the parts of the model: the clause that ends the
// parties, the preamble, the articles, the signature and the annexes.
func (r *reader) landmarks() {
	r.convenu, r.preamble, r.fait = -1, -1, -1
	for i, l := range r.lines {
		f := textutil.Fold(l)
		switch {
		case r.convenu < 0 && strings.Contains(f, "il est convenu"):
			r.convenu = i
		case r.preamble < 0 && (f == "preambule" || f == "preambule :"):
			r.preamble = i
		case r.fait < 0 && len(r.articles) > 0 && faitRe.MatchString(l):
			r.fait = i
		}
		if m := articleRe.FindStringSubmatch(l); m != nil && len(r.annexes) == 0 {
			n, _ := strconv.Atoi(m[1])
			h := heading{number: n, title: m[2], line: i, titleLines: 1}
			// A title in capitals may go on over the next line.
			if i+1 < len(r.lines) && isCapitals(r.lines[i+1]) && !articleRe.MatchString(r.lines[i+1]) {
				h.title = clean(h.title + " " + r.lines[i+1])
				h.titleLines = 2
			}
			r.articles = append(r.articles, h)
		}
		if m := annexRe.FindStringSubmatch(l); m != nil && (len(r.annexes) > 0 || len(r.articles) > 0 || r.fait >= 0) {
			n, _ := strconv.Atoi(m[1])
			r.annexes = append(r.annexes, heading{number: n, title: m[2], line: i, titleLines: 1})
		}
	}
	end := len(r.lines)
	for i := range r.annexes {
		if i+1 < len(r.annexes) {
			r.annexes[i].end = r.annexes[i+1].line
		} else {
			r.annexes[i].end = end
		}
	}
	if len(r.annexes) > 0 {
		end = r.annexes[0].line
	}
	if r.fait >= 0 {
		end = r.fait
	}
	for i := range r.articles {
		if i+1 < len(r.articles) {
			r.articles[i].end = r.articles[i+1].line
		} else {
			r.articles[i].end = end
		}
	}
}

func isCapitals(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	letters := 0
	for _, c := range s {
		if c >= 'a' && c <= 'z' || c >= 'à' && c <= 'ÿ' {
			return false
		}
		if c >= 'A' && c <= 'Z' {
			letters++
		}
	}
	return letters >= 3
}

var (
	civilityRe  = textutil.LazyRegexp(`(Monsieur|Madame|M\.|Mme)\s+`)
	roleBefore  = textutil.LazyRegexp(`(?:son|sa)\s+([^\s,]+)\s*$`)
	deliberRe   = textutil.LazyRegexp(`(?i)par\s+délibération\s+(?:de\s+son|de\s+sa|du|de\s+la)\s+(.+?)\s*[;.,]?\s*$`)
	designRe    = textutil.LazyRegexp(`(?i)^ci-?\s*après\s+dénommée?s?\s*«\s*(.+?)\s*»`)
	representRe = textutil.LazyRegexp(`(?i),?\s*représenté(?:e|s|es)?\s+par\b`)
)

// parties reads the « Entre : … Et … » block before « Il est convenu ».
func (r *reader) parties() {
	end := r.convenu
	if end < 0 {
		end = r.preamble
	}
	if end < 0 && len(r.articles) > 0 {
		end = r.articles[0].line
	}
	if end < 0 {
		r.miss("parties", 0, "bloc des parties introuvable (« Il est convenu et arrêté ce qui suit » absent)")
		return
	}
	type block struct {
		text string
		line int
		// breaks are the offsets in text where each next line starts.
		breaks []int
	}
	var blocks []block
	var designations []block
	cur := -1
	for i := 0; i < end; i++ {
		raw := r.lines[i]
		text, bullet := unbullet(raw)
		f := textutil.Fold(text)
		switch {
		case blank(raw) || f == "et" || strings.HasPrefix(f, "entre"):
			if f == "et" || strings.HasPrefix(f, "entre") {
				cur = -1
			}
		case designRe.MatchString(clean(text)):
			designations = append(designations, block{text: clean(text), line: i + 1})
			cur = -1
		case bullet:
			blocks = append(blocks, block{text: clean(text), line: i + 1})
			cur = len(blocks) - 1
		case cur >= 0:
			blocks[cur].text += " "
			blocks[cur].breaks = append(blocks[cur].breaks, len(blocks[cur].text))
			blocks[cur].text += clean(text)
		}
	}
	used := map[string]bool{}
	for _, b := range blocks {
		loc := representRe.FindStringIndex(b.text)
		if loc == nil {
			r.miss("parties", b.line, "partie sans « représentée par » : « "+b.text+" »")
			continue
		}
		name := strings.TrimSpace(strings.TrimRight(b.text[:loc[0]], " ,"))
		for _, art := range []string{"la ", "La ", "le ", "Le ", "l’", "l'", "L’", "L'"} {
			if strings.HasPrefix(name, art) {
				name = strings.TrimSpace(name[len(art):])
				break
			}
		}
		kind := orgKind(name)
		org := model.Organization{Kind: kind, Name: name}
		p := len(r.c.Parties)
		op := fmt.Sprintf("organizations[%d]", len(r.c.Organizations))
		r.set(op+".name", name, b.line, 0.9, "nom de la partie avant « représentée par »")
		r.set(op+".kind", string(kind), b.line, kindConfidence(kind), "déduit des premiers mots du nom")
		r.resolveOrg(&org, op, b.line)
		org.Key = uniqueKey(orgKeyBase(org), used)
		r.c.Organizations = append(r.c.Organizations, org)
		party := model.Party{Organization: org.Key}
		pp := fmt.Sprintf("parties[%d]", p)
		rest := b.text[loc[1]:]
		reps, offsets := representatives(rest)
		party.Representatives = reps
		for k, rep := range reps {
			rp := fmt.Sprintf("%s.representatives[%d]", pp, k)
			line := b.line
			for _, br := range b.breaks {
				if br <= loc[1]+offsets[k] {
					line++
				}
			}
			r.set(rp+".name", rep.Name, line, 0.85, "prénom puis nom en capitales après la civilité")
			r.set(rp+".civility", rep.Civility, line, 0.95, "civilité écrite")
			if rep.Title != "" {
				r.set(rp+".title", rep.Title, line, 0.8, "fonction écrite après le nom ou après « son »")
			} else {
				r.miss(rp+".title", line, "fonction du représentant non lue")
			}
		}
		if len(party.Representatives) == 0 {
			r.miss(pp+".representatives", b.line, "aucun représentant lu (civilité « Monsieur » ou « Madame » suivie d'un nom attendue)")
		}
		if m := deliberRe.FindStringSubmatch(rest); m != nil {
			party.Authorization = &model.Authorization{Kind: "deliberation", Body: clean(m[1])}
			r.set(pp+".authorization.body", party.Authorization.Body, b.line, 0.85, "« par délibération de son … »")
		}
		r.c.Parties = append(r.c.Parties, party)
	}
	// « ci-après dénommée « la Caf » » follows the party it names.
	for _, d := range designations {
		best := -1
		for i, b := range blocks {
			if b.line < d.line && i < len(r.c.Parties) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		m := designRe.FindStringSubmatch(d.text)
		r.c.Parties[best].Designation = strings.TrimRight(d.text, " ;")
		r.c.Organizations[best].ShortName = m[1]
		r.set(fmt.Sprintf("parties[%d].designation", best), r.c.Parties[best].Designation, d.line, 0.8, "« ci-après dénommée » après la partie")
	}
	if len(r.c.Parties) == 0 {
		r.miss("parties", end, "aucune partie lue (« - la … représentée par … » attendu avant « Il est convenu »)")
	}
}

func orgKind(name string) model.OrganizationKind {
	f := textutil.Fold(name)
	switch {
	case strings.HasPrefix(f, "caisse d'allocations familiales"), strings.HasPrefix(f, "caf "):
		return model.KindCaf
	case strings.HasPrefix(f, "mutualite sociale agricole"), strings.HasPrefix(f, "msa "):
		return model.KindMSA
	case strings.HasPrefix(f, "communaute de communes"), strings.HasPrefix(f, "communaute d'agglomeration"),
		strings.HasPrefix(f, "communaute urbaine"), strings.HasPrefix(f, "metropole"):
		return model.KindEPCI
	case strings.HasPrefix(f, "commune "), strings.HasPrefix(f, "ville "), strings.HasPrefix(f, "mairie "):
		return model.KindCommune
	case strings.HasPrefix(f, "conseil departemental"), strings.HasPrefix(f, "departement"):
		return model.KindDepartement
	case strings.HasPrefix(f, "association"), strings.HasPrefix(f, "centre social"), strings.HasPrefix(f, "centre socioculturel"):
		return model.KindAssociation
	}
	return model.KindOther
}

func kindConfidence(k model.OrganizationKind) float64 {
	if k == model.KindOther {
		return 0.3
	}
	return 0.95
}

func orgKeyBase(o model.Organization) string {
	switch o.Kind {
	case model.KindCaf:
		return "caf"
	case model.KindMSA:
		return "msa"
	case model.KindEPCI:
		return "epci"
	}
	name := o.Name
	if o.Kind == model.KindCommune {
		if c, ok := territory.MustLoad().Commune(o.INSEE); ok {
			name = c.Name
		} else if _, after, ok := strings.Cut(name, " de "); ok {
			name = after
		}
	}
	if k := slugify(name); k != "" {
		return k
	}
	return "organisation"
}

func uniqueKey(base string, used map[string]bool) string {
	k := base
	for n := 2; used[k]; n++ {
		k = fmt.Sprintf("%s-%d", base, n)
	}
	used[k] = true
	return k
}

// representatives reads « Monsieur Prénom NOM, Fonction » and « son Maire
// Madame Prénom NOM » after « représentée par ».
func representatives(rest string) ([]model.Representative, []int) {
	locs := civilityRe.FindAllStringSubmatchIndex(rest, -1)
	var out []model.Representative
	var offsets []int
	for i, loc := range locs {
		end := len(rest)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		seg := rest[loc[1]:end]
		if k := strings.Index(seg, "dûment"); k >= 0 {
			seg = seg[:k]
		}
		words := strings.Fields(seg)
		var first, last []string
		n := 0
		for ; n < len(words); n++ {
			w := strings.TrimRight(words[n], ",;")
			if len(last) == 0 && isCapitalized(w) {
				first = append(first, w)
			} else if isUpper(w) {
				last = append(last, w)
			} else {
				break
			}
			if strings.HasSuffix(words[n], ",") {
				n++
				break
			}
		}
		if len(first) == 0 || len(last) == 0 {
			continue
		}
		title := strings.Join(words[n:], " ")
		if k := strings.IndexAny(title, ",;"); k >= 0 {
			title = title[:k]
		}
		title = strings.TrimSpace(title)
		if title == "" {
			if m := roleBefore.FindStringSubmatch(rest[:loc[0]]); m != nil {
				title = m[1]
			}
		}
		civ := rest[loc[2]:loc[3]]
		switch civ {
		case "M.":
			civ = "Monsieur"
		case "Mme":
			civ = "Madame"
		}
		out = append(out, model.Representative{Civility: civ, Name: strings.Join(append(first, last...), " "), Title: title})
		offsets = append(offsets, loc[0])
	}
	return out, offsets
}

func isCapitalized(w string) bool {
	r := []rune(w)
	if len(r) < 2 || !isUpperRune(r[0]) {
		return false
	}
	for _, c := range r[1:] {
		if c >= 'a' && c <= 'z' || c >= 'à' && c <= 'ÿ' {
			return true
		}
	}
	return false
}

func isUpper(w string) bool { return isCapitals(w) || (len([]rune(w)) == 2 && isCapitals(w+"X")) }

func isUpperRune(c rune) bool { return c >= 'A' && c <= 'Z' || c >= 'À' && c <= 'Þ' }

// resolveOrg finds an EPCI or a commune in the INSEE data by its name.
func (r *reader) resolveOrg(o *model.Organization, path string, line int) {
	switch o.Kind {
	case model.KindEPCI:
		e, score := r.findEPCI(o.Name)
		if e == nil {
			r.miss(path+".siren", line, "EPCI « "+o.Name+" » introuvable par son nom dans le référentiel INSEE")
			return
		}
		o.SIREN = e.SIREN
		r.set(path+".siren", e.SIREN, line, score, "nom rapproché de « "+e.Name+" » (référentiel INSEE)")
		if r.epci == nil {
			r.epci = e
			r.c.Territory.EPCI = e.SIREN
			r.set("territory.epci", e.SIREN, line, score, "EPCI partie à la convention")
		}
	case model.KindCommune:
		c, score := r.findCommune(o.Name, nil)
		if c == nil {
			r.miss(path+".insee", line, "commune « "+o.Name+" » introuvable (ou homonyme) dans le référentiel INSEE")
			return
		}
		o.INSEE = c.INSEE
		r.set(path+".insee", c.INSEE, line, score, "nom rapproché de « "+c.Name+" » (référentiel INSEE)")
	}
}

func (r *reader) findEPCI(name string) (*territory.EPCI, float64) {
	want := tokens(name)
	var best *territory.EPCI
	bestScore, second := 0.0, 0.0
	for _, e := range r.ref.EPCIs() {
		s := similarity(want, tokens(e.Name))
		if s > bestScore {
			best, bestScore, second = e, s, bestScore
		} else if s > second {
			second = s
		}
	}
	if bestScore < 0.75 || second == bestScore {
		return nil, 0
	}
	return best, bestScore
}

// findCommune looks a commune up by name: among the EPCI's members first,
// then among candidates (or every current commune) when the name is
// unique there.
func (r *reader) findCommune(name string, candidates []*territory.Commune) (*territory.Commune, float64) {
	want := tokens(name)
	pick := func(list []*territory.Commune) (*territory.Commune, float64) {
		var best *territory.Commune
		bestScore, ties := 0.0, 0
		for _, c := range list {
			if c.Type != territory.CommuneCurrent {
				continue
			}
			s := similarity(want, tokens(c.Name))
			switch {
			case s > bestScore:
				best, bestScore, ties = c, s, 1
			case s == bestScore:
				ties++
			}
		}
		if bestScore < 0.75 || ties > 1 {
			return nil, 0
		}
		return best, bestScore
	}
	if candidates != nil {
		return pick(candidates)
	}
	if r.epci != nil {
		var members []*territory.Commune
		for _, code := range r.epci.Members {
			if c, ok := r.ref.Commune(code); ok {
				members = append(members, c)
			}
		}
		if c, s := pick(members); c != nil {
			return c, s
		}
	}
	c, s := pick(r.ref.Communes())
	return c, s * 0.9
}

var (
	dateOfRe    = textutil.LazyRegexp(`(?i)en\s+date\s+du\s+(.+?)(?:\s+(?:figurant|concernant|relative?|portant)\b|\s*[,;]|$)`)
	bodyRe      = textutil.LazyRegexp(`(?i)délibération\s+du\s+(.+?)\s*,?\s+en\s+date`)
	subjectRe   = textutil.LazyRegexp(`(?i)concernant\s+(.+?)\s*[;,.]?\s*$`)
	annexNumRe  = textutil.LazyRegexp(`(?i)annexe\s+(\d+)`)
	visaStartRe = textutil.LazyRegexp(`^(?:-\s*)?Vu\b`)
)

// visas reads the « Vu … » between the parties and the preamble, and the
// authorizations of the parties they cite.
func (r *reader) visas() {
	from := r.convenu
	to := r.preamble
	if to < 0 && len(r.articles) > 0 {
		to = r.articles[0].line
	}
	if from < 0 || to < 0 {
		r.miss("legal_bases", 0, "visas introuvables (entre « Il est convenu » et le préambule)")
		return
	}
	type visa struct {
		text string
		line int
	}
	var vs []visa
	for i := from; i < to; i++ {
		l := strings.TrimSpace(r.lines[i])
		if i == from {
			// « Il est convenu et arrêté ce qui suit : Vu … » on one line.
			k := strings.Index(l, "Vu ")
			if k < 0 {
				continue
			}
			l = l[k:]
		}
		if blank(l) || noise(l) {
			continue
		}
		if visaStartRe.MatchString(l) {
			t, _ := unbullet(l)
			vs = append(vs, visa{clean(t), i + 1})
		} else if len(vs) > 0 {
			vs[len(vs)-1].text += " " + clean(l)
		}
	}
	for i, v := range vs {
		lb := model.LegalBasis{Text: v.text}
		p := fmt.Sprintf("legal_bases[%d]", i)
		r.set(p+".text", v.text, v.line, 0.95, "ligne commençant par « Vu »")
		if strings.Contains(textutil.Fold(v.text), "deliberation") {
			if k := r.partyIn(v.text); k >= 0 {
				lb.Party = r.c.Parties[k].Organization
				r.set(p+".party", lb.Party, v.line, 0.8, "nom de la partie cité dans le visa")
				r.authorization(k, v.text, v.line)
			}
		}
		r.c.LegalBases = append(r.c.LegalBases, lb)
	}
	if len(vs) == 0 {
		r.miss("legal_bases", from+1, "aucun visa « Vu … » lu")
	}
}

func spaced(s string) string {
	return " " + strings.Join(strings.FieldsFunc(textutil.Fold(s), func(r rune) bool { return r == ' ' || r == '-' || r == '\'' || r == ',' || r == ';' }), " ") + " "
}

// partyIn returns the index of the party a visa names: by its full name,
// the longest first, else by its kind's usual abbreviation.
func (r *reader) partyIn(text string) int {
	t := spaced(text)
	best, bestLen := -1, 0
	for i, o := range r.c.Organizations {
		if i >= len(r.c.Parties) {
			break
		}
		n := spaced(o.Name)
		if strings.Contains(t, n) && len(n) > bestLen {
			best, bestLen = i, len(n)
		}
	}
	if best >= 0 {
		return best
	}
	for i, o := range r.c.Organizations {
		if i >= len(r.c.Parties) {
			break
		}
		if (o.Kind == model.KindCaf && strings.Contains(t, " caf ")) || (o.Kind == model.KindMSA && strings.Contains(t, " msa ")) {
			return i
		}
	}
	return -1
}

func (r *reader) authorization(k int, text string, line int) {
	p := &r.c.Parties[k]
	pp := fmt.Sprintf("parties[%d].authorization", k)
	if p.Authorization == nil {
		p.Authorization = &model.Authorization{Kind: "deliberation"}
	}
	a := p.Authorization
	if a.Body == "" {
		if m := bodyRe.FindStringSubmatch(text); m != nil {
			a.Body = clean(m[1])
			r.set(pp+".body", a.Body, line, 0.8, "« délibération du … en date » du visa")
		}
	}
	if m := dateOfRe.FindStringSubmatch(text); m != nil {
		a.DateAsWritten = clean(m[1])
		r.set(pp+".date_as_written", a.DateAsWritten, line, 0.85, "« en date du … » du visa")
		if d, _ := parseDate(m[1]); d != nil {
			a.Date = d
			r.set(pp+".date", d.String(), line, 0.9, "date lue dans le visa")
		} else {
			r.miss(pp+".date", line, "date de la délibération non écrite (« "+a.DateAsWritten+" »)")
		}
	}
	if m := subjectRe.FindStringSubmatch(text); m != nil {
		a.Subject = m[1]
		r.set(pp+".subject", a.Subject, line, 0.7, "« concernant … » du visa")
	}
	if m := annexNumRe.FindStringSubmatch(text); m != nil {
		a.Annex, _ = strconv.Atoi(m[1])
		r.set(pp+".annex", m[1], line, 0.85, "« figurant en annexe n » du visa")
	}
	if a.Body == "" {
		r.miss(pp+".body", line, "instance qui a délibéré non lue")
	}
}

func (r *reader) preambleText() {
	if r.preamble < 0 || len(r.articles) == 0 {
		r.miss("preamble.text", 0, "préambule introuvable (ligne « PREAMBULE » attendue)")
		return
	}
	ps := paragraphs(r.lines, r.preamble+1, r.articles[0].line)
	if len(ps) == 0 {
		return
	}
	r.c.Preamble.Text = joinParas(ps)
	r.set("preamble.text", excerpt(r.c.Preamble.Text), ps[0].line, 0.9, "texte entre « PREAMBULE » et l'article 1")
}

func excerpt(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

func (r *reader) articleTexts() {
	if len(r.articles) == 0 {
		r.miss("articles", 0, "aucun titre « ARTICLE n - TITRE » lu")
		return
	}
	for i, h := range r.articles {
		p := fmt.Sprintf("articles[%d]", i)
		a := model.Article{Number: h.number, Title: h.title}
		a.Text = joinParas(paragraphs(r.lines, h.line+h.titleLines, h.end))
		r.set(p+".number", strconv.Itoa(h.number), h.line+1, 1, "titre « ARTICLE n - … »")
		if h.title == "" {
			r.miss(p+".title", h.line+1, "article sans titre")
		} else {
			r.set(p+".title", h.title, h.line+1, 0.95, "titre « ARTICLE n - … »")
		}
		if a.Text != "" {
			r.set(p+".text", excerpt(a.Text), h.line+h.titleLines+1, 0.85, "lignes jusqu'au titre suivant, sans numéros de page ni tampon de la préfecture")
		}
		r.c.Articles = append(r.c.Articles, a)
	}
}

var periodRe = textutil.LazyRegexp(`(?i)(?:à\s+compter\s+du|à\s+partir\s+du|du)\s+` + frenchDatePattern + `\s+(?:jusqu.au|au)\s+` + frenchDatePattern)

// period reads « à compter du … jusqu'au … » in the articles.
func (r *reader) period() {
	for _, h := range r.articles {
		for i := h.line; i < h.end; i++ {
			window := clean(r.lines[i])
			if i+1 < h.end {
				window += " " + clean(r.lines[i+1])
			}
			m := periodRe.FindStringSubmatchIndex(window)
			if m == nil || m[0] >= len(clean(r.lines[i]))+1 {
				continue
			}
			s := window[m[0]:m[1]]
			start, _ := parseDate(s)
			end, _ := parseDate(s[len(frenchDate.FindString(s))+strings.Index(s, frenchDate.FindString(s)):])
			if start == nil || end == nil {
				continue
			}
			r.c.Period.Start, r.c.Period.End = *start, *end
			r.set("period.start", start.String(), i+1, 0.95, "« à compter du … jusqu'au … »")
			r.set("period.end", end.String(), i+1, 0.95, "« à compter du … jusqu'au … »")
			for j := h.line; j < h.end; j++ {
				if f := textutil.Fold(r.lines[j]); strings.Contains(f, "reconduit") || strings.Contains(f, "reconduction") || strings.Contains(f, "renouvel") {
					for _, p := range paragraphs(r.lines, j, h.end) {
						if p.line == j+1 {
							r.c.Period.Renewal = p.text
							r.set("period.renewal", p.text, j+1, 0.7, "phrase sur la reconduction dans l'article de la durée")
						}
					}
					break
				}
			}
			return
		}
	}
	r.miss("period.start", 0, "période « à compter du … jusqu'au … » introuvable dans les articles")
	r.miss("period.end", 0, "période introuvable")
}

// signature reads « Fait à Lieu, le date » and the copies clause.
func (r *reader) signature() {
	if r.fait < 0 {
		r.miss("signature.date", 0, "« Fait à …, le … » introuvable")
		r.miss("signature.place", 0, "« Fait à …, le … » introuvable")
		return
	}
	m := faitRe.FindStringSubmatch(r.lines[r.fait])
	place := clean(m[1])
	line := r.fait + 1
	if c, score := r.findCommune(place, r.ref.Communes()); c != nil && score >= 0.99 {
		r.c.Signature.Place = c.Name
		if c.Name != place {
			r.c.Signature.PlaceAsWritten = place
		}
		r.set("signature.place", c.Name, line, 0.9, "« Fait à … », rapproché de la commune INSEE « "+c.Name+" »")
	} else {
		r.c.Signature.Place = place
		r.set("signature.place", place, line, 0.7, "« Fait à … », tel qu'écrit")
	}
	if d, _ := parseDate(m[2]); d != nil {
		r.c.Signature.Date = d
		r.set("signature.date", d.String(), line, 0.95, "« Fait à …, le … »")
	} else {
		r.miss("signature.date", line, "date de signature non écrite ou illisible (« "+clean(m[2])+" »)")
	}
	for i := r.fait + 1; i < len(r.lines) && i < r.fait+5; i++ {
		if strings.Contains(textutil.Fold(r.lines[i]), "exemplaire") {
			r.c.Signature.Copies = clean(r.lines[i])
			r.set("signature.copies", r.c.Signature.Copies, i+1, 0.8, "ligne sur les exemplaires après « Fait à »")
			break
		}
	}
}

func annexHolds(title string) string {
	f := textutil.Fold(title)
	switch {
	case strings.Contains(f, "diagnostic"):
		return "diagnostic"
	case strings.Contains(f, "equipement"):
		return "equipments"
	case strings.Contains(f, "plan d'action"):
		return "action_plan"
	case strings.Contains(f, "pilotage"), strings.Contains(f, "gouvernance"):
		return "governance"
	case strings.Contains(f, "evaluation"):
		return "evaluation"
	case strings.Contains(f, "deliberation"), strings.Contains(f, "decision"):
		return "authorizations"
	}
	return ""
}

func (r *reader) annex(holds string) *heading {
	for i := range r.annexes {
		if annexHolds(r.annexes[i].title) == holds {
			return &r.annexes[i]
		}
	}
	return nil
}

func (r *reader) annexTexts() {
	if len(r.annexes) == 0 {
		r.miss("annexes", 0, "aucun titre « ANNEXE n – Titre » lu")
	}
	for i, h := range r.annexes {
		p := fmt.Sprintf("annexes[%d]", i)
		a := model.Annex{Number: h.number, Title: h.title, Holds: annexHolds(h.title)}
		r.set(p+".title", h.title, h.line+1, 0.95, "titre « ANNEXE n – … »")
		if a.Holds != "" {
			r.set(p+".holds", a.Holds, h.line+1, 0.8, "mots du titre de l'annexe")
		}
		switch a.Holds {
		case "", "diagnostic", "evaluation", "authorizations":
			a.Text = joinParas(paragraphs(r.lines, h.line+1, h.end))
		}
		r.c.Annexes = append(r.c.Annexes, a)
	}
}
