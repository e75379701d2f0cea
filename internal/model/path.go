package model

import (
	"reflect"
	"strings"
)

// Field returns the field of a record (a pointer to one of the model's
// structs) at a dotted path of the interchange format ("schedule.start"),
// settable; ok is false when there is no such field.
func Field(record any, path string) (v reflect.Value, ok bool) {
	v = reflect.ValueOf(record)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	for name := range strings.SplitSeq(path, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		v, ok = fieldTagged(v, name)
		if !ok {
			return reflect.Value{}, false
		}
	}
	return v, v.CanSet()
}

// fieldTagged returns the field of struct v whose YAML name is name.
func fieldTagged(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if tag == name && name != "" && tag != "-" {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// MetaOf returns the metadata of a record, or nil for a record without.
func MetaOf(record any) *Meta {
	v := reflect.ValueOf(record)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	f := v.Elem().FieldByName("Meta")
	if !f.IsValid() || f.Type() != reflect.TypeFor[Meta]() {
		return nil
	}
	return f.Addr().Interface().(*Meta)
}
