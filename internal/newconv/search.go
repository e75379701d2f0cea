package newconv

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Match is an intercommunality found by a search, with what it is known by.
type Match struct {
	EPCI *territory.EPCI
	// Departements are the départements of its communes, most populated first.
	Departements []string
	// Communes counts its current member communes, and Population their
	// inhabitants (municipal populations), as the coverage counts them.
	Communes   int
	Population int
	// Via says how it was found when not by its own name or SIREN:
	// « commune de Limans (04104) ».
	Via string
}

var (
	sirenPattern = textutil.LazyRegexp(`^[0-9]{9}$`)
	codePattern  = textutil.LazyRegexp(`^(?:[0-9]{5}|2[ABab][0-9]{3})$`)
)

// Search finds the intercommunalities a query names: by SIREN (9 digits),
// by a commune's INSEE code or postal code (5 characters), by its name
// (every word of the query begins a word of the name, accents and case
// aside), or by the exact name of a member commune (else by the
// beginning of its name: « Digne » for Digne-les-Bains). At most limit
// matches, those found by their own name first, then by name.
func Search(ref *territory.Data, query string, limit int) []Match {
	q := strings.Join(strings.Fields(query), "")
	var out []Match
	seen := map[string]bool{}
	add := func(e *territory.EPCI, via string) {
		if e == nil || seen[e.SIREN] {
			return
		}
		seen[e.SIREN] = true
		out = append(out, matchOf(ref, e, via))
	}
	switch {
	case strings.TrimSpace(query) == "":
		return nil
	case sirenPattern.MatchString(q):
		if e, ok := ref.EPCI(q); ok {
			add(e, "")
		}
		for _, c := range ref.Communes() {
			if c.SIREN == q && c.Type == territory.CommuneCurrent {
				add(epciOf(ref, c), communeVia(c))
			}
		}
		return cut(out, limit)
	case codePattern.MatchString(q):
		code := strings.ToUpper(q)
		if c, ok := ref.Commune(code); ok && c.Type == territory.CommuneCurrent {
			add(epciOf(ref, c), communeVia(c))
		}
		var byPostal []*territory.Commune
		for _, c := range ref.Communes() {
			if c.Type == territory.CommuneCurrent && containsString(c.PostalCodes, code) {
				byPostal = append(byPostal, c)
			}
		}
		sortByName(byPostal)
		for _, c := range byPostal {
			add(epciOf(ref, c), communeVia(c)+", code postal "+code)
		}
		return cut(out, limit)
	}
	qw := words(query)
	var byName []*territory.EPCI
	for _, e := range ref.EPCIs() {
		if beginsWords(words(e.Name), qw) || beginsWords(words(FullName(e)), qw) {
			byName = append(byName, e)
		}
	}
	// The closest names first: fewer extra words, then alphabetical.
	sort.SliceStable(byName, func(i, j int) bool {
		a, b := len(words(byName[i].Name)), len(words(byName[j].Name))
		if a != b {
			return a < b
		}
		return textutil.Fold(byName[i].Name) < textutil.Fold(byName[j].Name)
	})
	folded := strings.Join(qw, " ")
	var communes []*territory.Commune
	for _, c := range ref.Communes() {
		if c.Type == territory.CommuneCurrent && strings.Join(words(c.Name), " ") == folded {
			communes = append(communes, c)
		}
	}
	if len(communes) == 0 {
		// No commune of that exact name: those whose name begins with
		// the query's words (« Digne » for Digne-les-Bains).
		for _, c := range ref.Communes() {
			if c.Type == territory.CommuneCurrent && beginsWords(words(c.Name), qw) {
				communes = append(communes, c)
			}
		}
	}
	sortByName(communes)
	for _, c := range communes {
		add(epciOf(ref, c), communeVia(c))
	}
	for _, e := range byName {
		add(e, "")
	}
	// A commune's own intercommunality comes after those named like the query.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Via == "" && out[j].Via != "" })
	return cut(out, limit)
}

// Resolve finds the one intercommunality a query names, as Search does:
// an error says that none matches, or lists those that do (at most ten)
// for the query to be made precise.
func Resolve(ref *territory.Data, query string) (*territory.EPCI, error) {
	list := Search(ref, query, 11)
	if len(list) == 0 {
		return nil, fmt.Errorf("aucune intercommunalité ne correspond à « %s » (nom, SIREN, nom, code INSEE ou code postal d’une commune)", strings.TrimSpace(query))
	}
	if len(list) == 1 {
		return list[0].EPCI, nil
	}
	// An intercommunality named exactly as the query is the one meant.
	folded := strings.Join(words(query), " ")
	for _, m := range list {
		if m.Via == "" && (strings.Join(words(m.EPCI.Name), " ") == folded || strings.Join(words(FullName(m.EPCI)), " ") == folded) {
			return m.EPCI, nil
		}
	}
	names := make([]string, 0, len(list))
	for i, m := range list {
		if i == 10 {
			names = append(names, "…")
			break
		}
		names = append(names, m.Label())
	}
	return nil, fmt.Errorf("« %s » est ambigu : %s ; précisez le SIREN de l’intercommunalité, ou le code INSEE ou postal de la commune",
		strings.TrimSpace(query), strings.Join(names, " ; "))
}

// Label names a match in a message: « CC Pays Forcalquier et Montagne de
// Lure (SIREN 240400440, par la commune de Limans (04104)) ».
func (m Match) Label() string {
	if m.Via != "" {
		return fmt.Sprintf("%s (SIREN %s, par la %s)", m.EPCI.Name, m.EPCI.SIREN, m.Via)
	}
	return fmt.Sprintf("%s (SIREN %s)", m.EPCI.Name, m.EPCI.SIREN)
}

// Describe is the intercommunality as a search finds it by its own name:
// its départements, most populated first, its communes and population.
func Describe(ref *territory.Data, e *territory.EPCI) Match { return matchOf(ref, e, "") }

func matchOf(ref *territory.Data, e *territory.EPCI, via string) Match {
	m := Match{EPCI: e, Via: via}
	pop := map[string]int{}
	for _, c := range Members(ref, e) {
		m.Communes++
		if _, ok := pop[c.Departement]; !ok {
			m.Departements = append(m.Departements, c.Departement)
		}
		pop[c.Departement] += c.Population
		m.Population += c.Population
	}
	sort.SliceStable(m.Departements, func(i, j int) bool { return pop[m.Departements[i]] > pop[m.Departements[j]] })
	return m
}

func epciOf(ref *territory.Data, c *territory.Commune) *territory.EPCI {
	e, ok := ref.EPCI(c.EPCI)
	if !ok {
		return nil
	}
	return e
}

func communeVia(c *territory.Commune) string {
	return fmt.Sprintf("commune de %s (%s, %s)", c.Name, c.INSEE, c.Departement)
}

// beginsWords reports whether every query word begins a word of name.
func beginsWords(name, query []string) bool {
	if len(query) == 0 {
		return false
	}
	for _, q := range query {
		found := false
		for _, w := range name {
			if strings.HasPrefix(w, q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cut(list []Match, limit int) []Match {
	if limit > 0 && len(list) > limit {
		return list[:limit]
	}
	return list
}
