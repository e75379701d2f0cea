package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// Record is one editable record with what the editing page needs.
type Record struct {
	Convention *model.Convention
	Kind       *edit.Kind
	Target     edit.Target
	Values     map[string]string
	Version    int
	CanEdit    bool
}

// Record finds a record of a convention for display or editing.
func (s *Service) Record(ctx context.Context, a *auth.Actor, slug, kind, id string) (*Record, error) {
	k, ok := edit.Lookup(kind)
	if !ok {
		return nil, fmt.Errorf("type d'élément « %s » : %w", kind, model.ErrNotFound)
	}
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	t, ok := k.Find(c, id)
	if !ok {
		return nil, fmt.Errorf("%s %s : %w", k.Label, id, model.ErrNotFound)
	}
	return &Record{Convention: c, Kind: k, Target: t, Values: k.Snapshot(t), Version: t.Meta.Version, CanEdit: a.CanEdit(slug, t.Owners)}, nil
}

// ConflictError refuses an edit made on a stale version; it carries the
// record as it is now and its recent history, to show what changed.
type ConflictError struct {
	Label   string
	Current map[string]string
	Version int
	Recent  []store.AuditEntry
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s : %v", e.Label, model.ErrStale)
}

// Unwrap makes errors.Is(err, model.ErrStale) true.
func (e *ConflictError) Unwrap() error { return model.ErrStale }

// Edit changes fields of one record (form text by field name), made on
// the given version. It refuses with a *ConflictError when the record
// changed since, with a *model.ValidationError whose paths are field names
// when the values are wrong, and with model.ErrForbidden when the actor may
// not change the record. Nothing is written in any of these cases.
func (s *Service) Edit(ctx context.Context, a *auth.Actor, slug, kind, id string, version int, values map[string]string) (*Record, edit.Change, error) {
	r, err := s.Record(ctx, a, slug, kind, id)
	if err != nil {
		return nil, edit.Change{}, err
	}
	if !r.CanEdit {
		return nil, edit.Change{}, fmt.Errorf("modifier %s : %w", r.Target.Label, model.ErrForbidden)
	}
	if version != r.Version {
		return nil, edit.Change{}, s.conflict(ctx, r)
	}
	ch, verr := r.Kind.Apply(r.Target, values)
	if verr == nil {
		verr = s.validateEdit(r)
	}
	if verr != nil {
		return nil, edit.Change{}, verr
	}
	if ch.Empty() {
		return r, ch, nil
	}
	entry := store.AuditEntry{Convention: slug, UserID: a.UserID, Actor: a.Label(), Action: "update", ObjectType: kind,
		ObjectID: id, ObjectLabel: r.Target.Label, Before: ch.Before, After: ch.After}
	r.Version, err = s.Store.UpdateRecord(ctx, r.Kind.Table, id, version, ch.Columns, ch.Values, entry)
	if errors.Is(err, model.ErrStale) {
		fresh, ferr := s.Record(ctx, a, slug, kind, id)
		if ferr != nil {
			return nil, edit.Change{}, ferr
		}
		return nil, edit.Change{}, s.conflict(ctx, fresh)
	}
	if err != nil {
		return nil, edit.Change{}, err
	}
	r.Values = r.Kind.Snapshot(r.Target)
	return r, ch, nil
}

func (s *Service) conflict(ctx context.Context, r *Record) error {
	recent, err := s.Store.History(ctx, r.Convention.Slug, []string{r.Target.Meta.ID}, 5)
	if err != nil {
		return err
	}
	return &ConflictError{Label: r.Target.Label, Current: r.Values, Version: r.Version, Recent: recent}
}

// validateEdit checks the whole convention after the change and keeps the
// problems of the edited record, with field names as paths.
func (s *Service) validateEdit(r *Record) *model.ValidationError {
	err := convention.Validate(r.Convention, s.Territory)
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	out := &model.ValidationError{}
	for _, fe := range ve.Errors {
		if name := r.Kind.FieldOf(r.Target, fe.Path); name != "" {
			out.Errors = append(out.Errors, model.FieldError{Path: name, Message: fe.Message})
		} else if r.Target.Path == "" || strings.HasPrefix(fe.Path, r.Target.Path) {
			out.Errors = append(out.Errors, fe)
		}
	}
	if len(out.Errors) == 0 {
		return nil
	}
	return out
}

// History returns the convention's history, or a record's and its parts'
// when ids are given, if the actor may read the convention.
func (s *Service) History(ctx context.Context, a *auth.Actor, slug string, ids []string, limit int) ([]store.AuditEntry, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	return s.Store.History(ctx, slug, ids, limit)
}
