package web

import (
	"net/http"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/ctg-territoires/ctg/internal/textutil"
)

// hit is one search result.
type hit struct {
	Where, URL, Excerpt string
}

type searchData struct {
	Query string
	Hits  []hit
}

// fold lowers a text and strips its accents, so that "equipement"
// finds "Équipement".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// excerpt returns about 160 characters of text around the first match.
// Folding keeps one rune per rune of NFC text, so rune offsets match.
func excerpt(text, folded, q string) string {
	i := strings.Index(folded, q)
	return textutil.ExcerptAt(text, len([]rune(folded[:i])), len([]rune(q)), 70)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	v := s.conventionPage(w, r)
	if v == nil {
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Query: q}
	if fq := fold(q); len([]rune(fq)) >= 2 {
		base := "/c/" + v.Slug
		add := func(where, url, text string) {
			text = norm.NFC.String(text)
			if ft := fold(text); strings.Contains(ft, fq) {
				d.Hits = append(d.Hits, hit{where, url, excerpt(text, ft, fq)})
			}
		}
		add("Préambule", base+"/texte#preambule", v.Preamble.Text)
		for _, lb := range v.LegalBases {
			add("Visas", base+"/texte#visas", lb.Text)
		}
		for _, a := range v.Articles {
			add("Article "+itoa(a.Number)+" – "+a.Title, base+"/texte#article-"+itoa(a.Number), a.Title+"\n"+a.Text+"\n"+strings.Join(a.Footnotes, "\n"))
		}
		for _, a := range v.Annexes {
			add("Annexe "+itoa(a.Number)+" – "+a.Title, base+"/texte#annexe-"+itoa(a.Number), a.Title+"\n"+a.Text)
		}
		for _, f := range v.Diagnostic.Findings {
			add("Diagnostic – "+f.Theme, base+"/diagnostic", f.Text)
		}
		for _, a := range v.Axes {
			add("Axe "+itoa(a.Number), base+"/plan", a.Title+"\n"+a.Promise)
			for _, f := range a.Fiches {
				url := base + "/fiches/" + f.Code
				add("Fiche "+f.Code+" – "+f.Title, url, strings.Join(append([]string{f.Title, f.Context, f.Description}, append(f.Objectives, f.TargetPublic...)...), "\n"))
				for _, st := range f.Steps {
					add("Fiche "+f.Code+" – étape", url, strings.Join(append([]string{st.Schedule.AsWritten, st.Text}, st.Details...), "\n"))
					for _, ind := range st.Indicators {
						add("Fiche "+f.Code+" – indicateur", url, ind.Label)
					}
				}
				for _, ind := range f.Indicators {
					add("Fiche "+f.Code+" – indicateur", url, ind.Label)
				}
			}
		}
		for _, e := range v.Equipments {
			add("Équipement – "+e.Name, base+"/equipements", strings.Join(append([]string{e.Name, e.OperatorName, e.ActivityType, e.ActivityNature, e.City}, e.Address...), "\n"))
		}
		for _, c := range v.Committees {
			add(c.Name, base+"/gouvernance", c.Name+"\n"+strings.Join(c.Purposes, "\n")+"\n"+c.Notes)
		}
		for _, o := range v.Organizations {
			add("Organisation", base, o.Name+"\n"+o.ShortName)
		}
	}
	s.render(w, r, http.StatusOK, "search.html", page{Title: "Recherche", Conv: v, Nav: "search", Data: d})
}
