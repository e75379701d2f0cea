// Package territory gives the INSEE reference data of French communes and
// EPCI, embedded in the binary. The data comes from the
// @etalab/decoupage-administratif npm package (MIT); docs/territory.md says
// how to regenerate it.
package territory

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

//go:generate sh -c "cd ../../tools/territory && npm ci --ignore-scripts"
//go:generate go run ./gen -src ../../tools/territory/node_modules/@etalab/decoupage-administratif/data -out data

// The files are embedded as they are, without compression: a record's
// fields are slices of these strings, which stay in the binary's read-only
// data, so decoding allocates only the records and their indexes.
var (
	//go:embed data/communes.tsv
	communesTSV string
	//go:embed data/epci.tsv
	epciTSV string
)

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

// Data is the reference data. Its tables are decoded once, on first use.
type Data struct {
	once   sync.Once
	tables *tables
	err    error
}

type tables struct {
	communes map[string]*Commune
	epcis    map[string]*EPCI
}

// shared is the embedded data, for every caller.
var shared = &Data{}

// Load returns the embedded reference data, decoded now if it was not yet.
func Load() (*Data, error) {
	shared.once.Do(shared.decode)
	return shared, shared.err
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

// Deferred returns the embedded reference data without decoding it: the
// first call of one of its methods does (about 30 ms of CPU), which lets a
// process start without paying for data it may not use. Like MustLoad, it
// panics then on a broken build; the package's tests decode the data.
func Deferred() *Data { return shared }

func (d *Data) decode() {
	t, err := parse(epciTSV, communesTSV)
	if err == nil {
		d.tables = t
	}
	d.err = err
}

// get returns the tables, decoded on first use.
func (d *Data) get() *tables {
	d.once.Do(d.decode)
	if d.err != nil {
		panic(d.err)
	}
	return d.tables
}

// parse reads the EPCI and communes files, tab-separated, one record a
// line.
func parse(epciText, communeText string) (*tables, error) {
	epcis := make([]EPCI, 0, strings.Count(epciText, "\n"))
	var f [8]string
	err := eachRecord("data/epci.tsv", epciText, f[:4], func() error {
		pop, err := strconv.Atoi(f[3])
		if err != nil {
			return err
		}
		epcis = append(epcis, EPCI{SIREN: f[0], Name: f[1], Type: f[2], Population: pop})
		return nil
	})
	if err != nil {
		return nil, err
	}
	d := &tables{communes: make(map[string]*Commune, strings.Count(communeText, "\n")), epcis: make(map[string]*EPCI, len(epcis))}
	for i := range epcis {
		d.epcis[epcis[i].SIREN] = &epcis[i]
	}
	communes := make([]Commune, 0, strings.Count(communeText, "\n"))
	// Postal codes of all communes share one backing array.
	postal := make([]string, 0, strings.Count(communeText, "\n")+strings.Count(communeText, ","))
	err = eachRecord("data/communes.tsv", communeText, f[:8], func() error {
		pop, err := strconv.Atoi(f[4])
		if err != nil {
			return err
		}
		// A delegated commune may share its code with the current one; the
		// current commune wins.
		if prev, ok := d.communes[f[0]]; ok && prev.Type == CommuneCurrent {
			return nil
		}
		communes = append(communes, Commune{INSEE: f[0], Type: CommuneType(f[1]), Name: f[2], SIREN: f[3], Population: pop, Departement: f[5], EPCI: f[6]})
		c := &communes[len(communes)-1]
		if codes := f[7]; codes != "" {
			from := len(postal)
			for {
				code, rest, more := strings.Cut(codes, ",")
				postal = append(postal, code)
				if !more {
					break
				}
				codes = rest
			}
			c.PostalCodes = postal[from:len(postal):len(postal)]
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

// eachRecord splits text into lines and each line into len(fields) fields,
// then calls fn.
func eachRecord(name, text string, fields []string, fn func() error) error {
	for line := 1; text != ""; line++ {
		rec, rest, _ := strings.Cut(text, "\n")
		text = rest
		n := 0
		for {
			field, after, more := strings.Cut(rec, "\t")
			if n < len(fields) {
				fields[n] = field
			}
			n++
			if !more {
				break
			}
			rec = after
		}
		if n != len(fields) {
			return fmt.Errorf("%s:%d: %d champs au lieu de %d", name, line, n, len(fields))
		}
		if err := fn(); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return nil
}

// Commune returns the commune with that INSEE code.
func (d *Data) Commune(insee string) (*Commune, bool) {
	c, ok := d.get().communes[insee]
	return c, ok
}

// EPCI returns the intercommunality with that SIREN.
func (d *Data) EPCI(siren string) (*EPCI, bool) {
	e, ok := d.get().epcis[siren]
	return e, ok
}

// Counts returns the number of communes (all types) and EPCI loaded.
func (d *Data) Counts() (communes, epcis int) {
	t := d.get()
	return len(t.communes), len(t.epcis)
}

// CommunesIn returns the communes of every type whose département is dep,
// sorted by INSEE code.
func (d *Data) CommunesIn(dep string) []*Commune {
	var out []*Commune
	for _, c := range d.get().communes {
		if c.Departement == dep {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].INSEE < out[j].INSEE })
	return out
}
