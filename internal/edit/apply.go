package edit

import (
	"sort"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Change is what an edit did to one record's fields.
type Change struct {
	// Before and After hold the changed fields only, as form text.
	Before, After map[string]string
	// Fields are the changed fields' new values, as the model types them,
	// by field name: what the store writes.
	Fields map[string]any
	// CopyIDs are the other mentions of the record, changed alike.
	CopyIDs []string
}

// Empty reports whether the edit changed nothing.
func (c Change) Empty() bool { return len(c.After) == 0 }

// Snapshot returns every field of the record as form text.
func (k *Kind) Snapshot(t Target) map[string]string {
	out := make(map[string]string, len(k.Fields))
	for _, f := range k.Fields {
		out[f.Name] = f.Get(t.Object)
	}
	return out
}

// SnapshotNew returns every field of a new record, the extra ones included.
func (k *Kind) SnapshotNew(t Target) map[string]string {
	out := make(map[string]string)
	for _, f := range k.CreateFields() {
		out[f.Name] = f.Get(t.Object)
	}
	return out
}

// Apply sets the given fields of the record (form text by field name) and
// returns what changed. Fields not named are left as they are; unknown
// names and unparsable values are reported at the record's path.
func (k *Kind) Apply(t Target, values map[string]string) (Change, *model.ValidationError) {
	return k.apply(t, values, k.Fields)
}

func (k *Kind) apply(t Target, values map[string]string, fields []Field) (Change, *model.ValidationError) {
	ch := Change{Before: map[string]string{}, After: map[string]string{}, Fields: map[string]any{}}
	errs := &model.ValidationError{}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		f, ok := fieldNamed(fields, name)
		if !ok {
			errs.Add(join(t.Path, name), "champ non modifiable")
			continue
		}
		before := f.Get(t.Object)
		if err := f.Set(t.Object, values[name]); err != nil {
			errs.Add(join(t.Path, name), "%s", err.Error())
			continue
		}
		if after := f.Get(t.Object); after != before {
			ch.Before[name], ch.After[name] = before, after
			ch.Fields[name] = f.Value(t.Object)
		}
	}
	if len(errs.Errors) > 0 {
		return ch, errs
	}
	// Other mentions of the same record take the same values.
	for _, c := range t.Copies {
		for name := range ch.After {
			f, _ := fieldNamed(fields, name)
			if err := f.Set(c, values[name]); err != nil {
				errs.Add(join(t.Path, name), "%s", err.Error())
			}
		}
		ch.CopyIDs = append(ch.CopyIDs, c.ID)
	}
	return ch, errs.OrNilTyped()
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// FieldOf returns the field name of a validation error path under the
// record's path ("axes[1].fiches[0].status" → "status"), or "".
func (k *Kind) FieldOf(t Target, path string) string {
	for _, f := range k.CreateFields() {
		if path == join(t.Path, f.Name) {
			return f.Name
		}
	}
	return ""
}

func fieldNamed(fields []Field, name string) (Field, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}
