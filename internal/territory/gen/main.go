// Command gen rebuilds the embedded territory reference data from the
// @etalab/decoupage-administratif npm package (MIT).
//
// Usage (see docs/territory.md):
//
//	cd tools/territory && npm ci && cd ../..
//	go run ./internal/territory/gen -src tools/territory/node_modules/@etalab/decoupage-administratif/data
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type commune struct {
	Code        string   `json:"code"`
	Name        string   `json:"nom"`
	Type        string   `json:"type"`
	Departement string   `json:"departement"`
	SIREN       string   `json:"siren"`
	PostalCodes []string `json:"codesPostaux"`
	Population  int      `json:"population"`
}

type epci struct {
	Code       string `json:"code"`
	Name       string `json:"nom"`
	Type       string `json:"type"`
	Population int    `json:"populationTotale"`
	Members    []struct {
		Code string `json:"code"`
	} `json:"membres"`
}

// communeTypes maps the package's commune types to the one-letter codes of
// the embedded file; other types are left out.
var communeTypes = map[string]string{
	"commune-actuelle":         "c",
	"arrondissement-municipal": "m",
	"commune-deleguee":         "d",
	"commune-associee":         "a",
}

func main() {
	src := flag.String("src", "tools/territory/node_modules/@etalab/decoupage-administratif/data", "data directory of the npm package")
	out := flag.String("out", "internal/territory/data", "output directory")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		log.Fatal(err)
	}
}

func run(src, out string) error {
	var communes []commune
	if err := readJSON(filepath.Join(src, "communes.json"), &communes); err != nil {
		return err
	}
	var epcis []epci
	if err := readJSON(filepath.Join(src, "epci.json"), &epcis); err != nil {
		return err
	}
	memberOf := map[string]string{}
	var epciLines []string
	for _, e := range epcis {
		for _, m := range e.Members {
			memberOf[m.Code] = e.Code
		}
		epciLines = append(epciLines, strings.Join([]string{e.Code, clean(e.Name), e.Type, strconv.Itoa(e.Population)}, "\t"))
	}
	var communeLines []string
	for _, c := range communes {
		t, ok := communeTypes[c.Type]
		if !ok {
			continue
		}
		epciCode := ""
		if t == "c" {
			epciCode = memberOf[c.Code]
		}
		communeLines = append(communeLines, strings.Join([]string{
			c.Code, t, clean(c.Name), c.SIREN, strconv.Itoa(c.Population), c.Departement, epciCode, strings.Join(c.PostalCodes, ","),
		}, "\t"))
	}
	sort.Strings(epciLines)
	sort.Strings(communeLines)
	if err := writeTSV(filepath.Join(out, "epci.tsv"), epciLines); err != nil {
		return err
	}
	if err := writeTSV(filepath.Join(out, "communes.tsv"), communeLines); err != nil {
		return err
	}
	fmt.Printf("%d communes, %d EPCI written to %s\n", len(communeLines), len(epciLines), out)
	return nil
}

func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("lecture de %s : %w (lancez d'abord npm ci dans tools/territory)", path, err)
	}
	return json.Unmarshal(b, v)
}

// writeTSV writes the lines uncompressed: the package embeds the files as
// they are and reads its records in place.
func writeTSV(path string, lines []string) error {
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
