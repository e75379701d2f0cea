// Package contract says what the parties signed and what is follow-up
// recorded while a convention runs. Once a convention is signed, its
// signed content changes only by an avenant (art. 11 of the seed); the
// follow-up — progress of fiches and steps, the indicator catalogue's
// settings, contacts, prefecture acknowledgements — stays editable. It
// knows nothing of SQL or HTTP.
package contract

import (
	"bytes"
	"reflect"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/ctg-territoires/ctg/internal/model"
)

// followUpFields lists, per kind of record, the fields that are follow-up:
// every other field of a signed kind is signed content. A council's
// deliberation is an act of its own: its date and number are recorded
// when known (the signed text often leaves them « XXXX »), what the text
// says of it (date_as_written, body, subject) stays as written.
var followUpFields = map[string][]string{
	"convention":    {"status"},
	"authorization": {"date", "reference", "prefecture_acknowledgement"},
	"fiche":         {"status"},
	"step":          {"status"},
	"indicator":     {"code", "unit", "periodicity", "combine", "numerator", "denominator", "dimensions", "responsible", "targets", "tolerance"},
	"equipment":     {"operator", "places"},
	"committee":     {"notes"},
}

// followUpKinds are the kinds whose records are follow-up as a whole: they
// may be added, changed and removed after signature. Organizations are
// follow-up unless a party is one of them: see SignedOrganization.
var followUpKinds = map[string]bool{"contact": true, "prefecture_acknowledgement": true}

// Locked reports whether c's signed content is locked: its signature is
// recorded. Before signature everything is editable.
func Locked(c *model.Convention) bool { return c.Signature.Date != nil }

// FollowUpField reports whether a field of a kind of record is follow-up.
func FollowUpField(kind, field string) bool {
	return followUpKinds[kind] || slices.Contains(followUpFields[kind], field)
}

// SignedOrganization reports whether the organization with that key is
// part of the signed content: a party.
func SignedOrganization(c *model.Convention, key string) bool {
	for _, p := range c.Parties {
		if p.Organization == key {
			return true
		}
	}
	return false
}

// Editable reports whether a field of a record of c may be changed
// outside an avenant. key is the organization's key for an organization
// record, ignored otherwise.
func Editable(c *model.Convention, kind, field, key string) bool {
	switch {
	case !Locked(c), FollowUpField(kind, field):
		return true
	case kind == "organization":
		return !SignedOrganization(c, key)
	}
	return false
}

// Signed returns a copy of c holding only what the parties signed: the
// follow-up and the record metadata are cleared, so that two conventions
// with the same signed text give equal copies.
func Signed(c *model.Convention) *model.Convention {
	return signedPart(clone(c))
}

// signedPart clears, in a copy of a convention, what is not signed.
func signedPart(out *model.Convention) *model.Convention {
	out.Status = ""
	out.Transmissions = nil
	out.Contacts = nil
	var orgs []model.Organization
	for _, o := range out.Organizations {
		if SignedOrganization(out, o.Key) {
			orgs = append(orgs, o)
		}
	}
	out.Organizations = orgs
	for i := range out.Parties {
		if a := out.Parties[i].Authorization; a != nil {
			a.Date, a.Reference, a.PrefectureAcknowledgement = nil, "", ""
		}
	}
	for i := range out.Axes {
		for j := range out.Axes[i].Fiches {
			f := &out.Axes[i].Fiches[j]
			f.Status = ""
			clearIndicators(f.Indicators)
			for k := range f.Steps {
				f.Steps[k].Status = ""
				clearIndicators(f.Steps[k].Indicators)
			}
		}
	}
	for i := range out.Equipments {
		out.Equipments[i].Operator, out.Equipments[i].Places = "", 0
	}
	for i := range out.Committees {
		out.Committees[i].Notes = ""
	}
	return out
}

func clearIndicators(list []model.Indicator) {
	for i, ind := range list {
		list[i] = model.Indicator{Label: ind.Label}
	}
}

// SameSigned reports whether a and b carry the same signed content.
// The copies are made by gob, much cheaper than the format's round trip
// on a large convention. They are first compared as values, without what
// the format does not write (metadata, reference data, empty lists): equal
// values give equal files; only values found different are compared as
// written, the rule itself.
func SameSigned(a, b *model.Convention) bool {
	na, nb := signedPart(a.Clone()), signedPart(b.Clone())
	unwritten(reflect.ValueOf(na).Elem())
	unwritten(reflect.ValueOf(nb).Elem())
	if reflect.DeepEqual(na, nb) {
		return true
	}
	return bytes.Equal(encode(signedPart(a.Clone())), encode(signedPart(b.Clone())))
}

// unwritten clears, in v, what the interchange format does not write:
// fields tagged yaml:"-", and makes empty lists nil.
func unwritten(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			unwritten(v.Elem())
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := v.Field(i)
			if !f.CanSet() {
				continue
			}
			if t.Field(i).Tag.Get("yaml") == "-" {
				f.SetZero()
				continue
			}
			unwritten(f)
		}
	case reflect.Slice:
		if v.Len() == 0 {
			if v.CanSet() {
				v.SetZero()
			}
			return
		}
		for i := range v.Len() {
			unwritten(v.Index(i))
		}
	}
}

// clone deep-copies a convention through its interchange form, which
// drops the record metadata.
func clone(c *model.Convention) *model.Convention {
	var out model.Convention
	if err := yaml.Unmarshal(encode(c), &out); err != nil {
		panic(err) // the model round-trips through its own format
	}
	return &out
}

func encode(c *model.Convention) []byte {
	b, err := yaml.Marshal(c)
	if err != nil {
		panic(err) // the model holds only plain data
	}
	return b
}
