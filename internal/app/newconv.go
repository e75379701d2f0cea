package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/newconv"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// CanCreateConvention says who may start a new convention: a platform
// administrator, and the administrators and editors of a Caf or an MSA
// through their organization (the adviser of a Caf starts the
// conventions of her territory). It is the one place of that rule, for
// the wizard, the draft from a signed text, the command line and the API.
func CanCreateConvention(a *auth.Actor) bool {
	if a == nil {
		return false
	}
	if a.PlatformAdmin {
		return true
	}
	org := a.Organization
	return org != nil && (org.Kind == model.KindCaf || org.Kind == model.KindMSA) &&
		(a.OrganizationRole == auth.RoleAdmin || a.OrganizationRole == auth.RoleEditor)
}

// Bounds of what is typed for a new convention.
const (
	maxNewConventionLine = 1000
	maxArticleText       = 50000
	maxEPCIMatches       = 10
)

// NewConventionInput is a new convention as typed. Empty optional fields
// take the proposal's value (newconv.Propose).
type NewConventionInput struct {
	// EPCI names the intercommunality: its name, its SIREN, or a
	// commune's name, INSEE code or postal code.
	EPCI string
	Caf  newconv.Org
	// MSA is left out when its name is empty.
	MSA newconv.Org
	// Start and End are AAAA-MM-JJ dates.
	Start, End  string
	Slug, Title string
	// WithoutCaf and WithoutEPCI leave those out of the parties.
	WithoutCaf, WithoutEPCI bool
	// Communes are the INSEE codes of the member communes that sign; nil
	// means all of them, unless WithoutCommunes.
	Communes        []string
	WithoutCommunes bool
	// Articles replace the model's articles when not nil.
	Articles []model.Article
}

// ConventionProposal is what the wizard proposes for an intercommunality.
type ConventionProposal struct {
	Match   newconv.Match
	Members []*territory.Commune
	Input   newconv.Input
	Slug    string
	// SlugTaken says that the proposed slug is already a convention's.
	SlugTaken bool
}

// SearchEPCI finds the intercommunalities a query names (name, SIREN, or
// a commune's name, INSEE code or postal code), for whoever may create a
// convention.
func (s *Service) SearchEPCI(a *auth.Actor, query string) ([]newconv.Match, error) {
	if !CanCreateConvention(a) {
		return nil, fmt.Errorf("créer une convention : %w", model.ErrForbidden)
	}
	return newconv.Search(s.Territory, query, maxEPCIMatches), nil
}

// ProposeConvention proposes a new convention for the intercommunality of
// SIREN siren: its parties, period, slug, title and the model's articles
// filled in; the Caf's name is the actor's organization when it has one.
func (s *Service) ProposeConvention(ctx context.Context, a *auth.Actor, siren string) (*ConventionProposal, error) {
	if !CanCreateConvention(a) {
		return nil, fmt.Errorf("créer une convention : %w", model.ErrForbidden)
	}
	e, ok := s.Territory.EPCI(strings.TrimSpace(siren))
	if !ok {
		return nil, single("epci", fmt.Sprintf("Intercommunalité : aucune intercommunalité de SIREN « %s » dans le référentiel INSEE", siren))
	}
	in := newconv.Propose(s.Territory, e, model.DateOf(s.now().In(textutil.Paris)))
	switch org := a.Organization; {
	case org != nil && org.Kind == model.KindCaf:
		// The Caf of an adviser's directory: the same organization, so
		// that the new convention joins her Caf's portfolio.
		in.Caf = newconv.Org{Name: org.Name, ShortName: org.ShortName, SIREN: org.SIREN}
		if in.Caf.ShortName == "" {
			in.Caf.ShortName = "la Caf"
		}
	case org != nil && org.Kind == model.KindMSA:
		in.MSA = newconv.Org{Name: org.Name, ShortName: org.ShortName, SIREN: org.SIREN}
	case a.Email != "":
		if u, err := s.store.UserByEmail(ctx, a.Email); err == nil {
			in.Caf.Name = u.Organization
		}
	}
	p := &ConventionProposal{Match: newconv.Describe(s.Territory, e), Members: newconv.Members(s.Territory, e), Input: in}
	if len(p.Match.Departements) > 0 && (p.Input.Caf.Name == "" || p.Input.MSA.Name == "") {
		caf, msa, err := s.usualSignatories(ctx, p.Match.Departements[0])
		if err != nil {
			return nil, err
		}
		if p.Input.Caf.Name == "" && caf != nil {
			p.Input.Caf = newconv.Org{Name: caf.Name, ShortName: cmp.Or(caf.ShortName, "la Caf"), SIREN: caf.SIREN}
		}
		if p.Input.MSA.Name == "" && msa != nil {
			p.Input.MSA = newconv.Org{Name: msa.Name, ShortName: msa.ShortName, SIREN: msa.SIREN}
		}
		in = p.Input
	}
	_, p.Input.Articles = newconv.Model(in, len(in.Communes) > 0)
	if _, err := s.store.Convention(ctx, in.Slug); err == nil {
		p.SlugTaken = true
	}
	return p, nil
}

// NewConvention creates a convention in draft (« projet ») for an
// intercommunality, as the import does: checked as a file is, stored
// with its history entry under the actor; a creator who is not a
// platform administrator becomes the convention's administrator. Input
// problems come back together in a *model.ValidationError naming each
// field, and nothing is written.
func (s *Service) NewConvention(ctx context.Context, a *auth.Actor, in NewConventionInput) (*model.Convention, error) {
	if !CanCreateConvention(a) {
		return nil, fmt.Errorf("créer une convention : %w", model.ErrForbidden)
	}
	c, err := s.buildConvention(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := ownParty(a, c, "caf.name"); err != nil {
		return nil, err
	}
	data, err := interchange.Encode(c)
	if err != nil {
		return nil, err
	}
	f, err := interchange.DecodeFile(data, s.Territory)
	if err != nil {
		return nil, fmt.Errorf("la convention créée ne serait pas importable : %w", err)
	}
	entry := audited(a, c.Slug, "new-convention", "convention", "", "Convention créée en projet").WithChange(nil, map[string]string{
		"epci": c.Territory.EPCI, "period": c.Period.Start.String() + " – " + c.Period.End.String(), "parties": fmt.Sprint(len(c.Parties))})
	life := &store.Life{}
	if !a.PlatformAdmin {
		life.Admins = []string{a.UserID}
	}
	out, err := s.store.ImportConvention(ctx, &f.Convention, life, false, entry)
	if errors.Is(err, model.ErrConflict) {
		return nil, single("slug", fmt.Sprintf("Identifiant : « %s » est déjà celui d'une convention ; choisissez-en un autre", c.Slug))
	}
	return out, err
}

// NewConventionDraft makes the convention NewConvention would create,
// without writing anything (ctg new -o FILE.yaml). A service without a
// store (app.New(nil)) does not check the slug against stored ones.
func (s *Service) NewConventionDraft(ctx context.Context, a *auth.Actor, in NewConventionInput) (*model.Convention, error) {
	if !CanCreateConvention(a) {
		return nil, fmt.Errorf("créer une convention : %w", model.ErrForbidden)
	}
	return s.buildConvention(ctx, in)
}

// buildConvention checks the input and makes the convention.
func (s *Service) buildConvention(ctx context.Context, in NewConventionInput) (*model.Convention, error) {
	ve := &model.ValidationError{}
	var e *territory.EPCI
	if strings.TrimSpace(in.EPCI) == "" {
		ve.Add("epci", "Intercommunalité : champ obligatoire ; indiquez son nom, son SIREN, ou le nom, code INSEE ou code postal d'une de ses communes")
	} else if found, err := newconv.Resolve(s.Territory, in.EPCI); err != nil {
		ve.Add("epci", "Intercommunalité : %s", err.Error())
	} else {
		e = found
	}
	today := model.DateOf(s.now().In(textutil.Paris))
	start, end := newconv.DefaultPeriod(today)
	if strings.TrimSpace(in.Start) != "" {
		d, ok := date(ve, "start", "Début de la période", in.Start)
		if ok {
			start = d
		}
	}
	if strings.TrimSpace(in.End) != "" {
		d, ok := date(ve, "end", "Fin de la période", in.End)
		if ok {
			end = d
		}
	} else if strings.TrimSpace(in.Start) != "" {
		end = model.Date{Year: start.Year + 3, Month: 12, Day: 31}
	}
	for _, d := range []struct {
		path, label string
		d           model.Date
	}{{"start", "Début de la période", start}, {"end", "Fin de la période", end}} {
		if d.d.Year < 1900 || d.d.Year > 2100 {
			ve.Add(d.path, "%s : année %d hors de toute période plausible (1900-2100)", d.label, d.d.Year)
		}
	}
	if end.Before(start) {
		ve.Add("end", "Fin de la période : le %s précède le début (%s)", textutil.FrenchDate(end), textutil.FrenchDate(start))
	}
	caf := newconv.Org{Name: strings.TrimSpace(in.Caf.Name), ShortName: strings.TrimSpace(in.Caf.ShortName), SIREN: strings.TrimSpace(in.Caf.SIREN)}
	if caf.Name == "" {
		ve.Add("caf.name", "Nom de la Caf : champ obligatoire (par exemple « Caisse d'allocations familiales des Alpes-de-Haute-Provence »)")
	}
	ve.Line("caf.name", "Nom de la Caf", caf.Name, maxNewConventionLine)
	ve.Line("caf.short_name", "Nom court de la Caf", caf.ShortName, maxNewConventionLine)
	if caf.SIREN != "" && !convention.ValidSIREN(caf.SIREN) {
		ve.Add("caf.siren", "SIREN de la Caf : « %s » n'est pas un SIREN valide (9 chiffres dont le dernier est une clé de Luhn)", caf.SIREN)
	}
	msa := newconv.Org{Name: strings.TrimSpace(in.MSA.Name), ShortName: strings.TrimSpace(in.MSA.ShortName), SIREN: strings.TrimSpace(in.MSA.SIREN)}
	ve.Line("msa.name", "Nom de la MSA", msa.Name, maxNewConventionLine)
	if msa.SIREN != "" && !convention.ValidSIREN(msa.SIREN) {
		ve.Add("msa.siren", "SIREN de la MSA : « %s » n'est pas un SIREN valide (9 chiffres dont le dernier est une clé de Luhn)", msa.SIREN)
	}
	slug, title := strings.TrimSpace(in.Slug), strings.TrimSpace(in.Title)
	if e != nil {
		if slug == "" {
			slug = newconv.Slug(e, start)
		}
		if title == "" {
			title = newconv.Title(e, start, end)
		}
	}
	switch {
	case e == nil && slug == "":
	case !convention.ValidSlug(slug):
		ve.Add("slug", "Identifiant : « %s » n'est pas valide (minuscules sans accents, chiffres et tirets seulement, 80 caractères au plus)", slug)
	case s.store == nil:
	default:
		if _, err := s.store.Convention(ctx, slug); err == nil {
			ve.Add("slug", "Identifiant : « %s » est déjà celui d'une convention ; choisissez-en un autre", slug)
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, err
		}
	}
	ve.Line("title", "Titre", title, maxNewConventionLine)
	var communes []string
	if e != nil && !in.WithoutCommunes {
		members := map[string]bool{}
		for _, m := range newconv.Members(s.Territory, e) {
			members[m.INSEE] = true
			if in.Communes == nil {
				communes = append(communes, m.INSEE)
			}
		}
		for _, code := range in.Communes {
			code = strings.TrimSpace(code)
			if !members[code] {
				ve.Add("communes", "Communes : « %s » n'est pas le code INSEE d'une commune membre de %s", code, e.Name)
				continue
			}
			communes = append(communes, code)
		}
	}
	if e != nil && in.WithoutCaf && in.WithoutEPCI && msa.Name == "" && len(communes) == 0 {
		ve.Add("parties", "Parties : cochez au moins une partie signataire")
	}
	var articles []model.Article
	if in.Articles != nil {
		articles = []model.Article{}
		for i, art := range in.Articles {
			p := fmt.Sprintf("articles[%d]", i)
			label := fmt.Sprintf("Article %d", art.Number)
			art.Title, art.Text = strings.TrimSpace(art.Title), strings.TrimSpace(strings.ReplaceAll(art.Text, "\r\n", "\n"))
			if art.Number <= 0 {
				ve.Add(p+".number", "Article n° %d : numéro positif attendu", art.Number)
			}
			if art.Title == "" {
				ve.Add(p+".title", "%s : titre obligatoire", label)
			}
			ve.Line(p+".title", label+", titre", art.Title, maxNewConventionLine)
			ve.Text(p+".text", label+", texte", art.Text, maxArticleText)
			articles = append(articles, model.Article{Number: art.Number, Title: art.Title, Text: art.Text, Footnotes: art.Footnotes})
		}
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	c := newconv.Build(s.Territory, newconv.Input{EPCI: e, Caf: caf, MSA: msa, Start: start, End: end, Slug: slug, Title: title,
		CafSigns: !in.WithoutCaf, EPCISigns: !in.WithoutEPCI, Communes: communes, Articles: articles})
	if err := convention.Validate(c, s.Territory); err != nil {
		return nil, err
	}
	return c, nil
}

// usualSignatories returns the Caf and the MSA of the directory party to
// the most stored conventions of a département (nil when none is): those
// a new convention there most likely has.
func (s *Service) usualSignatories(ctx context.Context, dep string) (caf, msa *model.DirectoryEntry, err error) {
	list, err := s.store.Conventions(ctx)
	if err != nil {
		return nil, nil, err
	}
	inDep := map[string]bool{}
	for _, c := range list {
		if e, ok := s.Territory.EPCI(c.EPCI); ok {
			deps := newconv.Describe(s.Territory, e).Departements
			inDep[c.Slug] = len(deps) > 0 && deps[0] == dep
		}
	}
	entries, err := s.store.DirectoryEntries(ctx, model.KindCaf, model.KindMSA)
	if err != nil {
		return nil, nil, err
	}
	best := map[model.OrganizationKind]int{}
	for i, e := range entries {
		if e.Kind != model.KindCaf && e.Kind != model.KindMSA {
			continue
		}
		n := 0
		for _, slug := range e.Parties {
			if inDep[slug] {
				n++
			}
		}
		if n > best[e.Kind] {
			best[e.Kind] = n
			if e.Kind == model.KindCaf {
				caf = &entries[i]
			} else {
				msa = &entries[i]
			}
		}
	}
	return caf, msa, nil
}

// ownParty refuses a convention that someone who is not a platform
// administrator would create without their own organization among its
// parties: the adviser of a Caf starts her Caf's conventions, not
// another's. The organization is recognised as the directory does: by
// SIREN, INSEE code, or kind and name.
func ownParty(a *auth.Actor, c *model.Convention, field string) error {
	if a == nil || a.PlatformAdmin || a.Organization == nil {
		return nil
	}
	e := a.Organization
	for _, p := range c.Parties {
		o := orgOf(c, p.Organization)
		if (e.SIREN != "" && o.SIREN == e.SIREN) || (e.INSEE != "" && o.INSEE == e.INSEE) ||
			(o.Kind == e.Kind && textutil.Fold(o.Name) == textutil.Fold(e.Name)) {
			return nil
		}
	}
	return single(field, fmt.Sprintf("Signataires : votre organisation, %s, n'est pas partie à cette convention ; "+
		"seul·e un·e administrateur·rice de la plateforme crée une convention dont elle n'est pas signataire", e.Name))
}
