package interchange

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/ctg-territoires/ctg/docs"
	"github.com/ctg-territoires/ctg/examples"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(docs.Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// asJSONValue converts a YAML document to the generic JSON value the
// validator expects (dates as strings, as a JSON document would carry them).
func asJSONValue(t *testing.T, data []byte) any {
	t.Helper()
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		t.Fatal(err)
	}
	datesAsStrings(&node)
	var v any
	if err := node.Decode(&v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBundledExampleMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	if err := s.Validate(asJSONValue(t, examples.Forcalquier)); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaRejectsWhatTheImporterRejects(t *testing.T) {
	s := compileSchema(t)
	for name, data := range map[string][]byte{
		"unknown field": edit(t, "    short_name: la Msa\n", "    short_name: la Msa\n    couleur: bleu\n"),
		"bad status":    edit(t, "status: signed", "status: signee"),
		"bad date":      edit(t, "date: 2022-11-09", "date: 9/11/2022"),
	} {
		if err := s.Validate(asJSONValue(t, data)); err == nil {
			t.Errorf("%s : accepté par le schéma", name)
		}
	}
}

func TestSchemaDocumentsEveryField(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(docs.Schema, &doc); err != nil {
		t.Fatal(err)
	}
	for name, def := range doc["$defs"].(map[string]any) {
		if d, _ := def.(map[string]any)["description"].(string); strings.TrimSpace(d) == "" {
			t.Errorf("$defs.%s sans description", name)
		}
	}
	if _, err := os.Stat("../../docs/format.md"); err != nil {
		t.Error("docs/format.md absent")
	}
}

func datesAsStrings(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!timestamp" {
		n.Tag = "!!str"
	}
	for _, c := range n.Content {
		datesAsStrings(c)
	}
}

func TestFileWithItsLifeMatchesSchema(t *testing.T) {
	s := compileSchema(t)
	if err := s.Validate(asJSONValue(t, []byte(lived))); err != nil {
		t.Fatal(err)
	}
	// A working copy is a text, without a life of its own.
	nested := strings.Replace(lived, "    working_copy:\n", "    working_copy:\n      avenants: []\n", 1)
	if err := s.Validate(asJSONValue(t, []byte(nested))); err == nil {
		t.Error("une copie de travail avec ses propres avenants acceptée par le schéma")
	}
}
