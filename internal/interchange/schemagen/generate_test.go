package main

import (
	"bytes"
	"testing"

	"github.com/ctg-territoires/ctg/docs"
)

func TestPublishedSchemaIsUpToDate(t *testing.T) {
	fresh, err := generateSchema("../../model")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh, docs.Schema) {
		t.Fatal("docs/convention.schema.json est périmé : lancez go generate ./internal/interchange")
	}
}
