package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// CanRecordActs reports whether the actor may record a convention's
// renewal or termination: its editors and admins. An avenant's working
// copy has no life of its own: nothing is recorded on it.
func CanRecordActs(a *auth.Actor, slug string) bool {
	_, _, workingCopy := model.WorkingCopyOf(slug)
	return !workingCopy && a.CanEdit(slug, nil)
}

// Acts returns the renewal and termination recorded on a convention the
// actor may read, and the convention it succeeds.
func (s *Service) Acts(ctx context.Context, a *auth.Actor, slug string) (model.LifecycleActs, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return model.LifecycleActs{}, err
	}
	return c.Acts, nil
}

// RenewalInput is an express renewal decision as typed: dates
// AAAA-MM-JJ. Field names are those of the API and of error paths.
type RenewalInput struct {
	DecidedOn string `json:"decided_on"`
	Acts      string `json:"acts"`
	// The successor: its slug, title and period; empty fields take the
	// defaults of lifecycle.DefaultSuccessor.
	Slug  string `json:"successor_slug"`
	Title string `json:"successor_title"`
	Start string `json:"successor_start"`
	End   string `json:"successor_end"`
}

// TerminationInput is a termination as typed.
type TerminationInput struct {
	Mode       string `json:"mode"`
	Sender     string `json:"sender"`
	LetterOn   string `json:"letter_on"`
	ReceivedOn string `json:"received_on"`
	References string `json:"references"`
}

// maxActText bounds each text typed about an act: its deciding acts, its
// references, the successor's title.
const maxActText = 2000

var slugPattern = textutil.LazyRegexp(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// date reads a required date field, recording its problem in ve.
func date(ve *model.ValidationError, path, label, value string) (model.Date, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		ve.Add(path, "%s : champ obligatoire", label)
		return model.Date{}, false
	}
	d, err := model.ParseDate(value)
	if err != nil {
		ve.Add(path, "%s : « %s » n'est pas une date au format AAAA-MM-JJ", label, value)
		return model.Date{}, false
	}
	return d, true
}

func (s *Service) editableConvention(ctx context.Context, a *auth.Actor, slug, what string) (*model.Convention, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if !CanRecordActs(a, slug) {
		return nil, fmt.Errorf("%s : %w", what, model.ErrForbidden)
	}
	return c, nil
}

// recorder names the actor in an act: a name, without the e-mail address.
func recorder(a *auth.Actor) string {
	if a != nil && a.Name != "" {
		return a.Name
	}
	return a.Label()
}

// DecideRenewal records the express renewal of a signed convention (art.
// 10) and creates its successor as a draft (lifecycle.Successor), whose
// members are those of the convention with the same roles; both link each
// other. It refuses, writing nothing, a convention not signed, terminated
// or already renewed, and input with a *model.ValidationError naming the
// field. Both conventions' histories record it.
func (s *Service) DecideRenewal(ctx context.Context, a *auth.Actor, slug string, in RenewalInput) (*model.Renewal, *model.Convention, error) {
	c, err := s.editableConvention(ctx, a, slug, "décider le renouvellement")
	if err != nil {
		return nil, nil, err
	}
	today := model.DateOf(s.now().In(textutil.Paris))
	ve := &model.ValidationError{}
	switch {
	case c.Signature.Date == nil:
		ve.Add("", "la convention n'est pas signée : seule une convention signée peut être reconduite (article 10)")
	case c.Acts.Termination != nil:
		ve.Add("", "une résiliation est enregistrée (%s, effet le %s) : la convention ne peut plus être reconduite", c.Acts.Termination.Mode.Label(),
			textutil.FrenchDate(c.Acts.Termination.EffectiveOn))
	case c.Acts.Renewal != nil:
		ve.Add("", "le renouvellement est déjà décidé (le %s, convention suivante « %s »)", textutil.FrenchDate(c.Acts.Renewal.DecidedOn),
			c.Acts.Renewal.Successor)
	}
	if err := ve.OrNil(); err != nil {
		return nil, nil, err
	}
	defSlug, defTitle, period := lifecycle.DefaultSuccessor(c)
	decided, ok := date(ve, "decided_on", "date de la décision", in.DecidedOn)
	if ok && decided.After(today) {
		ve.Add("decided_on", "date de la décision : le %s est à venir ; enregistrez une décision déjà prise", textutil.FrenchDate(decided))
	} else if ok && decided.Before(*c.Signature.Date) {
		ve.Add("decided_on", "date de la décision : le %s précède la signature de la convention (%s)", textutil.FrenchDate(decided),
			textutil.FrenchDate(*c.Signature.Date))
	}
	acts := strings.TrimSpace(in.Acts)
	if acts == "" {
		ve.Add("acts", "actes de la décision : indiquez les délibérations ou décisions qui reconduisent la convention")
	}
	succ := strings.TrimSpace(in.Slug)
	if succ == "" {
		succ = defSlug
	}
	switch {
	case len(succ) > 80 || !slugPattern.MatchString(succ):
		ve.Add("successor_slug", "identifiant de la convention suivante : « %s » n'est pas valide (minuscules, chiffres et tirets seulement, 80 caractères au plus)", succ)
	case succ == c.Slug:
		ve.Add("successor_slug", "identifiant de la convention suivante : il doit différer de celui de cette convention (« %s »)", c.Slug)
	default:
		if _, err := s.store.Convention(ctx, succ); err == nil {
			ve.Add("successor_slug", "identifiant de la convention suivante : « %s » est déjà pris", succ)
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, nil, err
		}
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = defTitle
	}
	ve.Bound("acts", "actes de la décision", acts, maxActText)
	ve.Bound("successor_title", "titre de la convention suivante", title, maxActText)
	if strings.TrimSpace(in.Start) != "" {
		if d, ok := date(ve, "successor_start", "début de la période suivante", in.Start); ok {
			period.Start = d
			if !d.After(c.Period.End) {
				ve.Add("successor_start", "début de la période suivante : le %s ne suit pas la fin de cette convention (%s)",
					textutil.FrenchDate(d), textutil.FrenchDate(c.Period.End))
			}
		}
	}
	if strings.TrimSpace(in.End) != "" {
		if d, ok := date(ve, "successor_end", "fin de la période suivante", in.End); ok {
			period.End = d
		}
	}
	if period.End.Before(period.Start) {
		ve.Add("successor_end", "fin de la période suivante : le %s précède son début (%s)", textutil.FrenchDate(period.End), textutil.FrenchDate(period.Start))
	}
	if err := ve.OrNil(); err != nil {
		return nil, nil, err
	}
	next := lifecycle.Successor(c, succ, title, period)
	if err := convention.Validate(next, s.Territory); err != nil {
		return nil, nil, fmt.Errorf("la convention suivante ne serait pas valide : %w", err)
	}
	r := &model.Renewal{DecidedOn: decided, Acts: acts, Successor: succ, RecordedBy: recorder(a)}
	entry := audited(a, slug, "renew", "renewal", "", "Décision de renouvellement").WithChange(nil, map[string]string{
		"decided_on": decided.String(), "acts": acts, "successor": succ})
	created := audited(a, succ, "renewed-from", "convention", "", "Convention créée par le renouvellement de « "+slug+" »").
		WithChange(nil, map[string]string{"predecessor": slug, "period": period.Start.String() + " – " + period.End.String()})
	out, err := s.store.SaveRenewal(ctx, slug, r, next, entry, created)
	if errors.Is(err, model.ErrConflict) {
		// Decided or terminated meanwhile, or the slug taken: say which.
		if fresh, ferr := s.store.LifecycleActs(ctx, slug); ferr == nil && (fresh.Renewal != nil || fresh.Termination != nil) {
			return nil, nil, &model.ValidationError{Errors: []model.FieldError{{Message: "un renouvellement ou une résiliation vient d'être enregistré par quelqu'un d'autre ; rechargez la page"}}}
		}
		return nil, nil, &model.ValidationError{Errors: []model.FieldError{{Path: "successor_slug",
			Message: fmt.Sprintf("identifiant de la convention suivante : « %s » est déjà pris", succ)}}}
	}
	if err != nil {
		return nil, nil, err
	}
	return r, out, nil
}

// RecordTermination records a termination of a signed convention under
// art. 12 and computes its effective date (lifecycle.EffectiveDate). It
// refuses, writing nothing, a convention not signed or already
// terminated, a mode the article does not open to the sending party, a
// receipt before the letter, with a *model.ValidationError naming the
// field. The history records it.
func (s *Service) RecordTermination(ctx context.Context, a *auth.Actor, slug string, in TerminationInput) (*model.Termination, error) {
	c, err := s.editableConvention(ctx, a, slug, "enregistrer une résiliation")
	if err != nil {
		return nil, err
	}
	today := model.DateOf(s.now().In(textutil.Paris))
	ve := &model.ValidationError{}
	switch {
	case c.Signature.Date == nil:
		ve.Add("", "la convention n'est pas signée : il n'y a rien à résilier (article 12)")
	case c.Acts.Termination != nil:
		ve.Add("", "une résiliation est déjà enregistrée (%s, effet le %s)", c.Acts.Termination.Mode.Label(), textutil.FrenchDate(c.Acts.Termination.EffectiveOn))
	case c.Acts.Renewal != nil:
		ve.Add("", "le renouvellement est décidé (le %s, convention suivante « %s ») : la convention suivante prend le relais, celle-ci ne se résilie plus",
			textutil.FrenchDate(c.Acts.Renewal.DecidedOn), c.Acts.Renewal.Successor)
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	mode := model.TerminationMode(strings.TrimSpace(in.Mode))
	if !slices.Contains(model.TerminationModes, mode) {
		ve.Add("mode", "mode de résiliation : choisissez l'un des modes de l'article 12")
	}
	var sender *model.Organization
	key := strings.TrimSpace(in.Sender)
	for _, p := range c.Parties {
		if p.Organization == key {
			o := orgOf(c, key)
			sender = &o
		}
	}
	switch {
	case key == "":
		ve.Add("sender", "partie qui envoie la lettre : champ obligatoire")
	case sender == nil:
		ve.Add("sender", "partie qui envoie la lettre : « %s » n'est pas une partie de la convention", key)
	case slices.Contains(model.TerminationModes, mode):
		if why := lifecycle.SenderRefusal(mode, *sender); why != "" {
			ve.Add("sender", "partie qui envoie la lettre : %s", why)
		}
	}
	letter, okL := date(ve, "letter_on", "date de la lettre", in.LetterOn)
	received, okR := date(ve, "received_on", "date de réception", in.ReceivedOn)
	if okL {
		switch {
		case letter.After(today):
			ve.Add("letter_on", "date de la lettre : le %s est à venir ; enregistrez une lettre déjà envoyée", textutil.FrenchDate(letter))
		case letter.Before(*c.Signature.Date):
			ve.Add("letter_on", "date de la lettre : le %s précède la signature de la convention (%s)", textutil.FrenchDate(letter), textutil.FrenchDate(*c.Signature.Date))
		case letter.After(c.Period.End):
			ve.Add("letter_on", "date de la lettre : la convention a pris fin le %s, avant la lettre du %s", textutil.FrenchDate(c.Period.End), textutil.FrenchDate(letter))
		}
	}
	if okR {
		switch {
		case okL && received.Before(letter):
			ve.Add("received_on", "date de réception : le %s précède la lettre du %s", textutil.FrenchDate(received), textutil.FrenchDate(letter))
		case received.After(today):
			ve.Add("received_on", "date de réception : le %s est à venir ; enregistrez la réception une fois l'avis de réception revenu", textutil.FrenchDate(received))
		}
	}
	ve.Bound("references", "références", strings.TrimSpace(in.References), maxActText)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	t := &model.Termination{Mode: mode, Sender: key, LetterOn: letter, ReceivedOn: received, EffectiveOn: lifecycle.EffectiveDate(mode, received),
		References: strings.TrimSpace(in.References), RecordedBy: recorder(a)}
	entry := audited(a, slug, "terminate", "termination", "", "Résiliation – "+mode.Label()).WithChange(nil, map[string]string{
		"mode": string(mode), "sender": key, "letter_on": letter.String(), "received_on": received.String(),
		"effective_on": t.EffectiveOn.String(), "references": t.References})
	if err := s.store.SaveTermination(ctx, slug, t, entry); err != nil {
		if errors.Is(err, model.ErrConflict) {
			return nil, &model.ValidationError{Errors: []model.FieldError{{Message: "une résiliation vient d'être enregistrée par quelqu'un d'autre ; rechargez la page"}}}
		}
		return nil, err
	}
	return t, nil
}

// orgOf returns the organization of c with that key.
func orgOf(c *model.Convention, key string) model.Organization {
	for _, o := range c.Organizations {
		if o.Key == key {
			return o
		}
	}
	return model.Organization{Key: key, Name: key}
}
