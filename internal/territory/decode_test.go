package territory

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// lineByLine reads the data files the plain way, one string per field,
// as the package did before: the reference the decoding in place must
// give. open gives the text of a file.
func lineByLine(t testing.TB, open func(name string) io.Reader) (map[string]*Commune, map[string]*EPCI) {
	t.Helper()
	read := func(name string, fields int, fn func([]string)) {
		sc := bufio.NewScanner(open(name))
		for sc.Scan() {
			f := strings.Split(sc.Text(), "\t")
			if len(f) != fields {
				t.Fatalf("%s : %d champs dans %q", name, len(f), sc.Text())
			}
			fn(f)
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	communes, epcis := map[string]*Commune{}, map[string]*EPCI{}
	read("data/epci.tsv", 4, func(f []string) {
		epcis[f[0]] = &EPCI{SIREN: f[0], Name: f[1], Type: f[2], Population: atoi(f[3])}
	})
	read("data/communes.tsv", 8, func(f []string) {
		c := &Commune{INSEE: f[0], Type: CommuneType(f[1]), Name: f[2], SIREN: f[3], Population: atoi(f[4]), Departement: f[5], EPCI: f[6]}
		if f[7] != "" {
			c.PostalCodes = strings.Split(f[7], ",")
		}
		if prev, ok := communes[c.INSEE]; ok && prev.Type == CommuneCurrent {
			return
		}
		communes[c.INSEE] = c
		if e, ok := epcis[c.EPCI]; ok {
			e.Members = append(e.Members, c.INSEE)
		}
	})
	for _, e := range epcis {
		sort.Strings(e.Members)
	}
	return communes, epcis
}

func TestDecodeGivesEveryRecordOfTheFiles(t *testing.T) {
	communes, epcis := lineByLine(t, func(name string) io.Reader {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return bytes.NewReader(b)
	})
	d := MustLoad()
	if n, m := d.Counts(); n != len(communes) || m != len(epcis) {
		t.Fatalf("%d communes et %d EPCI décodés, %d et %d dans les fichiers", n, m, len(communes), len(epcis))
	}
	for code, want := range communes {
		if got, ok := d.Commune(code); !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("commune %s = %+v, attendu %+v", code, got, want)
		}
	}
	for siren, want := range epcis {
		if got, ok := d.EPCI(siren); !ok || !reflect.DeepEqual(got, want) {
			t.Fatalf("EPCI %s = %+v, attendu %+v", siren, got, want)
		}
	}
}

func TestDecodeNamesTheLineOfAMalformedRecord(t *testing.T) {
	_, err := parse("200000172\tCC Exemple\tCC\t1000\n200000173\tCC Autre\tCC\n", "")
	if err == nil || !strings.Contains(err.Error(), "epci.tsv:2: 3 champs au lieu de 4") {
		t.Errorf("erreur = %v", err)
	}
	_, err = parse("", "01001\tc\tL'Abergement\t210100012\t860\t01\t200069193\t01400\textra\n")
	if err == nil || !strings.Contains(err.Error(), "communes.tsv:1: 9 champs au lieu de 8") {
		t.Errorf("erreur = %v", err)
	}
}

// BenchmarkDecode decodes the data as the package did before (gzip-
// compressed files, read line by line) and in place, alternately, and
// reports how many times cheaper the latter is.
func BenchmarkDecode(b *testing.B) {
	gzipped := map[string][]byte{}
	for _, name := range []string{"data/epci.tsv", "data/communes.tsv"} {
		text, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(text)
		zw.Close()
		gzipped[name] = buf.Bytes()
	}
	gunzip := func(name string) io.Reader {
		zr, err := gzip.NewReader(bytes.NewReader(gzipped[name]))
		if err != nil {
			b.Fatal(err)
		}
		return zr
	}
	var before, after time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		lineByLine(b, gunzip)
		middle := time.Now()
		if _, err := parse(epciTSV, communesTSV); err != nil {
			b.Fatal(err)
		}
		before, after = before+middle.Sub(start), after+time.Since(middle)
	}
	ratio := float64(before) / float64(max(after, 1))
	b.ReportMetric(ratio, "fois-plus-rapide")
	b.Logf("avant (gzip, ligne à ligne) %v, lecture en place %v sur %d tours : %.1f fois plus rapide", before, after, b.N, ratio)
}

func TestDeferredDecodesOnFirstUse(t *testing.T) {
	d := &Data{}
	if d.tables != nil {
		t.Fatal("données décodées avant tout usage")
	}
	if c, ok := d.Commune("04088"); !ok || c.Name != "Forcalquier" {
		t.Errorf("Forcalquier = %+v", c)
	}
	if d.tables == nil {
		t.Error("données non gardées après le premier usage")
	}
}
