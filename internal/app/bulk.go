package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

// ValueRef designates a value at the version its reader saw.
type ValueRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// BulkValueAction moves a selection of values in the workflow at once:
// submit, validate, or return with one reason for the whole selection.
// Each value is checked as by ValueAction and keeps its own history entry;
// a value that may not move, or changed since it was read, refuses the
// whole selection with one message per value, and nothing is written.
func (s *Service) BulkValueAction(ctx context.Context, a *auth.Actor, slug, action string, refs []ValueRef, reason string) (int, error) {
	c, values, err := s.Values(ctx, a, slug)
	if err != nil {
		return 0, err
	}
	if action != ActionSubmit && action != ActionValidate && action != ActionReturn {
		return 0, fmt.Errorf("action « %s » : %w", action, model.ErrNotFound)
	}
	if action != ActionSubmit && !CanValidate(a, slug) {
		return 0, &RefusedError{Reason: fmt.Sprintf("seuls les éditeurs et les administrateurs de la convention valident ou renvoient les valeurs ; adressez-vous à %s", s.whoManages(ctx, slug))}
	}
	if len(refs) == 0 {
		return 0, single("valeurs", "cochez au moins une valeur")
	}
	if action == ActionReturn && strings.TrimSpace(reason) == "" {
		return 0, single("reason", "indiquez pourquoi les valeurs sont renvoyées")
	}
	byID := map[string]model.Value{}
	for _, v := range values {
		byID[v.ID] = v
	}
	byCode := indicators.ByCode(indicators.Catalogue(c))
	ve := &model.ValidationError{}
	var moved []*model.Value
	var entries []model.AuditEntry
	seen := map[string]bool{}
	for _, ref := range refs {
		v, ok := byID[ref.ID]
		if !ok || seen[ref.ID] {
			if !ok {
				ve.Add(ref.ID, "valeur introuvable : elle a peut-être été supprimée ; rechargez la page")
			}
			continue
		}
		seen[ref.ID] = true
		label := valueLabel(&v)
		if v.Version != ref.Version {
			ve.Add(label, "modifiée entre-temps : rechargez la page pour voir sa version courante, puis recommencez")
			continue
		}
		entry, err := s.moveValue(ctx, a, slug, byCode[v.Indicator], &v, action, reason)
		var refused *RefusedError
		switch {
		case errors.As(err, &refused):
			ve.Add(label, "%s", refused.Reason)
		case err != nil:
			return 0, err
		default:
			moved, entries = append(moved, &v), append(entries, entry)
		}
	}
	if err := ve.OrNil(); err != nil {
		return 0, err
	}
	switch action {
	case ActionReturn:
		err = s.returnMails(ctx, a, c, byCode, moved, entries, reason)
	case ActionSubmit:
		err = s.submitMails(ctx, a, c, byCode, moved, entries)
	}
	if err != nil {
		return 0, err
	}
	if err := s.store.SaveValues(ctx, moved, entries); err != nil {
		return 0, err
	}
	s.mailQueued()
	return len(moved), nil
}

// SubmitDrafts submits, in one action, every draft of a year for the
// indicators an organization is responsible for (every organization's,
// for an editor or admin who names none). A contributor submits their own
// organization's drafts, whatever organization they name. Each value keeps
// its own history entry. It returns how many were submitted: 0 when there
// was no draft.
func (s *Service) SubmitDrafts(ctx context.Context, a *auth.Actor, slug, org string, year int) (int, error) {
	c, values, err := s.Values(ctx, a, slug)
	if err != nil {
		return 0, err
	}
	if !CanValidate(a, slug) {
		m := a.Memberships[slug]
		if m.Organization == "" || m.Role.ReadsOnly() {
			return 0, &RefusedError{Reason: fmt.Sprintf("seuls les membres d'une organisation responsable d'indicateurs, les éditeurs et les administrateurs soumettent des valeurs : demandez à %s", s.whoManages(ctx, slug))}
		}
		org = m.Organization
	}
	if org != "" && !hasOrganization(c, org) {
		return 0, single("organisation", fmt.Sprintf("la convention ne compte pas d'organisation « %s »", org))
	}
	entries := map[string]indicators.Entry{}
	for _, e := range indicators.Catalogue(c) {
		entries[e.Code] = e
	}
	var moved []*model.Value
	var audit []model.AuditEntry
	for _, v := range values {
		e, ok := entries[v.Indicator]
		if !ok || v.Synthetic || v.State != model.ValueDraft || indicators.Year(v.Period) != fmt.Sprint(year) || (org != "" && e.Responsible != org) {
			continue
		}
		entry, err := s.moveValue(ctx, a, slug, e.Indicator, &v, ActionSubmit, "")
		var refused *RefusedError
		if errors.As(err, &refused) {
			continue
		}
		if err != nil {
			return 0, err
		}
		moved, audit = append(moved, &v), append(audit, entry)
	}
	if len(moved) == 0 {
		return 0, nil
	}
	if err := s.submitMails(ctx, a, c, indicators.ByCode(indicators.Catalogue(c)), moved, audit); err != nil {
		return 0, err
	}
	if err := s.store.SaveValues(ctx, moved, audit); err != nil {
		return 0, err
	}
	s.mailQueued()
	return len(moved), nil
}

// AssignResponsible makes an organization responsible for indicators of a
// convention (codes), or gives them back to their fiche's pilot when org
// is empty. Each indicator changed keeps its own history entry; an
// indicator already assigned so is left as it is. Every code and the
// organization are checked before anything changes; the indicators are
// then changed one by one, and a failure (an indicator changed meanwhile)
// stops there, the ones before staying changed. It returns how many
// changed.
func (s *Service) AssignResponsible(ctx context.Context, a *auth.Actor, slug, org string, codes []string) (int, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return 0, err
	}
	if !a.CanEdit(slug, nil) {
		return 0, &RefusedError{Reason: fmt.Sprintf("seuls les éditeurs et les administrateurs de la convention confient les indicateurs aux organisations : demandez à %s", s.whoManages(ctx, slug))}
	}
	ve := &model.ValidationError{}
	if org != "" && !hasOrganization(c, org) {
		ve.Add("organisation", "la convention ne compte pas d'organisation « %s »", org)
	}
	if len(codes) == 0 {
		ve.Add("indicateurs", "cochez au moins un indicateur")
	}
	first := map[string]*model.Indicator{}
	for _, ax := range c.Axes {
		for _, f := range ax.Fiches {
			visit := func(list []model.Indicator) {
				for k := range list {
					if code := list[k].Code; code != "" && first[code] == nil {
						first[code] = &list[k]
					}
				}
			}
			visit(f.Indicators)
			for _, st := range f.Steps {
				visit(st.Indicators)
			}
		}
	}
	for _, code := range codes {
		if first[code] == nil {
			ve.Add("indicateurs", "indicateur « %s » inconnu", code)
		}
	}
	if err := ve.OrNil(); err != nil {
		return 0, err
	}
	changed := 0
	for _, code := range codes {
		ind := first[code]
		if ind.Responsible == org {
			continue
		}
		// Edit reloads the record and checks it; the copies of the
		// indicator listed under other steps change with it.
		_, ch, err := s.Edit(ctx, a, slug, "indicator", ind.ID, ind.Version, map[string]string{"responsible": org})
		if err != nil {
			return changed, err
		}
		if !ch.Empty() {
			changed++
		}
	}
	return changed, nil
}
