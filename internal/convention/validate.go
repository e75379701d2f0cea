// Package convention holds the rules a convention must satisfy to be
// stored: references that resolve, identifiers that are well formed, codes
// that are unique. It knows nothing of files, SQL or HTTP.
//
// These rules reject data that cannot be stored meaningfully. Defects of a
// signed text that must nevertheless be kept as written (a blank date, a
// title that differs between two pages) are the checker's business, not
// this package's.
package convention

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

var (
	slugPattern      = textutil.LazyRegexp(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	keyPattern       = textutil.LazyRegexp(`^[a-z0-9]+([-_][a-z0-9]+)*$`)
	ficheCodePattern = textutil.LazyRegexp(`^([0-9]+)\.([0-9]+)$`)
	postalPattern    = textutil.LazyRegexp(`^[0-9]{5}$`)
	yearPattern      = textutil.LazyRegexp(`\b(19|20)[0-9]{2}\b`)
	// Indicator codes.
	indicatorCodePattern = textutil.LazyRegexp(`^[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$`)
	// Accusé de réception: department-SIREN-act date-act number-act nature.
	ackPattern = textutil.LazyRegexp(`^[0-9]{3}-([0-9]{9})-([0-9]{8})-[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*-(DE|AR|AI|CC|BF|AU)$`)
)

// Validate returns every problem that prevents c from being stored, or nil.
func Validate(c *model.Convention, ref *territory.Data) error {
	v := &validator{c: c, ref: ref, errs: &model.ValidationError{}, orgs: map[string]bool{}}
	v.organizations()
	v.header()
	v.parties()
	v.territory()
	v.text()
	codes := v.plan()
	v.catalogue()
	v.diagnostic(codes)
	v.equipments()
	v.committees()
	return v.errs.OrNil()
}

type validator struct {
	c    *model.Convention
	ref  *territory.Data
	errs *model.ValidationError
	orgs map[string]bool
}

func (v *validator) add(path, format string, args ...any) { v.errs.Add(path, format, args...) }

func (v *validator) required(path, value string) {
	if strings.TrimSpace(value) == "" {
		v.add(path, "champ obligatoire vide")
	}
}

// orgRef checks that key names an organization of the file.
func (v *validator) orgRef(path, key string) {
	if key != "" && !v.orgs[key] {
		v.add(path, "organisation « %s » inconnue : elle doit figurer dans organizations", key)
	}
}

func (v *validator) oneOf(path, value string, allowed []string) {
	if !slices.Contains(allowed, value) {
		v.add(path, "valeur « %s » non reconnue ; valeurs possibles : %s", value, strings.Join(allowed, ", "))
	}
}

func (v *validator) header() {
	c := v.c
	if c.Format != model.FormatVersion {
		v.add("format", "format « %s » non reconnu ; attendu : %s", c.Format, model.FormatVersion)
	}
	switch {
	case c.Slug == "":
		v.add("slug", "champ obligatoire vide")
	case !validSlug(c.Slug):
		v.add("slug", "identifiant « %s » invalide : minuscules, chiffres et tirets seulement (80 caractères au plus)", c.Slug)
	}
	v.required("title", c.Title)
	v.oneOf("status", string(c.Status), stringsOf(model.Statuses))
	v.realDate("period.start", &c.Period.Start)
	v.realDate("period.end", &c.Period.End)
	if c.Period.End.Before(c.Period.Start) {
		v.add("period.end", "la fin (%s) précède le début (%s)", c.Period.End, c.Period.Start)
	}
	v.realDate("signature.date", c.Signature.Date)
	for i, a := range c.Transmissions {
		p := fmt.Sprintf("prefecture_acknowledgements[%d]", i)
		m := ackPattern.FindStringSubmatch(a.Identifier)
		if m == nil {
			v.add(p+".identifier", "identifiant d'accusé de réception « %s » mal formé (attendu : 004-240400440-20221213-99-2022-DE)", a.Identifier)
		} else if !ValidSIREN(m[1]) {
			v.add(p+".identifier", "le SIREN %s contenu dans l'identifiant est invalide", m[1])
		}
		v.realDate(p+".received_on", a.ReceivedOn)
		v.orgRef(p+".organization", a.Organization)
	}
}

// validSlug accepts a convention's slug, or the slug of the working copy
// of one of its avenants.
func validSlug(slug string) bool {
	if parent, _, ok := model.WorkingCopyOf(slug); ok {
		slug = parent
	}
	return len(slug) <= 80 && slugPattern.MatchString(slug)
}

// ValidSlug reports whether s may be a convention's own slug (not a
// working copy's).
func ValidSlug(s string) bool { return len(s) <= 80 && slugPattern.MatchString(s) }

// realDate rejects a date whose year is outside any plausible range.
func (v *validator) realDate(path string, d *model.Date) {
	if d == nil {
		return
	}
	if d.IsZero() {
		v.add(path, "date obligatoire absente")
		return
	}
	if d.Year < 1900 || d.Year > 2100 {
		v.add(path, "année %d hors de toute période plausible (1900-2100)", d.Year)
	}
}

func (v *validator) organizations() {
	for i, o := range v.c.Organizations {
		p := fmt.Sprintf("organizations[%d]", i)
		switch {
		case o.Key == "":
			v.add(p+".key", "champ obligatoire vide")
		case !keyPattern.MatchString(o.Key):
			v.add(p+".key", "clé « %s » invalide : minuscules, chiffres, tirets", o.Key)
		case v.orgs[o.Key]:
			v.add(p+".key", "clé « %s » déjà utilisée par une autre organisation", o.Key)
		}
		v.orgs[o.Key] = true
		v.oneOf(p+".kind", string(o.Kind), stringsOf(model.OrganizationKinds))
		if o.SIREN != "" && !ValidSIREN(o.SIREN) {
			v.add(p+".siren", "SIREN « %s » invalide : 9 chiffres dont le dernier est une clé de Luhn", o.SIREN)
		}
		if o.INSEE != "" {
			if _, ok := v.ref.Commune(o.INSEE); !ok {
				v.add(p+".insee", "code commune INSEE « %s » inconnu", o.INSEE)
			}
		}
	}
}

func (v *validator) parties() {
	seen := map[string]bool{}
	for i, p := range v.c.Parties {
		path := fmt.Sprintf("parties[%d]", i)
		v.required(path+".organization", p.Organization)
		v.orgRef(path+".organization", p.Organization)
		if seen[p.Organization] {
			v.add(path+".organization", "l'organisation « %s » est déjà signataire", p.Organization)
		}
		seen[p.Organization] = true
		if len(p.Representatives) == 0 {
			v.add(path+".representatives", "au moins un·e représentant·e est nécessaire")
		}
		if a := p.Authorization; a != nil {
			v.required(path+".authorization.kind", a.Kind)
			v.required(path+".authorization.body", a.Body)
			v.realDate(path+".authorization.date", a.Date)
		}
	}
	if len(v.c.Parties) == 0 {
		v.add("parties", "une convention a au moins une partie signataire")
	}
	for i, lb := range v.c.LegalBases {
		p := fmt.Sprintf("legal_bases[%d]", i)
		v.required(p+".text", lb.Text)
		if lb.Party != "" && !seen[lb.Party] {
			v.add(p+".party", "« %s » n'est pas une partie signataire", lb.Party)
		}
	}
}

func (v *validator) territory() {
	t := v.c.Territory
	if t.EPCI != "" {
		if !ValidSIREN(t.EPCI) {
			v.add("territory.epci", "SIREN « %s » invalide : 9 chiffres dont le dernier est une clé de Luhn", t.EPCI)
		} else if _, ok := v.ref.EPCI(t.EPCI); !ok {
			v.add("territory.epci", "aucun EPCI de SIREN %s dans le référentiel INSEE", t.EPCI)
		}
	}
	for i, code := range t.Communes {
		if _, ok := v.ref.Commune(code); !ok {
			v.add(fmt.Sprintf("territory.communes[%d]", i), "code commune INSEE « %s » inconnu", code)
		}
	}
	if t.EPCI == "" && len(t.Communes) == 0 {
		v.add("territory", "indiquez l'EPCI (epci) ou la liste des communes (communes)")
	}
}

func (v *validator) text() {
	articles := map[int]bool{}
	for i, a := range v.c.Articles {
		p := fmt.Sprintf("articles[%d]", i)
		v.uniqueNumber(p+".number", "l'article", a.Number, articles)
		v.required(p+".title", a.Title)
	}
	annexes := map[int]bool{}
	for i, a := range v.c.Annexes {
		p := fmt.Sprintf("annexes[%d]", i)
		v.uniqueNumber(p+".number", "l'annexe", a.Number, annexes)
		v.required(p+".title", a.Title)
		if a.Holds != "" {
			v.oneOf(p+".holds", a.Holds, model.AnnexHolds)
		}
	}
	for i, c := range v.c.Contacts {
		p := fmt.Sprintf("contacts[%d]", i)
		v.required(p+".label", c.Label)
		v.orgRef(p+".organization", c.Organization)
	}
}

// uniqueNumber checks that a numbered part (article, annex, axis) has a
// positive number not used before.
func (v *validator) uniqueNumber(path, what string, n int, seen map[int]bool) {
	if n <= 0 {
		v.add(path, "numéro positif attendu")
	} else if seen[n] {
		v.add(path, "%s %d figure deux fois", what, n)
	}
	seen[n] = true
}

// plan checks axes, fiches and steps, and returns the fiche codes.
func (v *validator) plan() map[string]bool {
	codes := map[string]bool{}
	axes := map[int]bool{}
	for i, a := range v.c.Axes {
		p := fmt.Sprintf("axes[%d]", i)
		v.uniqueNumber(p+".number", "l'axe", a.Number, axes)
		v.required(p+".title", a.Title)
		v.realDate(p+".fiches_due_by", a.FichesDueBy)
		for j, f := range a.Fiches {
			fp := fmt.Sprintf("%s.fiches[%d]", p, j)
			m := ficheCodePattern.FindStringSubmatch(f.Code)
			switch {
			case m == nil:
				v.add(fp+".code", "code de fiche « %s » invalide (attendu : axe.numéro, par exemple 2.1)", f.Code)
			case codes[f.Code]:
				v.add(fp+".code", "le code de fiche « %s » est déjà utilisé", f.Code)
			case m[1] != strconv.Itoa(a.Number):
				v.add(fp+".code", "la fiche « %s » est rangée sous l'axe %d", f.Code, a.Number)
			}
			codes[f.Code] = true
			v.required(fp+".title", f.Title)
			v.oneOf(fp+".status", string(f.Status), stringsOf(model.ActionStatuses))
			v.indicators(fp+".indicators", f.Indicators)
			for k, o := range f.Pilots {
				v.orgRef(fmt.Sprintf("%s.pilots[%d]", fp, k), o)
			}
			for k, o := range f.Partners {
				v.orgRef(fmt.Sprintf("%s.partners[%d]", fp, k), o)
			}
			for k, s := range f.Steps {
				v.step(fmt.Sprintf("%s.steps[%d]", fp, k), s)
			}
		}
	}
	return codes
}

func (v *validator) indicators(path string, list []model.Indicator) {
	for i, ind := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		v.required(p+".label", ind.Label)
		if ind.Code != "" && !indicatorCodePattern.MatchString(ind.Code) {
			v.add(p+".code", "code d'indicateur « %s » invalide : lettres, chiffres, points et tirets", ind.Code)
		}
		if _, err := model.ParseUnit(string(ind.Unit)); err != nil {
			v.add(p+".unit", "%s", err.Error())
		}
		if _, err := model.ParsePeriodicity(string(ind.Periodicity)); err != nil {
			v.add(p+".periodicity", "%s", err.Error())
		}
		if _, err := model.ParseCombine(string(ind.Combine)); err != nil {
			v.add(p+".combine", "%s", err.Error())
		}
		for k, d := range ind.Dimensions {
			v.oneOf(fmt.Sprintf("%s.dimensions[%d]", p, k), d, model.Dimensions)
		}
		v.orgRef(p+".responsible", ind.Responsible)
		if ind.Tolerance < 0 || ind.Tolerance > 1000 {
			v.add(p+".tolerance", "tolérance de %d %% hors de 0 à 1000 %%", ind.Tolerance)
		}
		periods := map[string]bool{}
		for k, t := range ind.Targets {
			tp := fmt.Sprintf("%s.targets[%d].period", p, k)
			switch {
			case !model.IsPeriod(t.Period):
				v.add(tp, "période « %s » invalide (%s)", t.Period, model.Periodicity("").PeriodExample())
			case periods[t.Period]:
				v.add(tp, "la période %s a déjà une cible", t.Period)
			}
			periods[t.Period] = true
		}
	}
}

// catalogue checks the indicator codes across the convention: one code
// names one indicator (the same label may be listed twice in a fiche), and
// a ratio divides two indicators of the catalogue.
func (v *validator) catalogue() {
	type entry struct{ fiche, label, path, catalogue string }
	byCode := map[string]entry{}
	var ratios []struct {
		path string
		ind  model.Indicator
	}
	for i, a := range v.c.Axes {
		for j, f := range a.Fiches {
			visit := func(path string, list []model.Indicator) {
				for k, ind := range list {
					p := fmt.Sprintf("%s[%d]", path, k)
					if ind.Combine == model.CombineRatio {
						ratios = append(ratios, struct {
							path string
							ind  model.Indicator
						}{p, ind})
					}
					if ind.Code == "" {
						continue
					}
					cat := catalogueKey(ind)
					if prev, ok := byCode[ind.Code]; ok {
						if prev.fiche != f.Code || prev.label != ind.Label {
							v.add(p+".code", "le code « %s » désigne déjà un autre indicateur (%s)", ind.Code, prev.path)
						} else if prev.catalogue != cat {
							v.add(p+".code", "l'indicateur « %s » est décrit autrement en %s : ses mentions doivent avoir la même unité, périodicité, agrégation, ventilation, cible et tolérance", ind.Code, prev.path)
						}
						continue
					}
					byCode[ind.Code] = entry{f.Code, ind.Label, p, cat}
				}
			}
			fp := fmt.Sprintf("axes[%d].fiches[%d]", i, j)
			visit(fp+".indicators", f.Indicators)
			for k, st := range f.Steps {
				visit(fmt.Sprintf("%s.steps[%d].indicators", fp, k), st.Indicators)
			}
		}
	}
	for _, r := range ratios {
		for _, side := range []struct{ name, code string }{{"numerator", r.ind.Numerator}, {"denominator", r.ind.Denominator}} {
			if _, ok := byCode[side.code]; !ok {
				v.add(r.path+"."+side.name, "un ratio divise deux indicateurs du catalogue : code « %s » inconnu", side.code)
			}
		}
	}
}

func (v *validator) step(p string, s model.Step) {
	v.required(p+".text", s.Text)
	v.oneOf(p+".status", string(s.Status), stringsOf(model.ActionStatuses))
	v.indicators(p+".indicators", s.Indicators)
	sc := s.Schedule
	v.realDate(p+".schedule.start", sc.Start)
	v.realDate(p+".schedule.end", sc.End)
	if sc.Start != nil && sc.End != nil && sc.End.Before(*sc.Start) {
		v.add(p+".schedule.end", "la fin (%s) précède le début (%s)", sc.End, sc.Start)
	}
	if sc.Recurrence != model.RecurNone {
		v.oneOf(p+".schedule.recurrence", string(sc.Recurrence), []string{string(model.RecurYearly)})
	}
	// A step written "En 2024" must be normalized within 2024: the years
	// the text gives must match the normalized dates.
	years := yearPattern.FindAllString(sc.AsWritten, -1)
	if len(years) > 0 && sc.Start == nil && sc.End == nil {
		v.add(p+".schedule.start", "le calendrier « %s » mentionne %s mais aucune date normalisée (start) n'est donnée", sc.AsWritten, years[0])
	}
	if len(years) > 0 && sc.Start != nil && strconv.Itoa(sc.Start.Year) != years[0] {
		v.add(p+".schedule.start", "la date %s n'est pas dans l'année %s que donne le calendrier « %s »", sc.Start, years[0], sc.AsWritten)
	}
	if len(years) > 0 && sc.End != nil && strconv.Itoa(sc.End.Year) != years[len(years)-1] {
		v.add(p+".schedule.end", "la date %s n'est pas dans l'année %s que donne le calendrier « %s »", sc.End, years[len(years)-1], sc.AsWritten)
	}
}

func (v *validator) diagnostic(codes map[string]bool) {
	for i, f := range v.c.Diagnostic.Findings {
		p := fmt.Sprintf("diagnostic.findings[%d]", i)
		v.required(p+".theme", f.Theme)
		v.required(p+".text", f.Text)
		v.oneOf(p+".kind", string(f.Kind), []string{string(model.FindingQuantitative), string(model.FindingQualitative)})
		for j, code := range f.Fiches {
			if !codes[code] {
				v.add(fmt.Sprintf("%s.fiches[%d]", p, j), "aucune fiche de code « %s »", code)
			}
		}
	}
}

func (v *validator) equipments() {
	for i, e := range v.c.Equipments {
		p := fmt.Sprintf("equipments[%d]", i)
		v.required(p+".name", e.Name)
		v.required(p+".activity_type", e.ActivityType)
		v.orgRef(p+".operator", e.Operator)
		if e.PostalCode != "" && !postalPattern.MatchString(e.PostalCode) {
			v.add(p+".postal_code", "code postal « %s » invalide : 5 chiffres attendus", e.PostalCode)
		}
		switch _, ok := v.ref.Commune(e.Commune); {
		case e.Commune == "":
			v.add(p+".commune", "code commune INSEE obligatoire")
		case !ok:
			v.add(p+".commune", "code commune INSEE « %s » inconnu", e.Commune)
		}
		if e.Places < 0 {
			v.add(p+".places", "nombre de places négatif (%d)", e.Places)
		}
	}
}

func (v *validator) committees() {
	keys := map[string]bool{}
	for i, c := range v.c.Committees {
		p := fmt.Sprintf("committees[%d]", i)
		switch {
		case !keyPattern.MatchString(c.Key):
			v.add(p+".key", "clé « %s » invalide : minuscules, chiffres, tirets", c.Key)
		case keys[c.Key]:
			v.add(p+".key", "clé « %s » déjà utilisée par un autre comité", c.Key)
		}
		keys[c.Key] = true
		v.oneOf(p+".kind", string(c.Kind), []string{string(model.CommitteeSteering), string(model.CommitteeTechnical)})
		v.required(p+".name", c.Name)
		for j, g := range c.Composition {
			gp := fmt.Sprintf("%s.composition[%d]", p, j)
			v.required(gp+".label", g.Label)
			for k, o := range g.Organizations {
				v.orgRef(fmt.Sprintf("%s.organizations[%d]", gp, k), o)
			}
		}
		for j, o := range c.CoChairs {
			v.orgRef(fmt.Sprintf("%s.co_chairs[%d]", p, j), o)
		}
		v.orgRef(p+".secretariat", c.Secretariat)
	}
}

// catalogueKey sums up the catalogue fields of an indicator, to compare
// the mentions of one indicator.
func catalogueKey(ind model.Indicator) string {
	return fmt.Sprint(ind.Unit, "|", ind.Periodicity, "|", ind.Combine, "|", ind.Numerator, "|", ind.Denominator, "|",
		ind.Dimensions, "|", ind.Responsible, "|", ind.Targets, "|", ind.Tolerance)
}

// ValidSIREN reports whether s is nine digits with a valid Luhn check digit.
func ValidSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	return luhn(s)
}

func luhn(s string) bool {
	sum := 0
	for i := range len(s) {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func stringsOf[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
