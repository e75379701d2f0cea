package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/contract"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Record is one editable record with what the editing page needs.
type Record struct {
	Convention *model.Convention
	Kind       *edit.Kind
	Target     edit.Target
	Values     map[string]string
	Version    int
	CanEdit    bool
	// ParentID is set for a record being created under that parent.
	ParentID string
}

// Fields are the fields the record's form shows: with the extra ones of a
// new record.
func (r *Record) Fields() []edit.Field {
	if r.ParentID != "" {
		return r.Kind.CreateFields()
	}
	return r.Kind.Fields
}

// Editable reports whether a field of the record may be changed outside
// an avenant: any field before signature; after, the follow-up only (a
// step's progress, an indicator's targets…). A new record is editable
// whole when its kind may be added.
func (r *Record) Editable(field string) bool {
	if r.ParentID != "" {
		return contract.Addable(r.Convention, r.Kind.Name, "")
	}
	return contract.Editable(r.Convention, r.Kind.Name, field, r.organizationKey())
}

// Locked reports whether some field the form shows is signed text, which
// changes only by avenant.
func (r *Record) Locked() bool {
	for _, f := range r.Fields() {
		if !r.Editable(f.Name) {
			return true
		}
	}
	return false
}

// AnyEditable reports whether some field the form shows may be changed.
func (r *Record) AnyEditable() bool {
	for _, f := range r.Fields() {
		if r.Editable(f.Name) {
			return true
		}
	}
	return false
}

// Removable reports whether the record may be removed outside an avenant.
func (r *Record) Removable() bool {
	return r.Kind.Deletable() && contract.Addable(r.Convention, r.Kind.Name, r.organizationKey())
}

// AmendmentArticle is the number of the article that says the text
// changes only by avenant.
func (r *Record) AmendmentArticle() int { return contract.AmendmentArticle(r.Convention) }

// organizationKey is the key of an organization record, "" for the others.
func (r *Record) organizationKey() string {
	if o, ok := r.Target.Object.(*model.Organization); ok {
		return o.Key
	}
	return ""
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
	Recent  []model.AuditEntry
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
	return s.EditWithComment(ctx, a, slug, kind, id, version, values, "")
}

// MaxCommentLength bounds the comment given with a change, in characters.
const MaxCommentLength = 500

// EditWithComment is Edit with the comment its author gives with the change
// (why a step's progress changed), kept in the history entry. A comment
// with no change is recorded alone, as a note (action "comment").
func (s *Service) EditWithComment(ctx context.Context, a *auth.Actor, slug, kind, id string, version int, values map[string]string, comment string) (*Record, edit.Change, error) {
	comment = strings.TrimSpace(comment)
	if n := utf8.RuneCountInString(comment); n > MaxCommentLength {
		return nil, edit.Change{}, &model.ValidationError{Errors: []model.FieldError{{Path: "comment",
			Message: fmt.Sprintf("commentaire trop long : %d caractères, %d au plus", n, MaxCommentLength)}}}
	}
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
	// What the parties signed, before the change, to refuse changing it.
	before := contract.Signed(r.Convention)
	ch, verr := r.Kind.Apply(r.Target, values)
	if err := keepSigned(before, r.Convention, kind, "", r.Target.Label); err != nil {
		return nil, edit.Change{}, err
	}
	if verr == nil {
		verr = s.validateEdit(r)
	}
	if verr != nil {
		return nil, edit.Change{}, verr
	}
	// Who owns a record is not the contributor's to change: it may neither
	// hand its equipment or fiche over to another organization nor share
	// it with one (a fiche's pilots), which would give that one its rights.
	after, ok := r.Kind.Find(r.Convention, id)
	if !ok || !a.CanEdit(slug, after.Owners) || (!a.CanEdit(slug, nil) && !sameSet(r.Target.Owners, after.Owners)) {
		return nil, edit.Change{}, fmt.Errorf("confier %s à une autre organisation : %w", r.Target.Label, model.ErrForbidden)
	}
	if ch.Empty() {
		// A comment alone is a note on the record's progress: it is kept.
		if comment != "" {
			entry := audited(a, slug, "comment", kind, id, r.Target.Label)
			entry.Comment = comment
			return r, ch, s.store.AppendAudit(ctx, entry)
		}
		return r, ch, nil
	}
	entry := audited(a, slug, "update", kind, id, r.Target.Label).WithChange(ch.Before, ch.After)
	entry.Comment = comment
	r.Version, err = s.store.UpdateRecord(ctx, kind, id, version, ch.Fields, entry, ch.CopyIDs...)
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
	recent, err := s.store.History(ctx, r.Convention.Slug, []string{r.Target.Meta.ID}, 5)
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
func (s *Service) History(ctx context.Context, a *auth.Actor, slug string, ids []string, limit int) ([]model.AuditEntry, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	entries, err := s.store.History(ctx, slug, ids, limit)
	if err != nil || a.CanAdmin(slug) {
		return entries, err
	}
	// Only those who manage the convention see its members' e-mail
	// addresses, here as on the members' page.
	for i := range entries {
		entries[i] = withoutEmails(entries[i])
	}
	return entries, nil
}

// emailPattern finds e-mail addresses, with the brackets around them.
var emailPattern = textutil.LazyRegexp(`\s*<?[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>?`)

// withoutEmails removes the e-mail addresses an entry names: the actor
// keeps their name, a record label its other words.
func withoutEmails(e model.AuditEntry) model.AuditEntry {
	mask := func(s string) string {
		if !strings.Contains(s, "@") {
			return s
		}
		out := strings.TrimSpace(emailPattern.ReplaceAllString(s, ""))
		if out == "" || strings.HasSuffix(out, " de") {
			out = strings.TrimSpace(out + " (adresse masquée)")
		}
		return out
	}
	e.Actor, e.ObjectLabel = mask(e.Actor), mask(e.ObjectLabel)
	maskAll := func(m map[string]string) map[string]string {
		if m == nil {
			return nil
		}
		out := make(map[string]string, len(m))
		for k, v := range m {
			out[k] = mask(v)
		}
		return out
	}
	e.Before, e.After = maskAll(e.Before), maskAll(e.After)
	return e
}

// NewRecord prepares the form of a record to add under a parent: the
// record as it would be, empty but for its defaults.
func (s *Service) NewRecord(ctx context.Context, a *auth.Actor, slug, kind, parentID string) (*Record, error) {
	k, ok := edit.Lookup(kind)
	if !ok || k.Create == nil {
		return nil, fmt.Errorf("ajout de « %s » : %w", kind, model.ErrNotFound)
	}
	parent, err := s.Record(ctx, a, slug, k.Create.Parent, parentID)
	if err != nil {
		return nil, err
	}
	t, err := k.Add(parent.Convention, parent.Target)
	if err != nil {
		return nil, err
	}
	if verr := k.ApplyNew(t, k.Create.Defaults); verr != nil {
		return nil, verr
	}
	// Who may add: whoever may change the parent; for the convention's
	// records owned by the organization they name (equipments, contacts),
	// also a contributor, who must then name their own organization.
	canAdd := parent.CanEdit || (k.Create.Parent == "convention" && len(t.Owners) > 0 && a.CanEditSomething(slug))
	return &Record{Convention: parent.Convention, Kind: k, Target: t, Values: k.SnapshotNew(t), CanEdit: canAdd, ParentID: parentID}, nil
}

// Create adds a record under a parent with the given fields. It refuses
// with a *model.ValidationError whose paths are field names, or with
// model.ErrForbidden; nothing is written then.
func (s *Service) Create(ctx context.Context, a *auth.Actor, slug, kind, parentID string, values map[string]string) (*Record, error) {
	r, err := s.NewRecord(ctx, a, slug, kind, parentID)
	if err != nil {
		return nil, err
	}
	if !r.CanEdit {
		return nil, fmt.Errorf("ajouter %s : %w", r.Kind.Label, model.ErrForbidden)
	}
	if err := keepSigned(r.Convention, nil, kind, values["key"], ""); err != nil {
		var se *SignedError
		if errors.As(err, &se) {
			se.Adding = r.Kind.Label
		}
		return nil, err
	}
	if verr := r.Kind.ApplyNew(r.Target, values); verr != nil {
		return nil, verr
	}
	t, _ := r.Kind.Find(r.Convention, edit.NewID)
	if !a.CanEdit(slug, t.Owners) {
		return nil, fmt.Errorf("ajouter %s pour une autre organisation : %w", r.Kind.Label, model.ErrForbidden)
	}
	r.Target = t
	if verr := s.validateEdit(r); verr != nil {
		return nil, verr
	}
	fields := map[string]any{}
	for _, f := range r.Kind.CreateFields() {
		fields[f.Name] = f.Value(t.Object)
	}
	entry := audited(a, slug, "create", kind, "", t.Label).WithChange(nil, r.Kind.SnapshotNew(t))
	id, err := s.store.InsertRecord(ctx, kind, parentID, fields, entry)
	if errors.Is(err, model.ErrConflict) {
		// Another request took the same key or code meanwhile.
		return nil, &model.ValidationError{Errors: []model.FieldError{{Path: r.Kind.CreateFields()[0].Name,
			Message: "déjà utilisé : un autre élément vient d'être créé avec cette valeur"}}}
	}
	if err != nil {
		return nil, err
	}
	return s.Record(ctx, a, slug, kind, id)
}

// Delete removes a record made at the given version, if the actor may
// change it; a *ConflictError when it changed since.
func (s *Service) Delete(ctx context.Context, a *auth.Actor, slug, kind, id string, version int) error {
	r, err := s.Record(ctx, a, slug, kind, id)
	if err != nil {
		return err
	}
	if !r.Kind.Deletable() || !r.CanEdit {
		return fmt.Errorf("supprimer %s : %w", r.Target.Label, model.ErrForbidden)
	}
	if version != r.Version {
		return s.conflict(ctx, r)
	}
	if err := keepSigned(r.Convention, nil, kind, r.organizationKey(), r.Target.Label); err != nil {
		return err
	}
	entry := audited(a, slug, "delete", kind, id, r.Target.Label).WithChange(r.Values, nil)
	err = s.store.DeleteRecord(ctx, kind, id, version, entry)
	if errors.Is(err, model.ErrStale) {
		fresh, ferr := s.Record(ctx, a, slug, kind, id)
		if ferr != nil {
			return ferr
		}
		return s.conflict(ctx, fresh)
	}
	return err
}

// sameSet reports whether two lists hold the same items, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
