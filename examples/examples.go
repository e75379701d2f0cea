// Package examples embeds the example conventions shipped with ctg.
package examples

import _ "embed"

// ForcalquierSlug is the slug of the bundled convention.
const ForcalquierSlug = "ctg-forcalquier-2022"

// Forcalquier is the signed CTG 2022-2024 of the Communauté de Communes
// Pays de Forcalquier Montagne de Lure, transcribed in the interchange format.
//
//go:embed ctg-forcalquier-2022.yaml
var Forcalquier []byte
