package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/amend"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// AmendmentDetail is an avenant with what its page shows.
type AmendmentDetail struct {
	model.Amendment
	// Changes lists its modifications: computed from the working copy
	// while in draft, as stored at signature afterwards.
	Changes []amend.Change
	// Parties are the parties of the convention, whose authorizations
	// the avenant needs.
	Parties []model.Party
	// Organizations names the parties' organizations.
	Organizations []model.Organization
}

// CanManageAmendments reports whether the actor may prepare, sign and
// abandon the avenants of a convention: its editors and administrators.
func CanManageAmendments(a *auth.Actor, slug string) bool { return a.CanEdit(slug, nil) }

// ownConvention refuses a working copy where a convention is expected:
// avenants are prepared on the convention itself.
func ownConvention(slug string) error {
	if _, _, ok := model.WorkingCopyOf(slug); ok {
		return fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return nil
}

// Amendments lists a convention's avenants.
func (s *Service) Amendments(ctx context.Context, a *auth.Actor, slug string) ([]model.Amendment, error) {
	if !a.CanRead(slug) || ownConvention(slug) != nil {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if _, err := s.live(ctx, slug); err != nil {
		return nil, err
	}
	return s.store.Amendments(ctx, slug)
}

// Amendment returns avenant n° number of a convention with its modifications.
func (s *Service) Amendment(ctx context.Context, a *auth.Actor, slug string, number int) (*AmendmentDetail, error) {
	if !a.CanRead(slug) || ownConvention(slug) != nil {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	live, err := s.live(ctx, slug)
	if err != nil {
		return nil, err
	}
	x, err := s.store.Amendment(ctx, slug, number)
	if err != nil {
		return nil, err
	}
	d := &AmendmentDetail{Amendment: *x, Parties: live.Parties}
	for _, p := range live.Parties {
		for _, o := range live.Organizations {
			if o.Key == p.Organization {
				d.Organizations = append(d.Organizations, o)
			}
		}
	}
	switch {
	case x.State == model.AmendmentDraft && CanManageAmendments(a, slug):
		// The wording in preparation is its authors'; the others read it
		// once signed.
		wc, err := s.store.Convention(ctx, x.WorkingCopy)
		if err != nil {
			return nil, err
		}
		d.Changes = amend.Changes(live, textOf(wc, live))
	case x.State == model.AmendmentSigned:
		if len(x.Changes) > 0 {
			if err := json.Unmarshal(x.Changes, &d.Changes); err != nil {
				return nil, fmt.Errorf("modifications de l'avenant n° %d illisibles : %w", number, err)
			}
		}
	}
	return d, nil
}

// textOf returns the text a working copy gives its convention: the copy
// with the convention's slug and signature block, and today's follow-up.
func textOf(wc, live *model.Convention) *model.Convention {
	out := *wc
	out.Meta = model.Meta{}
	out.Slug = live.Slug
	out.Signature = live.Signature
	contract.Carry(live, &out)
	return &out
}

// PrepareAmendment starts avenant n° k of a signed convention: the avenant
// in draft and its working copy, a copy of the convention without its
// signature date, which every form, page and API edits freely.
func (s *Service) PrepareAmendment(ctx context.Context, a *auth.Actor, slug, object string) (*model.Amendment, error) {
	if !a.CanRead(slug) || ownConvention(slug) != nil {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if !CanManageAmendments(a, slug) {
		return nil, &RefusedError{Reason: "seuls les éditeurs et les administrateurs de la convention préparent un avenant"}
	}
	object = strings.TrimSpace(object)
	if object == "" {
		return nil, single("object", "indiquez l'objet de l'avenant")
	}
	ve := &model.ValidationError{}
	ve.Bound("object", "objet de l'avenant", object, maxAmendmentText)
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	live, err := s.live(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !contract.Locked(live) {
		return nil, fmt.Errorf("la convention n'est pas signée : modifiez-la directement, un avenant ne modifie qu'une convention signée (art. 11) : %w", model.ErrConflict)
	}
	if t := live.Acts.Termination; t != nil && !model.DateOf(s.now()).Before(t.EffectiveOn) {
		return nil, fmt.Errorf("la convention est résiliée depuis le %s : elle ne se modifie plus par avenant : %w", textutil.FrenchDate(t.EffectiveOn), model.ErrConflict)
	}
	list, err := s.store.Amendments(ctx, slug)
	if err != nil {
		return nil, err
	}
	for _, x := range list {
		switch {
		case x.State == model.AmendmentDraft:
			return nil, fmt.Errorf("l'avenant n° %d est déjà en préparation : signez-le ou abandonnez-le d'abord : %w", x.Number, model.ErrConflict)
		case x.State == model.AmendmentSigned && x.AppliedAt == nil:
			return nil, fmt.Errorf("l'avenant n° %d prend effet le %s : préparez le suivant à partir de cette date : %w",
				x.Number, textutil.FrenchDate(*x.EffectiveOn), model.ErrConflict)
		}
	}
	wc := *live
	wc.Signature.Date = nil
	x := &model.Amendment{Convention: slug, Object: object, CreatedBy: a.PublicName()}
	entry := audited(a, slug, "create", "amendment", "", "Avenant")
	entry.After = map[string]string{"objet": object}
	if err := s.store.CreateAmendment(ctx, x, &wc, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// AuthorizationInput is a party's authorization to sign an avenant, as typed.
type AuthorizationInput struct {
	Organization, Body, DecidedOn, Reference, PrefectureAcknowledgement string
}

// SaveAmendmentAuthorization records or corrects the authorization of a
// party to sign an avenant still in draft or signed.
func (s *Service) SaveAmendmentAuthorization(ctx context.Context, a *auth.Actor, slug string, number int, in AuthorizationInput) (*model.AmendmentAuthorization, error) {
	d, err := s.Amendment(ctx, a, slug, number)
	if err != nil {
		return nil, err
	}
	if !CanManageAmendments(a, slug) {
		return nil, &RefusedError{Reason: "seuls les éditeurs et les administrateurs de la convention enregistrent les autorisations de signer un avenant"}
	}
	if d.State == model.AmendmentAbandoned {
		return nil, fmt.Errorf("l'avenant n° %d est abandonné : %w", number, model.ErrConflict)
	}
	var name string
	for _, o := range d.Organizations {
		if o.Key == in.Organization {
			name = o.Name
		}
	}
	ve := &model.ValidationError{}
	if name == "" {
		ve.Add("organization", "choisissez une partie de la convention")
	}
	if strings.TrimSpace(in.Body) == "" {
		ve.Add("body", "indiquez l'organe qui a autorisé la signature (conseil communautaire, conseil d'administration…)")
	}
	ve.Bound("body", "organe", strings.TrimSpace(in.Body), maxAmendmentText)
	ve.Bound("reference", "référence", strings.TrimSpace(in.Reference), maxAmendmentText)
	ve.Bound("prefecture_acknowledgement", "accusé de réception", strings.TrimSpace(in.PrefectureAcknowledgement), maxAmendmentText)
	x := model.AmendmentAuthorization{Convention: slug, Number: number, Organization: in.Organization, Body: strings.TrimSpace(in.Body),
		Reference: strings.TrimSpace(in.Reference), PrefectureAcknowledgement: strings.TrimSpace(in.PrefectureAcknowledgement)}
	if in.DecidedOn = strings.TrimSpace(in.DecidedOn); in.DecidedOn == "" {
		ve.Add("decided_on", "indiquez la date de la décision")
	} else if day, err := model.ParseDate(in.DecidedOn); err != nil {
		ve.Add("decided_on", "date de la décision invalide : format attendu AAAA-MM-JJ")
	} else if day.After(model.DateOf(s.now())) {
		ve.Add("decided_on", "la date de la décision (%s) est à venir : enregistrez une décision déjà prise", textutil.FrenchDate(day))
	} else {
		x.DecidedOn = &day
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	before := map[string]string{}
	if old := d.Authorization(in.Organization); old != nil {
		x.Meta = old.Meta
		before = authorizationFields(old)
	}
	entry := audited(a, slug, "update", "amendment_authorization", "", fmt.Sprintf("Avenant n° %d – autorisation de %s", number, name)).
		WithChange(before, authorizationFields(&x))
	if err := s.store.SaveAmendmentAuthorization(ctx, &x, entry); err != nil {
		return nil, err
	}
	return &x, nil
}

func authorizationFields(x *model.AmendmentAuthorization) map[string]string {
	out := map[string]string{"organe": x.Body, "référence": x.Reference, "accusé de réception en préfecture": x.PrefectureAcknowledgement}
	if x.DecidedOn != nil {
		out["date"] = x.DecidedOn.String()
	}
	return out
}

// SignatureInput is the signature of an avenant, as typed.
type SignatureInput struct {
	SignedOn, Place, EffectiveOn string
	// Version is the avenant's version the signature was given on.
	Version int
}

// SignAmendment records the signature of a draft avenant: its list of
// modifications is stored, the original text and the new one are kept as
// versions, and the convention reads as amended from the date of effect
// (at once when that date has come).
func (s *Service) SignAmendment(ctx context.Context, a *auth.Actor, slug string, number int, in SignatureInput) (*model.Amendment, error) {
	d, err := s.Amendment(ctx, a, slug, number)
	if err != nil {
		return nil, err
	}
	if !CanManageAmendments(a, slug) {
		return nil, &RefusedError{Reason: "seuls les éditeurs et les administrateurs de la convention enregistrent la signature d'un avenant"}
	}
	if d.State != model.AmendmentDraft {
		return nil, fmt.Errorf("l'avenant n° %d n'est pas en préparation (%s) : %w", number, d.State.Label(), model.ErrConflict)
	}
	if in.Version != 0 && in.Version != d.Version {
		return nil, fmt.Errorf("avenant n° %d : %w", number, model.ErrStale)
	}
	live, err := s.store.Convention(ctx, slug)
	if err != nil {
		return nil, err
	}
	wc, err := s.store.Convention(ctx, d.WorkingCopy)
	if err != nil {
		return nil, err
	}
	text := textOf(wc, live)
	today := model.DateOf(s.now())
	ve := &model.ValidationError{}
	x := d.Amendment
	x.SignaturePlace = strings.TrimSpace(in.Place)
	ve.Bound("place", "lieu de signature", x.SignaturePlace, maxAmendmentText)
	if day, err := model.ParseDate(in.SignedOn); strings.TrimSpace(in.SignedOn) == "" {
		ve.Add("signed_on", "indiquez la date de signature")
	} else if err != nil {
		ve.Add("signed_on", "date de signature invalide : format attendu AAAA-MM-JJ")
	} else if day.After(today) {
		ve.Add("signed_on", "la date de signature (%s) est dans le futur : enregistrez la signature une fois l'avenant signé", textutil.FrenchDate(day))
	} else {
		x.SignedOn = &day
	}
	if strings.TrimSpace(in.EffectiveOn) == "" {
		x.EffectiveOn = x.SignedOn
	} else if day, err := model.ParseDate(in.EffectiveOn); err != nil {
		ve.Add("effective_on", "date d'effet invalide : format attendu AAAA-MM-JJ")
	} else if x.SignedOn != nil && day.Before(*x.SignedOn) {
		ve.Add("effective_on", "la date d'effet (%s) précède la signature (%s) : un avenant ne prend effet qu'une fois signé",
			textutil.FrenchDate(day), textutil.FrenchDate(*x.SignedOn))
	} else {
		x.EffectiveOn = &day
	}
	if len(d.Changes) == 0 {
		ve.Add("changes", "l'avenant ne modifie rien : modifiez d'abord la copie de travail")
	}
	if len(ve.Errors) == 0 {
		previous, err := s.store.Amendments(ctx, slug)
		if err != nil {
			return nil, err
		}
		signatureWithinLife(ve, live, text, previous, *x.SignedOn, *x.EffectiveOn)
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	if x.Changes, err = json.Marshal(d.Changes); err != nil {
		return nil, err
	}
	original, err := interchange.Encode(live)
	if err != nil {
		return nil, err
	}
	amended, err := interchange.Encode(text)
	if err != nil {
		return nil, err
	}
	// The original text is stored with the first signed avenant; the
	// store keeps the one it has.
	versions := []model.ConventionVersion{{Convention: slug, Number: 0, Content: original},
		{Convention: slug, Number: number, EffectiveOn: x.EffectiveOn, Content: amended}}
	var apply *model.Convention
	if !today.Before(*x.EffectiveOn) {
		apply = text
	}
	entry := audited(a, slug, "sign", "amendment", x.ID, fmt.Sprintf("Avenant n° %d", number)).
		WithChange(map[string]string{"état": model.AmendmentDraft.Label()}, signatureFields(&x))
	applyEntry := audited(a, slug, "apply", "convention", "", fmt.Sprintf("Texte modifié par l'avenant n° %d", number))
	if err := s.store.SignAmendment(ctx, &x, versions, apply, entry, applyEntry); err != nil {
		return nil, err
	}
	return &x, nil
}

func signatureFields(x *model.Amendment) map[string]string {
	out := map[string]string{"état": x.State.Label(), "lieu de signature": x.SignaturePlace}
	if x.SignedOn != nil {
		out["date de signature"] = x.SignedOn.String()
	}
	if x.EffectiveOn != nil {
		out["date d'effet"] = x.EffectiveOn.String()
	}
	return out
}

// AbandonAmendment gives up a draft avenant: its working copy is deleted,
// the avenant stays in the list as abandoned.
func (s *Service) AbandonAmendment(ctx context.Context, a *auth.Actor, slug string, number, version int) (*model.Amendment, error) {
	if !a.CanRead(slug) || ownConvention(slug) != nil {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	x, err := s.store.Amendment(ctx, slug, number)
	if err != nil {
		return nil, err
	}
	if !CanManageAmendments(a, slug) {
		return nil, &RefusedError{Reason: "seuls les éditeurs et les administrateurs de la convention abandonnent un avenant"}
	}
	if x.State != model.AmendmentDraft {
		return nil, fmt.Errorf("l'avenant n° %d n'est pas en préparation (%s) : %w", number, x.State.Label(), model.ErrConflict)
	}
	if version != 0 {
		x.Version = version
	}
	entry := audited(a, slug, "abandon", "amendment", x.ID, fmt.Sprintf("Avenant n° %d", number)).
		WithChange(map[string]string{"état": model.AmendmentDraft.Label()}, map[string]string{"état": model.AmendmentAbandoned.Label()})
	if err := s.store.AbandonAmendment(ctx, x, entry); err != nil {
		return nil, err
	}
	return x, nil
}

// live reads the live convention after applying the signed avenants whose
// date of effect has come: the live convention always holds the text in
// force today.
//
// The convention is read whole once per revision (see convCache): a
// request whose convention did not change since it was last read sends
// one query for its revision, and one for the avenants due once a day.
// The caller owns what it receives.
func (s *Service) live(ctx context.Context, slug string) (*model.Convention, error) {
	c, _, err := s.liveRevision(ctx, slug)
	return c, err
}

// liveRevision is live, with the revision of the convention returned.
func (s *Service) liveRevision(ctx context.Context, slug string) (*model.Convention, string, error) {
	revision, err := s.store.ConventionRevision(ctx, slug)
	if err != nil {
		return nil, "", err
	}
	today := model.DateOf(s.now())
	c, checked := s.convs.live(slug, revision, today)
	if c == nil || !checked {
		applied, err := s.applyDue(ctx, slug)
		if err != nil {
			return nil, "", err
		}
		if applied {
			if revision, err = s.store.ConventionRevision(ctx, slug); err != nil {
				return nil, "", err
			}
			c = nil
		}
	}
	if c != nil {
		s.convs.checked(slug, revision, today)
		return c, revision, nil
	}
	if c, err = s.store.Convention(ctx, slug); err != nil {
		return nil, "", err
	}
	s.convs.putLive(revision, today, c)
	return c, revision, nil
}

// applyDue gives the live convention the text of each signed avenant whose
// date of effect has come, with the follow-up recorded meanwhile, and
// reports whether there was any. Two requests may find the same avenant
// due: the store applies it once.
func (s *Service) applyDue(ctx context.Context, slug string) (bool, error) {
	if _, _, ok := model.WorkingCopyOf(slug); ok {
		return false, nil
	}
	due, err := s.store.DueAmendments(ctx, slug, model.DateOf(s.now()))
	if err != nil || len(due) == 0 {
		return false, err
	}
	versions, err := s.store.ConventionVersions(ctx, slug)
	if err != nil {
		return false, err
	}
	for i := range due {
		x := &due[i]
		text, err := s.decodeVersion(versions, x.Number)
		if err != nil {
			return false, err
		}
		live, err := s.store.Convention(ctx, slug)
		if err != nil {
			return false, err
		}
		contract.Carry(live, text)
		entry := audited(nil, slug, "apply", "convention", "", fmt.Sprintf("Texte modifié par l'avenant n° %d, en vigueur depuis le %s",
			x.Number, textutil.FrenchDate(*x.EffectiveOn)))
		if _, err := s.store.ApplyAmendment(ctx, x, text, entry); err != nil {
			return false, err
		}
	}
	return true, nil
}

// decodeVersion reads the stored text of version n.
func (s *Service) decodeVersion(versions []model.ConventionVersion, n int) (*model.Convention, error) {
	for _, v := range versions {
		if v.Number == n {
			c, err := interchange.Decode(v.Content, s.Territory)
			if err != nil {
				return nil, fmt.Errorf("version %d de la convention illisible : %w", n, err)
			}
			return c, nil
		}
	}
	return nil, fmt.Errorf("version %d de la convention : %w", n, model.ErrNotFound)
}

// numberOn is the number of the version in force on day d: that of the
// last signed avenant effective on or before d, 0 for the original text.
func numberOn(list []model.Amendment, d model.Date) int {
	n := 0
	for _, x := range list {
		if x.InForceOn(d) {
			n = x.Number
		}
	}
	return n
}

// Version is one version of a convention's text.
type Version struct {
	// Number is 0 for the original text, k after avenant n° k.
	Number int
	// EffectiveOn is the date from which it is in force (nil for the original).
	EffectiveOn *model.Date
	// Current marks the version in force today.
	Current bool
}

// Label names the version in French.
func (v Version) Label() string {
	if v.Number == 0 {
		return "texte initial"
	}
	return fmt.Sprintf("après l'avenant n° %d", v.Number)
}

// Versions lists the versions of a convention's text: the original and one
// after each signed avenant.
func (s *Service) Versions(ctx context.Context, a *auth.Actor, slug string) ([]Version, error) {
	list, err := s.Amendments(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	return versionsOf(list, model.DateOf(s.now())), nil
}

func versionsOf(list []model.Amendment, today model.Date) []Version {
	current := numberOn(list, today)
	out := []Version{{Number: 0, Current: current == 0}}
	for _, x := range list {
		if x.State == model.AmendmentSigned {
			out = append(out, Version{Number: x.Number, EffectiveOn: x.EffectiveOn, Current: current == x.Number})
		}
	}
	return out
}

// VersionOn says which version of a convention's text is in force on day d.
func (s *Service) VersionOn(ctx context.Context, a *auth.Actor, slug string, d model.Date) (Version, error) {
	list, err := s.Amendments(ctx, a, slug)
	if err != nil {
		return Version{}, err
	}
	for _, v := range versionsOf(list, model.DateOf(s.now())) {
		if v.Number == numberOn(list, d) {
			return v, nil
		}
	}
	return Version{}, nil
}

// ConventionAt returns the convention as it stood on day d: the text of
// the version then in force with today's follow-up, and which version it
// is. Unless that version is the one in force today, the convention is
// read from its stored text, without record ids: it cannot be edited.
func (s *Service) ConventionAt(ctx context.Context, a *auth.Actor, slug string, d model.Date) (*model.Convention, Version, error) {
	if !a.CanRead(slug) {
		return nil, Version{}, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	live, err := s.live(ctx, slug)
	if err != nil {
		return nil, Version{}, err
	}
	convention.ResolveTerritory(live, s.Territory)
	if _, _, ok := model.WorkingCopyOf(slug); ok {
		return live, Version{}, nil
	}
	list, err := s.store.Amendments(ctx, slug)
	if err != nil {
		return nil, Version{}, err
	}
	n := numberOn(list, d)
	v := Version{Number: n}
	for _, x := range list {
		if x.Number == n {
			v.EffectiveOn = x.EffectiveOn
		}
	}
	v.Current = n == numberOn(list, model.DateOf(s.now()))
	if v.Current {
		return live, v, nil
	}
	c, err := s.versionText(ctx, slug, n, live)
	return c, v, err
}

// versionText returns the stored text of version n with live's follow-up.
func (s *Service) versionText(ctx context.Context, slug string, n int, live *model.Convention) (*model.Convention, error) {
	versions, err := s.store.ConventionVersions(ctx, slug)
	if err != nil {
		return nil, err
	}
	c, err := s.decodeVersion(versions, n)
	if err != nil {
		return nil, err
	}
	contract.Carry(live, c)
	convention.ResolveTerritory(c, s.Territory)
	return c, nil
}

// Comparison is what separates two versions of a convention's text.
type Comparison struct {
	From, To Version
	Changes  []amend.Change
}

// CompareVersions lists what turns version from into version to.
func (s *Service) CompareVersions(ctx context.Context, a *auth.Actor, slug string, from, to int) (*Comparison, error) {
	list, err := s.Amendments(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	versions := versionsOf(list, model.DateOf(s.now()))
	out := &Comparison{}
	texts := make([]*model.Convention, 2)
	live, err := s.store.Convention(ctx, slug)
	if err != nil {
		return nil, err
	}
	for i, n := range []int{from, to} {
		found := false
		for _, v := range versions {
			if v.Number == n {
				found = true
				if i == 0 {
					out.From = v
				} else {
					out.To = v
				}
				if v.Current {
					texts[i] = live
				} else if texts[i], err = s.versionText(ctx, slug, n, live); err != nil {
					return nil, err
				}
			}
		}
		if !found {
			return nil, single([]string{"de", "a"}[i], fmt.Sprintf("la convention n'a pas de version %d", n))
		}
	}
	out.Changes = amend.Changes(texts[0], texts[1])
	return out, nil
}

// lifeOf gathers what the checker knows of a stored convention's
// avenants: nil for a working copy, which has none.
func (s *Service) lifeOf(ctx context.Context, c *model.Convention) (*lint.Life, error) {
	if _, _, ok := model.WorkingCopyOf(c.Slug); ok {
		return nil, nil
	}
	list, err := s.store.Amendments(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	life := &lint.Life{}
	for _, x := range list {
		a := lint.Amendment{Amendment: x}
		if x.State == model.AmendmentSigned && len(x.Changes) > 0 {
			if err := json.Unmarshal(x.Changes, &a.Changes); err != nil {
				return nil, fmt.Errorf("modifications de l'avenant n° %d illisibles : %w", x.Number, err)
			}
		}
		life.Amendments = append(life.Amendments, a)
	}
	// The text c should carry is the stored version of the day it shows.
	day := model.DateOf(s.now())
	if d, ok := DateOf(ctx); ok {
		day = d
	}
	versions, err := s.store.ConventionVersions(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	if n := numberOn(list, day); len(versions) > 0 {
		if life.Recorded, err = s.decodeVersion(versions, n); err != nil {
			return nil, err
		}
	}
	return life, nil
}

// maxAmendmentText bounds each text typed about an avenant: its object,
// an organ, a reference, a place.
const maxAmendmentText = 500

// signatureWithinLife checks the dates of an avenant's signature against
// the convention's life: signed after the convention and before its end
// or its termination, taking effect after the avenants before it and
// before the end of the period its new text sets.
func signatureWithinLife(ve *model.ValidationError, live, text *model.Convention, previous []model.Amendment, signed, effect model.Date) {
	date := textutil.FrenchDate
	switch {
	case live.Signature.Date != nil && signed.Before(*live.Signature.Date):
		ve.Add("signed_on", "la date de signature (%s) précède celle de la convention (%s)", date(signed), date(*live.Signature.Date))
	case signed.After(live.Period.End):
		ve.Add("signed_on", "la date de signature (%s) suit la fin de la convention (%s) : un avenant se signe pendant sa période", date(signed), date(live.Period.End))
	case live.Acts.Termination != nil && !signed.Before(live.Acts.Termination.EffectiveOn):
		ve.Add("signed_on", "la convention est résiliée depuis le %s : un avenant signé le %s ne la modifie plus", date(live.Acts.Termination.EffectiveOn), date(signed))
	}
	if effect.After(text.Period.End) {
		ve.Add("effective_on", "la date d'effet (%s) suit la fin de la période (%s)", date(effect), date(text.Period.End))
	}
	for _, p := range previous {
		if p.State == model.AmendmentSigned && p.EffectiveOn != nil && effect.Before(*p.EffectiveOn) {
			ve.Add("effective_on", "la date d'effet (%s) précède celle de l'avenant n° %d (%s) : les avenants prennent effet dans l'ordre", date(effect), p.Number, date(*p.EffectiveOn))
		}
	}
}
