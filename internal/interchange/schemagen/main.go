// Command schemagen writes docs/convention.schema.json from the model.
//
//	go generate ./internal/interchange
package main

import (
	"flag"
	"log"
	"os"

	"github.com/ctg-territoires/ctg/internal/interchange"
)

func main() {
	modelDir := flag.String("model", "internal/model", "source directory of the model package")
	out := flag.String("o", "docs/convention.schema.json", "output file")
	flag.Parse()
	data, err := interchange.GenerateSchema(*modelDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
