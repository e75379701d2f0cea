package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/ctg-territoires/ctg/internal/model"
)

// The store alone knows tables and columns. Callers name a kind of record
// ("step") and its fields by their path in the interchange format
// ("schedule.start"); recordKinds maps them to the schema. Reading,
// importing and editing a record all go through this table, so that a new
// field is added to the model, one migration and one line here.

// column is one data column of a kind's table and the field it holds.
type column struct {
	name  string // column in the table
	field string // path of the field in the record
}

// recordKind is how one kind of record is stored.
type recordKind struct {
	name string
	// typ is the record's type in the model, set from the kind's name.
	typ   reflect.Type
	table string
	// parent is the column that links a row to the record holding it;
	// records are kept in order by a position column under their parent.
	parent string
	// viaTable, when set, is the parent's table, of which a new row also
	// copies the convention_id (fiches under axes, indicators under fiches).
	viaTable string
	columns  []column
	// indexes are the index paths of the columns' fields in typ.
	indexOnce sync.Once
	indexes   [][]int
}

// cols builds a column list from "field" (column of the same name) or
// "field=column" entries.
func cols(specs ...string) []column {
	out := make([]column, len(specs))
	for i, s := range specs {
		field, name, ok := strings.Cut(s, "=")
		if !ok {
			name = field
		}
		out[i] = column{name: name, field: field}
	}
	return out
}

var recordKinds = map[string]*recordKind{}

func init() {
	// Registering the kinds is a few map insertions, nothing expensive.
	for _, k := range []*recordKind{
		{name: "convention", table: "conventions", columns: cols("slug", "format", "title", "status", "synthetic",
			"period.start=period_start", "period.end=period_end", "period.renewal=renewal",
			"signature.place=signature_place", "signature.place_as_written=signature_place_as_written",
			"signature.date=signature_date", "signature.copies=signature_copies",
			"territory.epci=territory_epci", "territory.communes=territory_communes",
			"preamble.text=preamble_text", "preamble.themes=preamble_themes",
			"diagnostic.author=diagnostic_author", "diagnostic.summary=diagnostic_summary")},
		{name: "organization", table: "organizations", parent: "convention_id",
			columns: cols("key", "kind", "name", "short_name", "siren", "insee")},
		{name: "party", table: "parties", parent: "convention_id", columns: cols("organization=organization_key", "designation")},
		{name: "representative", table: "representatives", parent: "party_id",
			columns: cols("civility", "name", "title", "signature_title", "signature_name")},
		{name: "authorization", table: "authorizations", parent: "party_id",
			columns: cols("kind", "body", "date=decided_on", "date_as_written", "reference", "subject", "annex", "prefecture_acknowledgement")},
		{name: "prefecture_acknowledgement", table: "prefecture_acknowledgements", parent: "convention_id",
			columns: cols("identifier", "received_on", "organization=organization_key")},
		{name: "legal_basis", table: "legal_bases", parent: "convention_id", columns: cols("text", "party=party_key")},
		{name: "article", table: "articles", parent: "convention_id", columns: cols("number", "title", "text", "footnotes")},
		{name: "annex", table: "annexes", parent: "convention_id", columns: cols("number", "title", "text", "holds")},
		{name: "finding", table: "findings", parent: "convention_id", columns: cols("theme", "kind", "text", "fiches")},
		{name: "axis", table: "axes", parent: "convention_id", columns: cols("number", "title", "fiches_due_by", "promise")},
		{name: "fiche", table: "fiches", parent: "axis_id", viaTable: "axes",
			columns: cols("code", "title", "listings", "context", "objectives", "description", "indicators_heading",
				"target_public", "pilots", "partners", "status")},
		{name: "step", table: "steps", parent: "fiche_id",
			columns: cols("number", "text", "details", "schedule.as_written=schedule_as_written", "schedule.start=schedule_start",
				"schedule.end=schedule_end", "schedule.recurrence=recurrence", "status")},
		{name: "indicator", table: "indicators", parent: "fiche_id", viaTable: "fiches",
			columns: cols("code", "label", "unit", "periodicity", "combine", "numerator", "denominator", "dimensions",
				"responsible=responsible_key", "targets", "tolerance")},
		{name: "equipment", table: "equipments", parent: "convention_id",
			columns: cols("operator_name", "operator=operator_key", "name", "activity_type", "activity_nature", "address",
				"postal_code", "city", "commune", "places")},
		{name: "committee", table: "committees", parent: "convention_id",
			columns: cols("key", "kind", "name", "composition", "purposes", "co_chairs", "secretariat=secretariat_key", "notes")},
		{name: "contact", table: "contacts", parent: "convention_id",
			columns: cols("label", "organization=organization_key", "phone", "email", "purpose")},
	} {
		k.typ = model.RecordType(k.name)
		recordKinds[k.name] = k
	}
}

// kindNamed returns a kind's storage, or an error for an unknown kind.
func kindNamed(name string) (*recordKind, error) {
	k, ok := recordKinds[name]
	if !ok {
		return nil, fmt.Errorf("type d'élément inconnu du stockage : %s", name)
	}
	return k, nil
}

// columnOf returns the column that holds a field.
func (k *recordKind) columnOf(field string) (string, error) {
	for _, c := range k.columns {
		if c.field == field {
			return c.name, nil
		}
	}
	return "", fmt.Errorf("champ inconnu du stockage pour %s : %s", k.name, field)
}

// selectList lists the data columns then the metadata columns, each
// prefixed by alias when set.
func (k *recordKind) selectList(alias string) string {
	names := make([]string, 0, len(k.columns)+4)
	for _, c := range k.columns {
		names = append(names, c.name)
	}
	names = append(names, "id", "created_at", "updated_at", "version")
	if alias != "" {
		for i := range names {
			names[i] = alias + "." + names[i]
		}
	}
	return strings.Join(names, ", ")
}

// dest returns the scan destinations of selectList for a record (a
// pointer to its struct).
func (k *recordKind) dest(record any) []any {
	out := make([]any, 0, len(k.columns)+4)
	for _, c := range k.columns {
		out = append(out, fieldDest(k.field(record, c.field)))
	}
	meta := model.MetaOf(record)
	if meta == nil {
		meta = &model.Meta{} // a record without metadata of its own
	}
	return append(out, metaDest(meta)...)
}

// field returns a record's field; the mapping is checked by the tests
// against every kind, so a mismatch is a programming error.
func (k *recordKind) field(record any, path string) reflect.Value {
	v, ok := model.Field(record, path)
	if !ok {
		panic(fmt.Sprintf("store: %s sans champ %s (%T)", k.name, path, record))
	}
	return v
}

// fieldDest returns the scan destination of a field.
func fieldDest(v reflect.Value) any {
	switch p := v.Addr().Interface().(type) {
	case **model.Date:
		return dateCol{p}
	case *model.Date:
		return requiredDateCol{p}
	}
	if v.Kind() == reflect.Slice {
		return jsonDest{v}
	}
	return v.Addr().Interface()
}

// fieldArg returns the database argument of a field's value.
func fieldArg(v reflect.Value) any {
	switch x := v.Interface().(type) {
	case *model.Date:
		return dateArg(x)
	case model.Date:
		return x.String()
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() == 0 {
			return "[]"
		}
		b, err := json.Marshal(v.Interface())
		if err != nil {
			panic(err) // only plain data types are stored as JSON
		}
		return string(b)
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int64, reflect.Int32:
		return v.Int()
	case reflect.Bool:
		return v.Bool()
	case reflect.Float64, reflect.Float32:
		return v.Float()
	}
	panic(fmt.Sprintf("store: type %s non stockable", v.Type()))
}

// valueArg converts a field value given by a caller (UpdateRecord,
// InsertRecord) to a database argument, checking its type against the
// record's field.
func (k *recordKind) valueArg(field string, value any, want reflect.Type) (any, error) {
	v := reflect.ValueOf(value)
	if value == nil {
		v = reflect.Zero(want)
	}
	if v.Type() != want {
		if !v.CanConvert(want) || v.Kind() != want.Kind() {
			return nil, fmt.Errorf("champ %s de %s : %s attendu, %s reçu", field, k.name, want, v.Type())
		}
		v = v.Convert(want)
	}
	return fieldArg(v), nil
}

// jsonDest reads JSON text into a slice field; "[]" leaves it nil so that
// reading back gives exactly what was written.
type jsonDest struct{ v reflect.Value }

func (d jsonDest) Scan(src any) error {
	var b []byte
	switch x := src.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	default:
		return fmt.Errorf("JSON illisible : %T", src)
	}
	p := reflect.New(d.v.Type())
	if err := json.Unmarshal(b, p.Interface()); err != nil {
		return err
	}
	if p.Elem().Len() == 0 {
		d.v.Set(reflect.Zero(d.v.Type()))
		return nil
	}
	d.v.Set(p.Elem())
	return nil
}

// args returns the insert arguments of a record's data columns.
func (k *recordKind) args(record any) []any {
	out := make([]any, len(k.columns))
	for i, c := range k.columns {
		out[i] = fieldArg(k.field(record, c.field))
	}
	return out
}

// assignments turns fields (path → value) into sorted "column = ?" items
// and their arguments, refusing a field the kind does not store.
func (k *recordKind) assignments(fields map[string]any) (sets []string, args []any, err error) {
	sample := reflect.New(k.typ).Interface()
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		col, err := k.columnOf(f)
		if err != nil {
			return nil, nil, err
		}
		arg, err := k.valueArg(f, fields[f], k.field(sample, f).Type())
		if err != nil {
			return nil, nil, err
		}
		sets, args = append(sets, col+" = ?"), append(args, arg)
	}
	return sets, args, nil
}
