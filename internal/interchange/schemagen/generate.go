package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
)

// generateSchema builds the JSON Schema of the interchange format from the
// model's types and YAML tags, with descriptions taken from the doc
// comments of the model's source in modelDir. docs/convention.schema.json
// is its output (go generate ./internal/interchange); a test keeps the two
// in step. It lives in the generator, not in package interchange, so that
// the server does not link go/parser.
func generateSchema(modelDir string) ([]byte, error) {
	docs, err := modelComments(modelDir)
	if err != nil {
		return nil, err
	}
	g := &schemaGen{docs: docs, defs: map[string]any{}}
	root := g.object(reflect.TypeOf(model.ConventionFile{}))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = interchange.SchemaID
	root["title"] = "Convention territoriale globale (ctg, format " + model.FormatVersion + ")"
	root["$defs"] = g.defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type schemaGen struct {
	docs map[string]string
	defs map[string]any
}

// enums lists the closed vocabularies of the model.
var enums = map[reflect.Type][]string{
	reflect.TypeOf(model.Status("")):           strs(model.Statuses),
	reflect.TypeOf(model.OrganizationKind("")): strs(model.OrganizationKinds),
	reflect.TypeOf(model.ActionStatus("")):     strs(model.ActionStatuses),
	reflect.TypeOf(model.FindingKind("")):      {string(model.FindingQuantitative), string(model.FindingQualitative)},
	reflect.TypeOf(model.CommitteeKind("")):    {string(model.CommitteeSteering), string(model.CommitteeTechnical)},
	reflect.TypeOf(model.Recurrence("")):       {string(model.RecurYearly)},
	reflect.TypeOf(model.AmendmentState("")):   {string(model.AmendmentDraft), string(model.AmendmentSigned), string(model.AmendmentAbandoned)},
	reflect.TypeOf(model.TerminationMode("")):  strs(model.TerminationModes),
	reflect.TypeOf(model.OwnerKind("")):        strs(model.OwnerKinds),
}

// patterns gives the format of identifier fields, by YAML name.
var patterns = map[string]string{
	"slug":        `^[a-z0-9]+(-[a-z0-9]+)*$`,
	"siren":       `^[0-9]{9}$`,
	"insee":       `^[0-9][0-9AB][0-9]{3}$`,
	"epci":        `^[0-9]{9}$`,
	"commune":     `^[0-9][0-9AB][0-9]{3}$`,
	"postal_code": `^[0-9]{5}$`,
	"sha256":      `^[0-9a-f]{64}$`,
	"successor":   `^[a-z0-9]+(-[a-z0-9]+)*$`,
	"predecessor": `^[a-z0-9]+(-[a-z0-9]+)*$`,
}

func strs[T ~string](v []T) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = string(s)
	}
	return out
}

var (
	dateType = reflect.TypeOf(model.Date{})
	timeType = reflect.TypeOf(time.Time{})
)

func (g *schemaGen) typeSchema(t reflect.Type, field string) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == dateType {
		return map[string]any{"type": "string", "format": "date"}
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if e, ok := enums[t]; ok {
		return map[string]any{"type": "string", "enum": e}
	}
	switch t.Kind() {
	case reflect.String:
		s := map[string]any{"type": "string"}
		switch field {
		case "holds":
			s["enum"] = model.AnnexHolds
		case "unit":
			s["enum"] = model.IndicatorUnits
		case "periodicity":
			s["enum"] = model.Periodicities
		case "combine":
			s["enum"] = model.Combinations
		case "op":
			s["enum"] = model.AmendmentOps
		}
		if p, ok := patterns[field]; ok {
			s["pattern"] = p
		}
		return s
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Slice:
		items := g.typeSchema(t.Elem(), field)
		if field == "dimensions" {
			items["enum"] = model.Dimensions
		}
		return map[string]any{"type": "array", "items": items}
	case reflect.Struct:
		name := t.Name()
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = true // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic(fmt.Sprintf("type %s non pris en charge par le schéma", t))
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if d := g.docs[t.Name()]; d != "" {
		s["description"] = d
	}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if opts == "inline" {
			g.fields(f.Type, props, required)
			continue
		}
		s := g.typeSchema(f.Type, name)
		if d := g.docs[t.Name()+"."+f.Name]; d != "" {
			if _, isRef := s["$ref"]; isRef {
				s = map[string]any{"allOf": []any{s}, "description": d}
			} else {
				s["description"] = d
			}
		}
		props[name] = s
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// modelComments reads the doc comments of the model's types and fields.
func modelComments(dir string) (map[string]string, error) {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				out[ts.Name.Name] = clean(gd.Doc, ts.Doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fld := range st.Fields.List {
					for _, n := range fld.Names {
						out[ts.Name.Name+"."+n.Name] = clean(fld.Doc, nil)
					}
				}
			}
		}
	}
	return out, nil
}

func clean(groups ...*ast.CommentGroup) string {
	for _, g := range groups {
		if g != nil {
			return strings.Join(strings.Fields(g.Text()), " ")
		}
	}
	return ""
}
