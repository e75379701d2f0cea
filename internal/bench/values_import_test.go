package bench_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ctg-territoires/ctg/internal/bench"
	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

// BenchmarkValuesImport imports 100,000 values from CSV through the
// service, first and again with every line corrected, and loads the same
// lines raw into the same database (sqlite3 .import, psql \copy, or
// multi-row INSERTs), in the same run; it reports the ratios. Run it with
//
//	go test ./internal/bench -run XXX -bench ValuesImport -benchtime 1x
func BenchmarkValuesImport(b *testing.B) {
	const n = 100000
	ctx := context.Background()
	run := func(b *testing.B, dsn string, pg bool) {
		d, err := bench.OpenDB(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		var first, again, insert float64
		k := 0
		for i := 0; b.Loop(); i++ {
			k++
			m, err := bench.MeasureValuesImport(ctx, d, dsn, pg, b.TempDir(), fmt.Sprintf("valeurs-%d", i), n, 1)
			if err != nil {
				b.Fatal(err)
			}
			first += float64(m.First) / float64(m.Raw)
			again += float64(m.Again) / float64(m.Raw)
			insert += float64(m.First) / float64(m.Insert)
			b.Logf("%d valeurs : premier import %s, réimport %s, %s %s, INSERT multi-lignes %s", n, m.First, m.Again, m.How, m.Raw, m.Insert)
		}
		b.ReportMetric(first/float64(k), "first/raw")
		b.ReportMetric(again/float64(k), "again/raw")
		b.ReportMetric(insert/float64(k), "first/insert")
	}
	b.Run("sqlite", func(b *testing.B) {
		run(b, filepath.Join(b.TempDir(), "ctg.db"), false)
	})
	b.Run("postgres", func(b *testing.B) {
		srv, err := pgtest.Start()
		if errors.Is(err, pgtest.ErrUnavailable) {
			b.Skip(err)
		}
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Stop()
		dsn, err := srv.CreateDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		run(b, dsn, true)
	})
}
