package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// ValuesImport is what MeasureValuesImport measured: the import of a
// values file through the service, first into an empty convention, then
// again with every line changed (all corrections), and the raw load of
// the same lines into a plain table of the same database.
type ValuesImport struct {
	Values            int
	Bytes             int
	First, Again, Raw time.Duration
	// How says what loaded the raw rows.
	How string
	// Insert is the load of the same rows by multi-row INSERTs through
	// database/sql, the driver ctg uses (pure-Go SQLite, pgx).
	Insert time.Duration
}

// valuesRawTable is the plain table the raw rows go to.
const valuesRawTable = "bench_raw_values"

var valuesRawColumns = []string{"code", "period", "breakdown", "value", "text_value", "source", "comment"}

// MeasureValuesImport creates a convention of slug whose indicators are
// broken down by partner, so that n values fit, writes n values as a CSV
// file in dir and times its import by the service (`ImportValuesCSV`, the
// path of the web upload), first and again with every line corrected,
// against the load of the same lines into a plain table by the database's
// own client (sqlite3 .import, psql \copy) or, without it, by multi-row
// INSERTs through database/sql. dsn is the database of d; pg says it is
// PostgreSQL.
func MeasureValuesImport(ctx context.Context, d *DB, dsn string, pg bool, dir, slug string, n int, seed uint64) (ValuesImport, error) {
	ref := territory.MustLoad()
	g := newGen(ref, seed, -2)
	c := g.convention(PickEPCIs(ref, 1, seed)[0], 5)
	c.Slug = slug
	var codes []string
	for ai := range c.Axes {
		for fi := range c.Axes[ai].Fiches {
			f := &c.Axes[ai].Fiches[fi]
			for ii := range f.Indicators {
				f.Indicators[ii].Dimensions = []string{"partner"}
				codes = append(codes, f.Indicators[ii].Code)
			}
		}
	}
	data, err := interchange.Encode(c)
	if err != nil {
		return ValuesImport{}, err
	}
	if _, err := d.Service.Import(ctx, data, false); err != nil {
		return ValuesImport{}, fmt.Errorf("convention %s : %w", slug, err)
	}
	var years []string
	for y := c.Period.Start.Year; y <= c.Period.End.Year; y++ {
		years = append(years, fmt.Sprint(y))
	}
	perPartner := len(codes) * len(years)
	rows := make([][]string, 0, n)
	for i := 0; len(rows) < n; i++ {
		code, year := codes[i%perPartner/len(years)], years[i%len(years)]
		rows = append(rows, []string{code, year, fmt.Sprintf("partner=Partenaire %05d", i/perPartner+1),
			indicators.FormatNumber(float64(g.r.IntN(5000))), "", "fichier de mesure", ""})
	}
	file := func(source string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Comma = ';'
		w.Write([]string{"Code", "Période", "Ventilation", "Valeur", "Texte", "Source", "Commentaire"})
		for _, r := range rows {
			r[5] = source
			w.Write(r)
		}
		w.Flush()
		return b.Bytes()
	}
	first, again := file("fichier de mesure"), file("fichier de mesure, corrigé")
	out := ValuesImport{Values: n, Bytes: len(first)}
	for _, step := range []struct {
		data []byte
		d    *time.Duration
	}{{first, &out.First}, {again, &out.Again}} {
		t := time.Now()
		got, err := d.Service.ImportValuesCSV(ctx, auth.System, slug, bytes.NewReader(step.data))
		*step.d = time.Since(t)
		if err != nil {
			return out, fmt.Errorf("import des valeurs : %w", err)
		}
		if got != n {
			return out, fmt.Errorf("import des valeurs : %d valeurs écrites sur %d", got, n)
		}
	}
	raw := filepath.Join(dir, slug+"-raw.csv")
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	if err := os.WriteFile(raw, b.Bytes(), 0o644); err != nil {
		return out, err
	}
	defer os.Remove(raw)
	if out.Raw, out.How, err = rawValues(ctx, dsn, pg, raw, rows); err != nil {
		return out, err
	}
	db, err := rawOpen(dsn, pg)
	if err != nil {
		return out, err
	}
	defer db.Close()
	t := time.Now()
	err = rawInsert(ctx, db, pg, rows)
	out.Insert = time.Since(t)
	db.ExecContext(ctx, "DROP TABLE IF EXISTS "+valuesRawTable)
	return out, err
}

func rawValuesCreate() string {
	return "CREATE TABLE " + valuesRawTable + " (" + strings.Join(valuesRawColumns, " TEXT, ") + " TEXT)"
}

// rawValues loads the rows into a plain table and drops it.
func rawValues(ctx context.Context, dsn string, pg bool, csvFile string, rows [][]string) (time.Duration, string, error) {
	var cmd *exec.Cmd
	var how string
	if pg {
		if psql, err := exec.LookPath("psql"); err == nil {
			how = "psql \\copy"
			cmd = exec.CommandContext(ctx, psql, dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", rawValuesCreate(),
				"-c", fmt.Sprintf(`\copy %s FROM '%s' WITH (FORMAT csv)`, valuesRawTable, csvFile))
		}
	} else if sqlite, err := exec.LookPath("sqlite3"); err == nil {
		how = "sqlite3 .import"
		cmd = exec.CommandContext(ctx, sqlite, strings.TrimPrefix(strings.SplitN(dsn, "?", 2)[0], "file:"))
		cmd.Stdin = strings.NewReader(rawValuesCreate() + ";\n.import --csv " + csvFile + " " + valuesRawTable + "\n")
	}
	db, err := rawOpen(dsn, pg)
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	defer db.ExecContext(ctx, "DROP TABLE IF EXISTS "+valuesRawTable)
	if cmd != nil {
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, "", fmt.Errorf("%s : %w\n%s", how, err, out)
		}
		return time.Since(t), how, nil
	}
	t := time.Now()
	err = rawInsert(ctx, db, pg, rows)
	return time.Since(t), "INSERT multi-lignes (database/sql)", err
}

func rawOpen(dsn string, pg bool) (*sql.DB, error) {
	if pg {
		return sql.Open("pgx", dsn)
	}
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	if !strings.Contains(dsn, "?") {
		dsn += "?_pragma=busy_timeout(10000)"
	}
	return sql.Open("sqlite", dsn)
}

// rawInsert loads the rows by multi-row INSERTs of 500 rows, in one
// transaction.
func rawInsert(ctx context.Context, db *sql.DB, pg bool, rows [][]string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, rawValuesCreate()); err != nil {
		return err
	}
	for start := 0; start < len(rows); start += 500 {
		var q strings.Builder
		var args []any
		q.WriteString("INSERT INTO " + valuesRawTable + " VALUES ")
		for i, r := range rows[start:min(start+500, len(rows))] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, v := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				if pg {
					fmt.Fprintf(&q, "$%d", len(args))
				} else {
					q.WriteString("?")
				}
			}
			q.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// valuesImportMeasure adds to the report the import of 100,000 values
// (2,000 in a quick run) into the benchmark's database.
func (r *runner) valuesImportMeasure(ctx context.Context) error {
	n := 100000
	if r.cfg.Quick {
		n = 2000
	}
	d, err := OpenDB(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	m, err := MeasureValuesImport(ctx, d, r.dsn, r.cfg.PG != "", r.cfg.Dir, fmt.Sprintf("synthetique-valeurs-%d", n), n, r.cfg.Seed)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("import CSV de %d valeurs (%d Ko)", n, m.Bytes>>10)
	r.add(what+", premier import", ms(m.First), m.How+" : "+ms(m.Raw), ratio(m.First, m.Raw), "≤ 1,5×")
	r.add(what+", réimport (toutes corrigées)", ms(m.Again), m.How+" : "+ms(m.Raw), ratio(m.Again, m.Raw), "≤ 3×")
	r.add(what+", premier import / INSERT multi-lignes par le pilote de ctg", ms(m.First), ms(m.Insert), ratio(m.First, m.Insert), "(information)")
	return nil
}
