package contract

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Addable reports whether a record of that kind may be added to c or
// removed from it outside an avenant: before signature, a record of a
// follow-up kind, an organization that is not a party. key is the
// organization's key for an organization record, ignored otherwise.
func Addable(c *model.Convention, kind, key string) bool { return Editable(c, kind, "", key) }

// Changed names, in the order of the text, the parts of the signed
// content that differ between a and b ("Article 12 – La fin de la
// convention", "Fiche 5.1 – …", "la période"): what an import or an edit
// would change in a signed text. It is empty when SameSigned(a, b), and
// may be when what differs has no name of its own.
func Changed(a, b *model.Convention) []string {
	sa, sb := Signed(a), Signed(b)
	var out []string
	part := func(name string, x, y any) {
		if !same(x, y) {
			out = append(out, name)
		}
	}
	part("le titre", sa.Title, sb.Title)
	part("la période", sa.Period, sb.Period)
	part("la signature", sa.Signature, sb.Signature)
	part("le territoire", sa.Territory, sb.Territory)
	part("les parties", [2]any{sa.Organizations, sa.Parties}, [2]any{sb.Organizations, sb.Parties})
	part("les visas", sa.LegalBases, sb.LegalBases)
	part("le préambule", sa.Preamble, sb.Preamble)
	for i := 0; i < max(len(sa.Articles), len(sb.Articles)); i++ {
		x, y := at(sa.Articles, i), at(sb.Articles, i)
		if !same(x, y) {
			out = append(out, articleName(x, y))
		}
	}
	for i := 0; i < max(len(sa.Annexes), len(sb.Annexes)); i++ {
		x, y := at(sa.Annexes, i), at(sb.Annexes, i)
		if !same(x, y) {
			n := pick(x, y)
			out = append(out, numbered("Annexe", n.Number, n.Title))
		}
	}
	part("le diagnostic", sa.Diagnostic, sb.Diagnostic)
	out = append(out, changedPlan(sa.Axes, sb.Axes)...)
	part("l'annexe des équipements", sa.Equipments, sb.Equipments)
	part("la gouvernance (comités)", sa.Committees, sb.Committees)
	return out
}

// changedPlan names the axes and fiches that differ, fiches by code.
func changedPlan(a, b []model.Axis) []string {
	var out []string
	fiches := func(axes []model.Axis) map[string]model.Fiche {
		m := map[string]model.Fiche{}
		for _, ax := range axes {
			for _, f := range ax.Fiches {
				m[f.Code] = f
			}
		}
		return m
	}
	fa, fb := fiches(a), fiches(b)
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := at(a, i), at(b, i)
		hx, hy := x, y
		hx.Fiches, hy.Fiches = nil, nil
		if !same(hx, hy) {
			n := pick(x, y)
			out = append(out, numbered("Axe", n.Number, n.Title))
		}
		seen := map[string]bool{}
		for _, list := range [][]model.Fiche{x.Fiches, y.Fiches} {
			for _, f := range list {
				if seen[f.Code] {
					continue
				}
				seen[f.Code] = true
				if g, h := fa[f.Code], fb[f.Code]; !same(g, h) {
					out = append(out, "Fiche "+f.Code+" – "+sentence(f.Title))
				}
			}
		}
	}
	return out
}

func articleName(x, y model.Article) string {
	n := pick(x, y)
	return numbered("Article", n.Number, n.Title)
}

func numbered(what string, n int, title string) string {
	if title == "" {
		return fmt.Sprintf("%s %d", what, n)
	}
	return fmt.Sprintf("%s %d – %s", what, n, sentence(title))
}

// sentence writes a title typed in capitals ("LA FIN DE LA CONVENTION")
// as a sentence ("La fin de la convention"); other titles are kept.
func sentence(s string) string {
	if s != strings.ToUpper(s) {
		return s
	}
	lower := strings.ToLower(s)
	r, n := utf8.DecodeRuneInString(lower)
	return string(unicode.ToUpper(r)) + lower[n:]
}

// at is the i-th item of list, or its zero value past the end.
func at[T any](list []T, i int) T {
	var zero T
	if i < len(list) {
		return list[i]
	}
	return zero
}

// pick is x unless x is the zero value (an item b added).
func pick[T any](x, y T) T {
	if same(x, *new(T)) {
		return y
	}
	return x
}

func same(x, y any) bool {
	bx, err := yaml.Marshal(x)
	if err != nil {
		panic(err) // the model holds only plain data
	}
	by, err := yaml.Marshal(y)
	if err != nil {
		panic(err)
	}
	return bytes.Equal(bx, by)
}

// AmendmentArticle is the number of the article that says the convention
// changes only by an avenant: the first whose text speaks of a
// modification made by avenant, article 11 of the national model
// otherwise.
func AmendmentArticle(c *model.Convention) int {
	for _, a := range c.Articles {
		text := strings.ToLower(a.Text)
		if strings.Contains(text, "modification") && strings.Contains(text, "avenant") {
			return a.Number
		}
	}
	return 11
}
