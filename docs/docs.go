// Package docs embeds the published reference documents served by ctg.
package docs

import _ "embed"

// Schema is the JSON Schema of the interchange format (convention.schema.json).
//
//go:embed convention.schema.json
var Schema []byte

// OpenAPI describes the JSON API (openapi.json).
//
//go:embed openapi.json
var OpenAPI []byte
