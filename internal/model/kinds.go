package model

import "reflect"

// recordTypes names the kinds of record of a convention that can be
// edited one by one: the names used in URLs, the API, the history and the
// store's mapping.
var recordTypes = map[string]reflect.Type{
	"convention":                 reflect.TypeFor[Convention](),
	"organization":               reflect.TypeFor[Organization](),
	"party":                      reflect.TypeFor[Party](),
	"representative":             reflect.TypeFor[Representative](),
	"authorization":              reflect.TypeFor[Authorization](),
	"prefecture_acknowledgement": reflect.TypeFor[PrefectureAcknowledgement](),
	"legal_basis":                reflect.TypeFor[LegalBasis](),
	"article":                    reflect.TypeFor[Article](),
	"annex":                      reflect.TypeFor[Annex](),
	"finding":                    reflect.TypeFor[Finding](),
	"axis":                       reflect.TypeFor[Axis](),
	"fiche":                      reflect.TypeFor[Fiche](),
	"step":                       reflect.TypeFor[Step](),
	"indicator":                  reflect.TypeFor[Indicator](),
	"equipment":                  reflect.TypeFor[Equipment](),
	"committee":                  reflect.TypeFor[Committee](),
	"contact":                    reflect.TypeFor[Contact](),
}

// RecordType returns the type of a kind of record, or nil.
func RecordType(kind string) reflect.Type { return recordTypes[kind] }

// KindOf names the kind of a record type, or "" for a type that is not a
// record of its own.
func KindOf(t reflect.Type) string {
	for name, rt := range recordTypes {
		if rt == t {
			return name
		}
	}
	return ""
}
