// Package newconv makes a new convention, in draft, for an intercommunality
// of the INSEE reference data: its parties proposed (the Caf, the MSA, the
// EPCI and its member communes), its period, slug and title, and the
// articles of the bundled model text of the Cnaf national model with the
// territory, parties and dates filled in. What the model leaves to the
// territory stays an explicit « [à compléter : …] » gap, which the checker
// reports; nothing else (diagnostic, fiches, equipments) is made: the
// convention's forms complete it.
package newconv

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

//go:embed model.md
var modelText string

// Org is an organization as typed: the Caf or the MSA.
type Org struct {
	Name      string `json:"name"`
	ShortName string `json:"short_name,omitempty"`
	SIREN     string `json:"siren,omitempty"`
}

// Input is what a new convention is made from. The zero values of the
// optional parts are the proposal's: see Propose.
type Input struct {
	// EPCI is the intercommunality of the territory.
	EPCI *territory.EPCI
	Caf  Org
	// MSA is left out when its name is empty.
	MSA        Org
	Start, End model.Date
	Slug       string
	Title      string
	// CafSigns and EPCISigns make the Caf and the EPCI parties.
	CafSigns, EPCISigns bool
	// Communes are the INSEE codes of the member communes that sign.
	Communes []string
	// Articles replace the model's articles when not nil (as edited).
	Articles []model.Article
}

// Propose returns the input proposed for an EPCI on day today: every party
// signs, the period runs four years from 1 January of next year, and the
// slug and title follow the bundled example's.
func Propose(ref *territory.Data, e *territory.EPCI, today model.Date) Input {
	start, end := DefaultPeriod(today)
	in := Input{EPCI: e, Caf: Org{ShortName: "la Caf"}, Start: start, End: end, CafSigns: true, EPCISigns: true}
	for _, c := range Members(ref, e) {
		in.Communes = append(in.Communes, c.INSEE)
	}
	in.Slug, in.Title = Slug(e, start), Title(e, start, end)
	return in
}

// DefaultPeriod is four years from 1 January of the year after today.
func DefaultPeriod(today model.Date) (start, end model.Date) {
	y := today.Year + 1
	return model.Date{Year: y, Month: 1, Day: 1}, model.Date{Year: y + 3, Month: 12, Day: 31}
}

// Members are the current member communes of an EPCI, by name.
func Members(ref *territory.Data, e *territory.EPCI) []*territory.Commune {
	var out []*territory.Commune
	for _, code := range e.Members {
		if c, ok := ref.Commune(code); ok && c.Type == territory.CommuneCurrent {
			out = append(out, c)
		}
	}
	sortByName(out)
	return out
}

func sortByName(list []*territory.Commune) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && textutil.Fold(list[j].Name) < textutil.Fold(list[j-1].Name); j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// typePrefixes spell out the abbreviations of the INSEE names.
var typePrefixes = []struct{ abbr, full string }{
	{"CC ", "Communauté de communes "},
	{"CA ", "Communauté d’agglomération "},
	{"CU ", "Communauté urbaine "},
}

// FullName is an EPCI's name with its kind spelt out: « CC Pays de X »
// becomes « Communauté de communes Pays de X ».
func FullName(e *territory.EPCI) string {
	for _, p := range typePrefixes {
		if rest, ok := strings.CutPrefix(e.Name, p.abbr); ok {
			return p.full + rest
		}
	}
	return e.Name
}

// bareName is an EPCI's name without its kind.
func bareName(e *territory.EPCI) string {
	for _, p := range typePrefixes {
		if rest, ok := strings.CutPrefix(e.Name, p.abbr); ok {
			return rest
		}
	}
	return e.Name
}

// Title is the title proposed, as the bundled example's.
func Title(e *territory.EPCI, start, end model.Date) string {
	return fmt.Sprintf("Convention territoriale globale (Ctg) %d-%d — %s", start.Year, end.Year, FullName(e))
}

var stopWords = map[string]bool{"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "et": true, "d": true, "l": true, "en": true, "sur": true, "a": true, "au": true, "aux": true}

// words are the folded words of a name, letters and digits only.
func words(s string) []string {
	return strings.FieldsFunc(textutil.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// keyOf makes a key or a slug part of a name: its significant words.
func keyOf(name string, max int) string {
	var parts []string
	n := 0
	for _, w := range words(name) {
		if stopWords[w] {
			continue
		}
		if n+len(w)+1 > max && len(parts) > 0 {
			break
		}
		parts = append(parts, w)
		n += len(w) + 1
	}
	return strings.Join(parts, "-")
}

// Slug is the slug proposed: « ctg-pays-forcalquier-montagne-lure-2027 ».
func Slug(e *territory.EPCI, start model.Date) string {
	return "ctg-" + keyOf(bareName(e), 60) + "-" + strconv.Itoa(start.Year)
}

// CommuneName is how a commune is named as a party: « Commune de Limans »,
// « Commune d’Oraison », « Commune du Castellet ».
func CommuneName(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "Commune du " + name[3:]
	case strings.HasPrefix(name, "Les "):
		return "Commune des " + name[4:]
	case strings.HasPrefix(name, "L'"), strings.HasPrefix(name, "L’"):
		return "Commune de " + name
	}
	if r := []rune(textutil.Fold(name)); len(r) > 0 && strings.ContainsRune("aeiouy", r[0]) {
		return "Commune d’" + name
	}
	return "Commune de " + name
}

// Keys of the organizations of a new convention.
const (
	CafKey = "caf"
	MSAKey = "msa"
)

// EPCIKey is the key of the EPCI's organization.
func EPCIKey(e *territory.EPCI) string { return "epci-" + keyOf(bareName(e), 40) }

// communeKeys gives each member commune a key from its name, its INSEE
// code added when two names give the same key.
func communeKeys(list []*territory.Commune) map[string]string {
	count := map[string]int{}
	for _, c := range list {
		count[keyOf(c.Name, 40)]++
	}
	out := map[string]string{}
	for _, c := range list {
		k := keyOf(c.Name, 40)
		if k == "" || count[k] > 1 || k == CafKey || k == MSAKey {
			k = strings.TrimPrefix(k+"-", "-") + strings.ToLower(c.INSEE)
		}
		out[c.INSEE] = k
	}
	return out
}

// Build makes the draft convention of in: organizations, parties with one
// representative each (name to complete) and their authorization (body,
// no date: each council has to deliberate), territory, period, the
// generic visas, the preamble, the articles and the annexes of the model.
func Build(ref *territory.Data, in Input) *model.Convention {
	e := in.EPCI
	c := &model.Convention{Format: model.FormatVersion, Slug: in.Slug, Title: in.Title, Status: model.StatusDraft,
		Period:    model.Period{Start: in.Start, End: in.End, Renewal: "La présente convention ne peut être reconduite que par expresse reconduction."},
		Signature: model.Signature{Copies: "En autant d’exemplaires originaux que de signataires."},
		Territory: model.Territory{EPCI: e.SIREN},
	}
	caf := model.Organization{Key: CafKey, Kind: model.KindCaf, Name: strings.TrimSpace(in.Caf.Name), ShortName: cafShort(in.Caf), SIREN: strings.TrimSpace(in.Caf.SIREN)}
	c.Organizations = append(c.Organizations, caf)
	if in.CafSigns {
		c.Parties = append(c.Parties, party(CafKey, "Directeur·rice", "conseil d’administration de la Caf", `ci-après dénommée « `+caf.ShortName+` »`, 0))
	}
	if name := strings.TrimSpace(in.MSA.Name); name != "" {
		short := strings.TrimSpace(in.MSA.ShortName)
		if short == "" {
			short = "la Msa"
		}
		c.Organizations = append(c.Organizations, model.Organization{Key: MSAKey, Kind: model.KindMSA, Name: name, ShortName: short, SIREN: strings.TrimSpace(in.MSA.SIREN)})
		c.Parties = append(c.Parties, party(MSAKey, "Directeur·rice général·e", "conseil d’administration de la Msa", "", 0))
	}
	c.Organizations = append(c.Organizations, model.Organization{Key: EPCIKey(e), Kind: model.KindEPCI, Name: FullName(e), SIREN: e.SIREN})
	if in.EPCISigns {
		c.Parties = append(c.Parties, party(EPCIKey(e), "Président·e", "conseil communautaire", "", 6))
	}
	members := Members(ref, e)
	keys := communeKeys(members)
	signs := map[string]bool{}
	for _, code := range in.Communes {
		signs[code] = true
	}
	for _, m := range members {
		if !signs[m.INSEE] {
			continue
		}
		c.Organizations = append(c.Organizations, model.Organization{Key: keys[m.INSEE], Kind: model.KindCommune, Name: CommuneName(m.Name), INSEE: m.INSEE})
		c.Parties = append(c.Parties, party(keys[m.INSEE], "Maire", "conseil municipal", "", 6))
	}
	for _, v := range visas {
		c.LegalBases = append(c.LegalBases, model.LegalBasis{Text: v})
	}
	preamble, articles := Model(in, len(signs) > 0)
	c.Preamble = model.Preamble{Text: preamble}
	c.Articles = articles
	if in.Articles != nil {
		c.Articles = in.Articles
	}
	c.Annexes = annexes(in.Start, in.End)
	return c
}

func cafShort(o Org) string {
	if s := strings.TrimSpace(o.ShortName); s != "" {
		return s
	}
	return "la Caf"
}

// party is a party of the draft: one representative whose name is to
// complete, and the deliberation of its council, undated (annex says
// where the text holds it, 0 for none).
func party(org, title, body, designation string, annex int) model.Party {
	return model.Party{Organization: org, Designation: designation,
		Representatives: []model.Representative{{Title: title}},
		Authorization:   &model.Authorization{Kind: "deliberation", Body: body, Annex: annex}}
}

// visas are the legal bases of the national model that name no party.
var visas = []string{
	"Vu les articles L. 263-1, L. 223-1 et L. 227-1 à 3 du Code de la sécurité sociale ;",
	"Vu le Code de l’action sociale et des familles ;",
	"Vu le Code général des collectivités territoriales ;",
	"Vu l’arrêté du 3 octobre 2001 relatif à l’Action sociale des Caisses d’allocations familiales (Caf) ;",
	"Vu la Convention d'objectifs et de gestion (Cog) arrêtée entre l'Etat et la Caisse nationale des allocations familiales (Cnaf) ;",
}

// annexes are the six annexes of the national model, their structured
// content left to the convention's forms.
func annexes(start, end model.Date) []model.Annex {
	return []model.Annex{
		{Number: 1, Title: "Diagnostic partagé", Holds: "diagnostic"},
		{Number: 2, Title: "Liste des équipements et services soutenus par la collectivité locale", Holds: "equipments"},
		{Number: 3, Title: fmt.Sprintf("Plan d’actions %d-%d", start.Year, end.Year), Holds: "action_plan"},
		{Number: 4, Title: "Modalités de pilotage stratégique et opérationnel et suivi de la Ctg", Holds: "governance"},
		{Number: 5, Title: "Evaluation", Holds: "evaluation"},
		{Number: 6, Title: "Décisions des conseils", Holds: "authorizations"},
	}
}

var (
	articleHeading = textutil.LazyRegexp(`^## Article ([0-9]+) — (.+)$`)
	placeholder    = textutil.LazyRegexp(`\{[A-Za-z_]+\}`)
)

// Model returns the preamble and the articles of the bundled model text,
// filled in for in; communes says whether communes sign.
func Model(in Input, communes bool) (preamble string, articles []model.Article) {
	fill := filler(in, communes)
	text := modelText
	if i := strings.Index(text, "-->"); i >= 0 {
		text = text[i+3:]
	}
	var cur *model.Article
	var body []string
	flush := func() {
		t := strings.TrimSpace(fill.Replace(strings.Join(body, "\n")))
		if cur == nil {
			preamble = t
		} else {
			cur.Text = t
			articles = append(articles, *cur)
		}
		body = nil
	}
	for _, line := range strings.Split(text, "\n") {
		switch {
		case line == "# Préambule":
			body = nil
		case articleHeading.MatchString(line):
			flush()
			m := articleHeading.FindStringSubmatch(line)
			n, _ := strconv.Atoi(m[1])
			cur = &model.Article{Number: n, Title: m[2]}
		default:
			body = append(body, line)
		}
	}
	flush()
	return preamble, articles
}

// Unfilled lists the placeholders of the model text that no value fills:
// a model text must have none.
func Unfilled(s string) []string { return placeholder.FindAllString(s, -1) }

// filler replaces the placeholders of the model text.
func filler(in Input, communes bool) *strings.Replacer {
	caf := strings.TrimSpace(in.Caf.Name)
	if caf == "" {
		caf = "Caisse d’allocations familiales"
	}
	short := cafShort(in.Caf)
	epci := withArticle(FullName(in.EPCI))
	names := []string{short}
	committee := []string{"- de " + short + ","}
	if msa := strings.TrimSpace(in.MSA.Name); msa != "" {
		names = append(names, withArticle(msa))
		committee = append(committee, "- de "+withArticle(msa)+",")
	}
	names = append(names, epci)
	committee = append(committee, "- de "+epci+",")
	if communes {
		names = append(names, "les communes signataires")
		committee = append(committee, "- des communes signataires,")
	}
	signatories := names[0]
	if len(names) > 1 {
		signatories = strings.Join(names[:len(names)-1], ", ") + " et " + names[len(names)-1]
	}
	return strings.NewReplacer(
		"{la_caf_nom}", withArticle(caf), "{la_caf}", short, "{la_epci}", epci, "{La_epci}", upperFirst(epci),
		"{signataires}", signatories, "{Signataires}", upperFirst(signatories), "{comite}", strings.Join(committee, "\n"),
		"{debut}", textutil.FrenchDate(in.Start), "{fin}", textutil.FrenchDate(in.End),
	)
}

// withArticle puts the feminine article before an organization's name
// (« la Communauté de communes … », « l’Eurométropole … »), unless it
// already has one.
func withArticle(name string) string {
	f := textutil.Fold(name)
	switch {
	case strings.HasPrefix(f, "la "), strings.HasPrefix(f, "le "), strings.HasPrefix(f, "les "), strings.HasPrefix(f, "l'"):
		return name
	case f != "" && strings.ContainsRune("aeiouy", []rune(f)[0]):
		return "l’" + name
	}
	return "la " + name
}

func upperFirst(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
