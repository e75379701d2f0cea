package bench

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store/pgtest"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// BenchmarkImportAgainstRawLoad times `ctg import` of a convention of
// 10,000 equipments (a new one, then the same again with --replace)
// against the raw load of the same rows by the database's own client
// (sqlite3 .import, psql \copy), alternately in the same run, and reports
// the ratios of wall and CPU time, on SQLite and on a PostgreSQL it
// starts. The test binary acts as ctg (TestMain of run_test.go).
//
//	go test ./internal/bench -run XXX -bench ImportAgainstRawLoad -benchtime 5x
func BenchmarkImportAgainstRawLoad(b *testing.B) {
	n := 10000
	if s := os.Getenv("CTG_BENCH_EQUIPMENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ref := territory.MustLoad()
	c := newGen(ref, 1, -1).convention(PickEPCIs(ref, 1, 1)[0], n)
	b.Run("sqlite", func(b *testing.B) {
		dir := b.TempDir()
		importAgainstRaw(b, dir, filepath.Join(dir, "ctg.db"), "", c)
	})
	b.Run("postgres", func(b *testing.B) {
		srv, err := pgtest.Start()
		if err != nil {
			b.Skip(err)
		}
		defer srv.Stop()
		dsn, err := srv.CreateDatabase(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		importAgainstRaw(b, b.TempDir(), dsn, dsn, c)
	})
}

func importAgainstRaw(b *testing.B, dir, dsn, pg string, conv *model.Convention) {
	ctx := context.Background()
	db, err := OpenDB(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	r := &runner{cfg: Config{Binary: os.Args[0], Env: []string{"CTG_BENCH_TEST_AS_CTG=1"}, Dir: dir, PG: pg}, dsn: dsn}
	csvFile := filepath.Join(dir, "equipments.csv")
	if err := writeEquipmentsCSV(csvFile, conv.Equipments); err != nil {
		b.Fatal(err)
	}
	var wall, cpu, rwall, rcpu, replWall, replCPU time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		conv.Slug = "synthetique-import-" + strconv.Itoa(i)
		data, err := interchange.Encode(conv)
		if err != nil {
			b.Fatal(err)
		}
		file := filepath.Join(dir, conv.Slug+".yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, replace := range []bool{false, true} {
			args := []string{"import", "--db", dsn, file}
			if replace {
				args = []string{"import", "--replace", "--db", dsn, file}
			}
			t := time.Now()
			cmd := r.command(ctx, args...)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("ctg import : %v\n%s", err, out)
			}
			if replace {
				replWall, replCPU = replWall+time.Since(t), replCPU+cpuOf(cmd)
			} else {
				wall, cpu = wall+time.Since(t), cpu+cpuOf(cmd)
			}
		}
		w, c, _, err := r.rawImport(ctx, csvFile, conv.Equipments)
		if err != nil {
			b.Fatal(err)
		}
		rwall, rcpu = rwall+w, rcpu+c
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
	b.ReportMetric(per(wall), "import-ms")
	b.ReportMetric(per(replWall), "replace-ms")
	b.ReportMetric(per(rwall), "raw-ms")
	b.ReportMetric(float64(wall)/float64(rwall), "wall-ratio")
	b.ReportMetric(float64(replWall)/float64(rwall), "replace-wall-ratio")
	if rcpu > 0 {
		b.ReportMetric(float64(cpu)/float64(rcpu), "cpu-ratio")
		b.ReportMetric(float64(replCPU)/float64(rcpu), "replace-cpu-ratio")
	}
}
