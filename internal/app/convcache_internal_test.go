package app

import (
	"reflect"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// A deep copy equals its original and shares nothing with it: every text
// of the copy changed leaves the original as it was.
func TestDeepCopySharesNothing(t *testing.T) {
	ref, err := territory.Load()
	if err != nil {
		t.Fatal(err)
	}
	original, err := interchange.Decode(examples.Forcalquier, ref)
	if err != nil {
		t.Fatal(err)
	}
	pristine, _ := interchange.Decode(examples.Forcalquier, ref)
	cp := deepCopy(original)
	if !reflect.DeepEqual(cp, original) {
		t.Fatal("la copie diffère de l'original")
	}
	changed := overwriteTexts(reflect.ValueOf(cp).Elem())
	if changed < 100 {
		t.Fatalf("%d textes changés dans la copie seulement", changed)
	}
	if !reflect.DeepEqual(original, pristine) {
		t.Error("changer la copie a changé l'original")
	}
}

// overwriteTexts sets every settable string reached from v and counts them.
func overwriteTexts(v reflect.Value) int {
	n := 0
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString("changé")
			return 1
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			n += overwriteTexts(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			n += overwriteTexts(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			n += overwriteTexts(v.Field(i))
		}
	}
	return n
}
