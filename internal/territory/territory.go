// Package territory gives the INSEE reference data of French communes and
// EPCI, embedded in the binary. The data comes from the
// @etalab/decoupage-administratif npm package (MIT); docs/territory.md says
// how to regenerate it.
package territory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:generate sh -c "cd ../../tools/territory && npm ci --ignore-scripts"
//go:generate go run ./gen -src ../../tools/territory/node_modules/@etalab/decoupage-administratif/data -out data

//go:embed data/*.tsv.gz
var files embed.FS

// CommuneType distinguishes current communes from their historical or
// infra-communal parts, which keep an INSEE code of their own.
type CommuneType string

// The commune types of the reference data.
const (
	CommuneCurrent    CommuneType = "c"
	CommuneDistrict   CommuneType = "m" // arrondissement municipal (Paris, Lyon, Marseille)
	CommuneDelegated  CommuneType = "d"
	CommuneAssociated CommuneType = "a"
)

// Commune is a commune of the reference data.
type Commune struct {
	INSEE       string
	Type        CommuneType
	Name        string
	SIREN       string
	Population  int
	Departement string
	// EPCI is the SIREN of the intercommunality it belongs to, if any.
	EPCI        string
	PostalCodes []string
}

// EPCI is an intercommunality of the reference data.
type EPCI struct {
	SIREN      string
	Name       string
	Type       string
	Population int
	// Members are INSEE codes of its communes, sorted.
	Members []string
}

// Data is the loaded reference data.
type Data struct {
	communes map[string]*Commune
	epcis    map[string]*EPCI
}

var (
	loadOnce sync.Once
	loaded   *Data
	loadErr  error
)

// Load returns the embedded reference data, decoded on first use.
func Load() (*Data, error) {
	loadOnce.Do(func() { loaded, loadErr = decode() })
	return loaded, loadErr
}

// MustLoad is Load for callers that cannot go on without the data, which
// is embedded and therefore only fails on a broken build.
func MustLoad() *Data {
	d, err := Load()
	if err != nil {
		panic(err)
	}
	return d
}

func decode() (*Data, error) {
	d := &Data{communes: map[string]*Commune{}, epcis: map[string]*EPCI{}}
	err := eachLine("data/epci.tsv.gz", 4, func(f []string) error {
		pop, err := strconv.Atoi(f[3])
		if err != nil {
			return err
		}
		d.epcis[f[0]] = &EPCI{SIREN: f[0], Name: f[1], Type: f[2], Population: pop}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachLine("data/communes.tsv.gz", 8, func(f []string) error {
		pop, err := strconv.Atoi(f[4])
		if err != nil {
			return err
		}
		c := &Commune{INSEE: f[0], Type: CommuneType(f[1]), Name: f[2], SIREN: f[3], Population: pop, Departement: f[5], EPCI: f[6]}
		if f[7] != "" {
			c.PostalCodes = strings.Split(f[7], ",")
		}
		// A delegated commune may share its code with the current one; the
		// current commune wins.
		if prev, ok := d.communes[c.INSEE]; ok && prev.Type == CommuneCurrent {
			return nil
		}
		d.communes[c.INSEE] = c
		if e, ok := d.epcis[c.EPCI]; ok {
			e.Members = append(e.Members, c.INSEE)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range d.epcis {
		sort.Strings(e.Members)
	}
	return d, nil
}

func eachLine(name string, fields int, fn func([]string) error) error {
	raw, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	sc := bufio.NewScanner(zr)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(sc.Text(), "\t")
		if len(f) != fields {
			return fmt.Errorf("%s:%d: %d champs au lieu de %d", name, line, len(f), fields)
		}
		if err := fn(f); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return sc.Err()
}

// Commune returns the commune with that INSEE code.
func (d *Data) Commune(insee string) (*Commune, bool) {
	c, ok := d.communes[insee]
	return c, ok
}

// EPCI returns the intercommunality with that SIREN.
func (d *Data) EPCI(siren string) (*EPCI, bool) {
	e, ok := d.epcis[siren]
	return e, ok
}

// Counts returns the number of communes (all types) and EPCI loaded.
func (d *Data) Counts() (communes, epcis int) {
	return len(d.communes), len(d.epcis)
}

// CommunesIn returns the communes of every type whose département is dep,
// sorted by INSEE code.
func (d *Data) CommunesIn(dep string) []*Commune {
	var out []*Commune
	for _, c := range d.communes {
		if c.Departement == dep {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].INSEE < out[j].INSEE })
	return out
}
