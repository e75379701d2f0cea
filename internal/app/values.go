package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/demo"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// IndicatorView is an indicator of the catalogue with its values.
type IndicatorView struct {
	Convention *model.Convention
	Entry      indicators.Entry
	Catalogue  map[string]model.Indicator
	Values     []model.Value
}

// Indicator returns an indicator of a convention the actor may read, with
// its values.
func (s *Service) Indicator(ctx context.Context, a *auth.Actor, slug, code string) (*IndicatorView, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	cat := indicators.Catalogue(c)
	for _, e := range cat {
		if e.Code == code {
			values, err := s.store.Values(ctx, slug, code)
			if err != nil {
				return nil, err
			}
			return &IndicatorView{Convention: c, Entry: e, Catalogue: indicators.ByCode(cat), Values: values}, nil
		}
	}
	return nil, fmt.Errorf("indicateur « %s » : %w", code, model.ErrNotFound)
}

// CanEnter reports whether the actor may enter values of an indicator:
// editors and admins, and contributors of the organization responsible
// for it.
func CanEnter(a *auth.Actor, slug string, ind model.Indicator) bool {
	return a.CanEdit(slug, nil) || (ind.Responsible != "" && a.CanEdit(slug, []string{ind.Responsible}))
}

// CanValidate reports whether the actor may validate or return values:
// the Caf adviser or the coordinator, as admins or editors.
func CanValidate(a *auth.Actor, slug string) bool { return a.CanEdit(slug, nil) }

// ValueInput is a value as entered in a form or a file.
type ValueInput struct {
	// ID and Version designate the value to correct; empty for a new one.
	ID      string
	Version int
	Period  string
	// Breakdown is "dimension=value;…", "" for the total.
	Breakdown string
	Number    string
	Text      string
	Source    string
	Comment   string
}

func valueLabel(v *model.Value) string {
	label := "Indicateur " + v.Indicator + " – " + v.Period
	if v.Breakdown != "" {
		label += " (" + v.Breakdown + ")"
	}
	return label
}

func valueFields(v *model.Value) map[string]string {
	out := map[string]string{"period": v.Period, "state": string(v.State)}
	if v.Breakdown != "" {
		out["breakdown"] = v.Breakdown
	}
	if v.Number != nil {
		out["value"] = indicators.FormatNumber(*v.Number)
	}
	for _, f := range [...]struct{ k, x string }{{"text", v.Text}, {"source", v.Source}, {"comment", v.Comment}, {"return_reason", v.ReturnReason}} {
		if f.x != "" {
			out[f.k] = f.x
		}
	}
	return out
}

// SaveValue enters a new value of an indicator, or corrects one. A
// correction goes back to draft: it must be submitted and validated again.
// A real value takes the place of a synthetic one of the same period and
// breakdown, which is deleted. Errors name the field; nothing is written
// on error.
func (s *Service) SaveValue(ctx context.Context, a *auth.Actor, slug, code string, in ValueInput) (*model.Value, error) {
	iv, err := s.Indicator(ctx, a, slug, code)
	if err != nil {
		return nil, err
	}
	w, err := s.prepareValue(ctx, a, iv, in)
	if err != nil {
		return nil, err
	}
	if err := s.store.WriteValues(ctx, []store.ValueWrite{w}); err != nil {
		return nil, err
	}
	return w.Value, nil
}

// RefusedError refuses an action the actor may not do, saying in French
// why and what to do instead.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason }

// Unwrap makes errors.Is(err, model.ErrForbidden) true.
func (e *RefusedError) Unwrap() error { return model.ErrForbidden }

// prepareValue checks an input against the indicator and the actor's
// rights and returns the value to store with its audit entry, and the
// synthetic value it replaces, if any.
func (s *Service) prepareValue(ctx context.Context, a *auth.Actor, iv *IndicatorView, in ValueInput) (store.ValueWrite, error) {
	if !CanEnter(a, iv.Convention.Slug, iv.Entry.Indicator) {
		return store.ValueWrite{}, s.cannotEnter(ctx, a, iv)
	}
	var old *model.Value
	if in.ID != "" {
		var err error
		if old, err = s.store.Value(ctx, in.ID); err != nil {
			return store.ValueWrite{}, fmt.Errorf("valeur %s : %w", in.ID, model.ErrNotFound)
		}
	}
	return s.prepareValueOf(ctx, a, iv, in, old)
}

// prepareValueOf is prepareValue once the value corrected, old, is read
// (nil for a new value); the caller has checked that the actor may enter
// values of the indicator.
func (s *Service) prepareValueOf(ctx context.Context, a *auth.Actor, iv *IndicatorView, in ValueInput, old *model.Value) (store.ValueWrite, error) {
	slug, code, ind := iv.Convention.Slug, iv.Entry.Code, iv.Entry.Indicator
	v := &model.Value{Convention: slug, Indicator: code, State: model.ValueDraft, Organization: ind.Responsible, EnteredBy: a.PublicName()}
	if m, ok := a.Memberships[slug]; ok && v.Organization == "" {
		v.Organization = m.Organization
	}
	var before map[string]string
	var replaced *model.Value
	if in.ID != "" {
		if old == nil || old.Convention != slug || old.Indicator != code {
			return store.ValueWrite{}, fmt.Errorf("valeur %s : %w", in.ID, model.ErrNotFound)
		}
		if old.Version != in.Version {
			return store.ValueWrite{}, s.valueConflict(ctx, old)
		}
		switch {
		case old.Synthetic:
			// Demonstration data never blocks real data: the real value
			// takes its place.
			replaced = old
		case old.State == model.ValueValidated && !CanValidate(a, slug):
			return store.ValueWrite{}, &RefusedError{Reason: fmt.Sprintf("la valeur %s de l'indicateur %s est déjà validée : seuls les éditeurs et les administrateurs de la convention peuvent la corriger ; demandez à %s de la corriger ou de vous la renvoyer",
				old.Period, code, s.whoManages(ctx, slug))}
		default:
			before = valueFields(old)
			v.Meta, v.Organization = old.Meta, old.Organization
		}
	}
	if err := s.fillValue(iv, v, in); err != nil {
		return store.ValueWrite{}, err
	}
	if in.ID == "" {
		for _, x := range iv.Values {
			if x.Period != v.Period || x.Breakdown != v.Breakdown {
				continue
			}
			if !x.Synthetic {
				return store.ValueWrite{}, fmt.Errorf("une valeur (%s) existe déjà pour l'indicateur %s, période %s : corrigez-la plutôt que d'en saisir une seconde : %w",
					x.State.Label(), code, v.Period, model.ErrConflict)
			}
			replaced = &x
		}
	}
	entry := audited(a, slug, "update", "value", "", valueLabel(v)).WithChange(before, valueFields(v))
	if before == nil {
		entry.Action, entry.Before = "create", nil
	}
	w := store.ValueWrite{Value: v, Entry: entry}
	if replaced != nil {
		w.Replaces = replaced.ID
		w.Removal = audited(a, slug, "delete", "value", replaced.ID, valueLabel(replaced)+" : valeur fictive remplacée par une valeur réelle").
			WithChange(valueFields(replaced), nil)
	}
	return w, nil
}

// cannotEnter says why the actor may not enter values of an indicator,
// and whom to ask.
func (s *Service) cannotEnter(ctx context.Context, a *auth.Actor, iv *IndicatorView) error {
	slug, e := iv.Convention.Slug, iv.Entry
	who := s.whoManages(ctx, slug)
	if m, ok := a.Memberships[slug]; ok && m.Role.ReadsOnly() {
		return &RefusedError{Reason: fmt.Sprintf("votre accès à la convention est en lecture seule : pour saisir des valeurs, demandez un rôle de contributeur à %s", who)}
	}
	if e.Responsible == "" {
		return &RefusedError{Reason: fmt.Sprintf("l'indicateur %s n'est confié à aucune organisation : seuls les éditeurs et les administrateurs de la convention peuvent le saisir ; s'il revient à votre organisation, demandez à %s de vous le confier", e.Code, who)}
	}
	return &RefusedError{Reason: fmt.Sprintf("l'indicateur %s est confié à %s : seuls ses contributeurs, les éditeurs et les administrateurs de la convention peuvent le saisir ; s'il revient à votre organisation, demandez à %s de vous le confier",
		e.Code, iv.Convention.OrgName(e.Responsible), who)}
}

// ConventionAdmins names the administrators and editors of a convention
// the actor may read (by name, never by address), administrators first:
// its coordination, the people to ask for a responsibility or a value.
func (s *Service) ConventionAdmins(ctx context.Context, a *auth.Actor, slug string) ([]string, error) {
	members, err := s.Members(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleEditor} {
		for _, m := range members {
			if m.Role == role && m.Name != "" && !m.InvitationPending {
				out = append(out, m.Name)
			}
		}
	}
	return out, nil
}

// whoManages names who manages a convention, to complete a sentence: its
// administrators by name, or else the platform's.
func (s *Service) whoManages(ctx context.Context, slug string) string {
	names, err := s.ConventionAdmins(ctx, auth.System, slug)
	if err != nil || len(names) == 0 {
		return "un administrateur de la plateforme"
	}
	return strings.Join(names, " ou ") + " (coordination de la convention)"
}

// fillValue checks the input against the indicator and copies it into v.
func (s *Service) fillValue(iv *IndicatorView, v *model.Value, in ValueInput) error {
	ind := iv.Entry.Indicator
	ve := &model.ValidationError{}
	v.Period = strings.TrimSpace(in.Period)
	if err := indicators.CheckPeriod(v.Period, ind.Periodicity, iv.Convention); err != nil {
		ve.Add("period", "%s", err.Error())
	}
	b := model.ParseBreakdown(in.Breakdown)
	for dim, val := range b {
		switch {
		case !slices.Contains(ind.Dimensions, dim):
			ve.Add("breakdown", "l'indicateur n'est pas ventilé par « %s »", dim)
		case dim == "commune":
			if !inTerritory(iv.Convention, val) {
				ve.Add("breakdown", "la commune « %s » n'est pas une commune du territoire de la convention", val)
			}
		}
	}
	v.Breakdown = b.String()
	v.Text, v.Number = "", nil
	if ind.Unit.Qualitative() {
		v.Text = strings.TrimSpace(in.Text)
		if v.Text == "" {
			ve.Add("text", "indicateur qualitatif : décrivez le résultat")
		}
	} else {
		n, err := indicators.ParseNumber(in.Number)
		if err == nil {
			err = indicators.CheckNumber(n, ind.Unit)
		}
		if err != nil {
			ve.Add("value", "%s", err.Error())
		} else {
			v.Number = &n
		}
	}
	v.Source, v.Comment = strings.TrimSpace(in.Source), strings.TrimSpace(in.Comment)
	for _, f := range []struct {
		path, label, text string
		max               int
	}{{"text", "texte", v.Text, maxValueText}, {"source", "source", v.Source, maxValueSource}, {"comment", "commentaire", v.Comment, maxValueText}} {
		if n := utf8.RuneCountInString(f.text); n > f.max {
			ve.Add(f.path, "%s : %d caractères au plus (%d saisis)", f.label, f.max, n)
		}
	}
	v.State, v.ReturnReason, v.ValidatedBy, v.ValidatedAt, v.Synthetic = model.ValueDraft, "", "", nil, false
	return ve.OrNil()
}

// maxValueSource and maxValueText bound the source of a value (a line)
// and its text and comment (paragraphs), as the convention's own fields
// are bounded (edit.Field.MaxLength).
const (
	maxValueSource = 1000
	maxValueText   = 50000
)

// sameValue reports whether an input says what a stored real value
// already says (number, text, source and comment), so that writing it
// would only send the value back to draft. A synthetic value is never the
// same: a real one must replace it.
func (s *Service) sameValue(iv *IndicatorView, old *model.Value, in ValueInput) bool {
	if old.Synthetic {
		return false
	}
	v := &model.Value{}
	if s.fillValue(iv, v, in) != nil {
		return false
	}
	sameNumber := (v.Number == nil) == (old.Number == nil) && (v.Number == nil || *v.Number == *old.Number)
	return sameNumber && v.Period == old.Period && v.Breakdown == old.Breakdown && v.Text == old.Text && v.Source == old.Source && v.Comment == old.Comment
}

func (s *Service) valueConflict(ctx context.Context, v *model.Value) error {
	recent, err := s.store.History(ctx, v.Convention, []string{v.ID}, 5)
	if err != nil {
		return err
	}
	return &ConflictError{Label: valueLabel(v), Current: valueFields(v), Version: v.Version, Recent: recent}
}

// Value actions of the validation workflow.
const (
	ActionSubmit   = "soumettre"
	ActionValidate = "valider"
	ActionReturn   = "renvoyer"
)

// ValueAction moves a value in the workflow: submit (its author's
// organization or an editor), validate or return with a reason (an editor
// or admin: the Caf adviser, the coordinator).
func (s *Service) ValueAction(ctx context.Context, a *auth.Actor, slug, id string, version int, action, reason string) (*model.Value, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	v, err := s.store.Value(ctx, id)
	if err != nil || v.Convention != slug {
		return nil, fmt.Errorf("valeur %s : %w", id, model.ErrNotFound)
	}
	iv, err := s.Indicator(ctx, a, slug, v.Indicator)
	if err != nil {
		return nil, err
	}
	if v.Version != version {
		return nil, s.valueConflict(ctx, v)
	}
	entry, err := s.moveValue(ctx, a, slug, iv.Entry.Indicator, v, action, reason)
	if err != nil {
		return nil, err
	}
	entries := []model.AuditEntry{entry}
	switch action {
	case ActionReturn:
		err = s.returnMails(ctx, a, iv.Convention, iv.Catalogue, []*model.Value{v}, entries, reason)
	case ActionSubmit:
		err = s.submitMails(ctx, a, iv.Convention, iv.Catalogue, []*model.Value{v}, entries)
	}
	if err != nil {
		return nil, err
	}
	if err := s.store.SaveValue(ctx, v, entries[0]); err != nil {
		return nil, err
	}
	s.mailQueued()
	return v, nil
}

// moveValue applies a workflow action to v, in place, and returns its
// history entry; or says why the actor may not, and what to do instead.
func (s *Service) moveValue(ctx context.Context, a *auth.Actor, slug string, ind model.Indicator, v *model.Value, action, reason string) (model.AuditEntry, error) {
	before := valueFields(v)
	validator := CanValidate(a, slug)
	switch {
	case v.Synthetic:
		return model.AuditEntry{}, &RefusedError{Reason: fmt.Sprintf("la valeur %s de l'indicateur %s est fictive (démonstration) : saisissez la valeur réelle, qui la remplacera", v.Period, v.Indicator)}
	case action == ActionSubmit && !CanEnter(a, slug, ind):
		return model.AuditEntry{}, &RefusedError{Reason: fmt.Sprintf("soumettre la valeur %s de l'indicateur %s revient à l'organisation qui en est responsable, ou aux éditeurs et administrateurs de la convention ; adressez-vous à %s", v.Period, v.Indicator, s.whoManages(ctx, slug))}
	case action == ActionSubmit && (v.State == model.ValueDraft || v.State == model.ValueReturned):
		v.State = model.ValueSubmitted
	case (action == ActionValidate || action == ActionReturn) && !validator:
		return model.AuditEntry{}, &RefusedError{Reason: fmt.Sprintf("seuls les éditeurs et les administrateurs de la convention valident ou renvoient les valeurs ; adressez-vous à %s", s.whoManages(ctx, slug))}
	case action == ActionValidate && (v.State == model.ValueDraft || v.State == model.ValueSubmitted):
		now := s.now().UTC()
		v.State, v.ValidatedBy, v.ValidatedAt, v.ReturnReason = model.ValueValidated, a.PublicName(), &now, ""
	case action == ActionReturn && v.State == model.ValueSubmitted:
		if strings.TrimSpace(reason) == "" {
			return model.AuditEntry{}, &model.ValidationError{Errors: []model.FieldError{{Path: "reason", Message: "indiquez pourquoi la valeur est renvoyée"}}}
		}
		if utf8.RuneCountInString(strings.TrimSpace(reason)) > MaxReasonLength {
			return model.AuditEntry{}, &model.ValidationError{Errors: []model.FieldError{{Path: "reason", Message: fmt.Sprintf("motif trop long : %d caractères au plus", MaxReasonLength)}}}
		}
		v.State, v.ReturnReason = model.ValueReturned, strings.TrimSpace(reason)
	case action != ActionSubmit && action != ActionValidate && action != ActionReturn:
		return model.AuditEntry{}, fmt.Errorf("action « %s » : %w", action, model.ErrNotFound)
	default:
		return model.AuditEntry{}, &RefusedError{Reason: fmt.Sprintf("la valeur %s de l'indicateur %s est %s : %s", v.Period, v.Indicator, v.State.Label(), cannotMove[action])}
	}
	return audited(a, slug, "update", "value", "", valueLabel(v)).WithChange(before, valueFields(v)), nil
}

// cannotMove says what to do with a value in a state an action does not apply to.
var cannotMove = map[string]string{
	ActionSubmit:   "seul un brouillon ou une valeur renvoyée se soumet ; pour changer une valeur soumise ou validée, corrigez-la (elle revient en brouillon)",
	ActionValidate: "seule une valeur en brouillon ou soumise se valide ; une valeur renvoyée doit être corrigée et soumise à nouveau",
	ActionReturn:   "seule une valeur soumise se renvoie ; pour changer une valeur validée, corrigez-la",
}

// Values lists a convention's values the actor may read.
func (s *Service) Values(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, []model.Value, error) {
	c, revision, err := s.conventionRevision(ctx, a, slug)
	if err != nil {
		return nil, nil, err
	}
	values, err := s.valuesAt(ctx, slug, revision)
	return c, values, err
}

// valuesAt reads the values of the convention slug, stored at revision
// ("" for a convention of another day): every change of a value moves
// the revision (see store.bumpRevision), so they are kept by it.
func (s *Service) valuesAt(ctx context.Context, slug, revision string) ([]model.Value, error) {
	key := revisionKey{slug, revision}
	if values, ok := s.values.Get(key); ok && revision != "" {
		return slices.Clone(values), nil
	}
	values, err := s.store.Values(ctx, slug, "")
	if err == nil && revision != "" && len(values) <= valuesKeptEach {
		s.values.Put(key, slices.Clone(values))
	}
	return values, err
}

// valuesKept bounds the conventions whose values are kept, and
// valuesKeptEach the values kept of one: a convention with more is read
// at each view.
const (
	valuesKept     = 64
	valuesKeptEach = 5000
)

// LoadDemo replaces a convention's synthetic values by freshly generated
// ones (real values are never touched nor overwritten) and returns how many
// it stored.
func (s *Service) LoadDemo(ctx context.Context, slug string, seed uint64) (int, error) {
	c, err := s.Convention(ctx, auth.System, slug)
	if err != nil {
		return 0, err
	}
	if _, err := s.store.DeleteSyntheticValues(ctx, slug); err != nil {
		return 0, err
	}
	values := demo.Generate(c, seed)
	return s.store.InsertValues(ctx, values, audited(nil, slug, "demo", "values", slug, "Valeurs d'indicateurs fictives (démonstration)").
		WithChange(nil, map[string]string{"values": fmt.Sprint(len(values)), "seed": fmt.Sprint(seed)}))
}

// RemoveDemo deletes a convention's synthetic values.
func (s *Service) RemoveDemo(ctx context.Context, slug string) (int, error) {
	if _, err := s.Convention(ctx, auth.System, slug); err != nil {
		return 0, err
	}
	n, err := s.store.DeleteSyntheticValues(ctx, slug)
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.store.AppendAudit(ctx, audited(nil, slug, "demo-remove", "values", slug, "Valeurs d'indicateurs fictives supprimées").
		WithChange(nil, map[string]string{"values": fmt.Sprint(n)}))
}

// Progress is how far an organization has answered a collection.
type Progress struct {
	// Organization is the key of the responsible organization, "" for the
	// indicators nobody is responsible for yet.
	Organization                                                  string
	Indicators, Expected, Entered, Submitted, Validated, Returned int
}

// CollectionProgress counts, for a year, the values expected from each
// responsible organization of c and where they stand.
func CollectionProgress(c *model.Convention, values []model.Value, year int) []Progress {
	byOrg := map[string]*Progress{}
	var order []string
	codes := map[string]string{}
	for _, e := range indicators.Catalogue(c) {
		p, ok := byOrg[e.Responsible]
		if !ok {
			p = &Progress{Organization: e.Responsible}
			byOrg[e.Responsible] = p
			order = append(order, e.Responsible)
		}
		p.Indicators++
		p.Expected += len(e.Periodicity.Periods(year))
		codes[e.Code] = e.Responsible
	}
	periods := map[string]bool{}
	for _, v := range values {
		org, ok := codes[v.Indicator]
		key := v.Indicator + "|" + v.Period
		if !ok || indicators.Year(v.Period) != fmt.Sprint(year) || v.Synthetic || periods[key] {
			continue
		}
		periods[key] = true
		p := byOrg[org]
		p.Entered++
		switch v.State {
		case model.ValueSubmitted:
			p.Submitted++
		case model.ValueValidated:
			p.Validated++
		case model.ValueReturned:
			p.Returned++
		}
	}
	out := make([]Progress, 0, len(order))
	for _, k := range order {
		out = append(out, *byOrg[k])
	}
	return out
}

// Report computes the annual bilan of a year, or the final one of the
// whole period, from the validated values, as of now. A diffusable bilan
// has its small counts under statistical secrecy.
func (s *Service) Report(ctx context.Context, a *auth.Actor, slug string, year int, final, diffusable bool) (*report.Report, error) {
	now := s.now()
	// The bilan reads the text in force at the end of the year it reports
	// on (of the period, for the final one), or today if that is later.
	today := model.DateOf(now.In(textutil.Paris))
	if _, ok := DateOf(ctx); !ok {
		day := today
		if end, err := model.ParseDate(fmt.Sprintf("%04d-12-31", year)); err == nil && !final && end.Before(today) {
			day = end
		}
		ctx = OnDate(ctx, day)
	}
	c, values, err := s.Values(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	if final && c.Period.End.Before(today) {
		if c, err = s.Convention(OnDate(ctx, c.Period.End), a, slug); err != nil {
			return nil, err
		}
	}
	assessments, err := s.store.Assessments(ctx, slug, 0)
	if err != nil {
		return nil, err
	}
	findings, err := s.Findings(ctx, c, today)
	if err != nil {
		return nil, err
	}
	r, err := report.Build(c, values, findings, year, final, now)
	if err != nil {
		return nil, err
	}
	r.SetAssessments(assessments)
	meetings, err := s.store.Meetings(ctx, slug)
	if err != nil {
		return nil, err
	}
	r.SetMeetings(meetings)
	if diffusable {
		r.MakePublic(s.Secrecy)
	}
	return r, nil
}

// inTerritory reports whether an INSEE code is a commune of the territory.
func inTerritory(c *model.Convention, insee string) bool {
	for _, tc := range c.Territory.Resolved {
		if tc.INSEE == insee {
			return true
		}
	}
	return false
}

// MaxReasonLength bounds the reason a value is returned with: it is copied
// on every value of the selection and in their history.
const MaxReasonLength = 1000
