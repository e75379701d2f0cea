// Command schemagen writes docs/convention.schema.json from the model.
//
//	go generate ./internal/interchange
package main

import (
	"flag"
	"log"
	"os"
)

func main() {
	modelDir := flag.String("model", "internal/model", "source directory of the model package")
	out := flag.String("o", "docs/convention.schema.json", "output file")
	flag.Parse()
	data, err := generateSchema(*modelDir)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
