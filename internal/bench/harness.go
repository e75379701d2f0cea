package bench

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver, to create the benchmark's database

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// Config says what the benchmark measures and where.
type Config struct {
	// Binary is the ctg executable started as a server and for imports;
	// Env is added to its environment.
	Binary string
	Env    []string
	// Dir holds the SQLite database, the files and the server's logs.
	Dir string
	// PG, when set, is a PostgreSQL URL: the benchmark creates a database
	// of its own on that server, and drops it at the end.
	PG          string
	Conventions int
	Seed        uint64
	// Quick runs few conventions and few requests: it checks that the
	// benchmark runs, and measures nothing worth keeping.
	Quick bool
	// ImportEquipments is the size of the imported convention (10,000).
	ImportEquipments int
	// Log receives progress lines.
	Log io.Writer
}

// Result is one line of the benchmark's table.
type Result struct {
	What, Measured, Baseline, Ratio, Goal string
}

// Report is what a run measured.
type Report struct {
	Database    string
	Conventions int
	Generation  time.Duration // generating and loading the conventions
	// Load is the machine's load average (/proc/loadavg, 1 minute) at the
	// start and at the end of the run: other work on the machine weighs
	// on every figure.
	Load    [2]string
	Results []Result
}

// Markdown writes the report as a table.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "Base : %s — %d conventions, chargées en %s ; charge de la machine (1 min) : %s au début, %s à la fin\n\n",
		r.Database, r.Conventions, ms(r.Generation), r.Load[0], r.Load[1])
	fmt.Fprintln(w, "| mesure | mesuré | référence | rapport | objectif |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, x := range r.Results {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", x.What, x.Measured, x.Baseline, x.Ratio, x.Goal)
	}
}

type runner struct {
	cfg Config
	dsn string
	// dsn1 is a second database holding the first convention alone: a
	// server on it answers, in alternation with the one on dsn, the
	// baselines at 1 convention of the pages measured at every step.
	dsn1     string
	password string
	token    string // an API token of the administrator
	report   *Report
	ds       *Dataset
	loaded   int
	at1      stepFigures // statements and `ctg report` at 1 convention
}

func (r *runner) logf(format string, args ...any) {
	if r.cfg.Log != nil {
		fmt.Fprintf(r.cfg.Log, format+"\n", args...)
	}
}

func (r *runner) add(what, measured, baseline, ratio, goal string) {
	r.report.Results = append(r.report.Results, Result{what, measured, baseline, ratio, goal})
	r.logf("  %s : %s (référence %s, rapport %s ; objectif %s)", what, measured, baseline, ratio, goal)
}

// Run fills a database with the national dataset in three steps (1, 100
// and all conventions), measures each figure against its baseline and
// returns the table.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Conventions <= 0 {
		cfg.Conventions = DefaultConventions
	}
	if cfg.ImportEquipments <= 0 {
		cfg.ImportEquipments = 10000
	}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "ctg-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	} else if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, password: auth.RandomToken(16), report: &Report{Database: "SQLite", Conventions: cfg.Conventions}}
	r.dsn, r.dsn1 = filepath.Join(cfg.Dir, "ctg-bench.db"), filepath.Join(cfg.Dir, "ctg-bench-1.db")
	for _, f := range []string{r.dsn1, r.dsn1 + "-wal", r.dsn1 + "-shm"} {
		os.Remove(f)
	}
	if cfg.PG != "" {
		for _, dsn := range []*string{&r.dsn, &r.dsn1} {
			created, drop, err := createPGDatabase(ctx, cfg.PG)
			if err != nil {
				return nil, err
			}
			defer drop()
			*dsn = created
		}
		r.report.Database = "PostgreSQL"
	}
	r.report.Load[0] = loadAverage()
	err := r.run(ctx)
	r.report.Load[1] = loadAverage()
	return r.report, err
}

func (r *runner) run(ctx context.Context) error {
	ref := territory.MustLoad()
	t0 := time.Now()
	ds, err := Generate(ref, Options{Seed: r.cfg.Seed, Conventions: r.cfg.Conventions})
	if err != nil {
		return err
	}
	r.ds = ds
	r.logf("jeu de %d conventions généré en %s", len(ds.Conventions), time.Since(t0).Round(time.Millisecond))
	db, err := OpenDB(ctx, r.dsn)
	if err != nil {
		return err
	}
	err = db.EnsureAdmin(ctx, r.password)
	if err == nil {
		r.token, err = db.Token(ctx)
	}
	db.Close()
	if err != nil {
		return err
	}
	ref1, err := r.reference(ctx)
	if err != nil {
		return err
	}
	defer ref1.stop()

	// The conventions list and the portfolio at 1, at 100 (or a tenth in
	// a quick run) and at every convention, one connection, each request
	// alternated with one to the server holding 1 convention: both see
	// the same moments of a shared machine.
	steps := []int{1, min(100, r.cfg.Conventions), r.cfg.Conventions}
	if r.cfg.Quick {
		steps = []int{1, max(2, r.cfg.Conventions/2), r.cfg.Conventions}
	}
	steps = slices.Compact(steps)
	var loadTime time.Duration
	for i, n := range steps {
		t := time.Now()
		if err := r.loadUpTo(ctx, n); err != nil {
			return err
		}
		loadTime += time.Since(t)
		r.logf("%d convention(s) chargée(s) (%s au total)", n, loadTime.Round(time.Second))
		srv, err := r.start(ctx, r.dsn)
		if err != nil {
			return err
		}
		// The server just started decodes its reference data and parses
		// its layout in the background: the pages are measured once it
		// has settled (its start is measured apart, below).
		if !r.cfg.Quick {
			time.Sleep(2 * time.Second)
		}
		s, at1 := alternate(ctx, srv, ref1, "/conventions", r.requests(1000))
		r.add(fmt.Sprintf("liste des conventions à %d, p50 (1 connexion)", n), ms(s.p50()), "à 1, en alternance : "+ms(at1.p50()), ratio(s.p50(), at1.p50()), "≤ 1,5×")
		r.portfolio(ctx, srv, ref1, n)
		if err := r.atStep(ctx, n, i == 0, i == len(steps)-1); err != nil {
			srv.stop()
			return err
		}
		if i < len(steps)-1 {
			srv.stop()
			continue
		}
		if err := r.atScale(ctx, srv); err != nil {
			srv.stop()
			return err
		}
		srv.stop()
	}
	r.report.Generation = loadTime
	r.add(fmt.Sprintf("chargement du jeu (import, valeurs, comptes) de %d conventions", r.cfg.Conventions), ms(loadTime),
		"", "", "(information)")
	if err := r.multiInstance(ctx); err != nil {
		return err
	}
	if err := r.coldStart(ctx); err != nil {
		return err
	}
	if err := r.importMeasure(ctx); err != nil {
		return err
	}
	if err := r.valuesImportMeasure(ctx); err != nil {
		return err
	}
	return r.version(ctx)
}

func (r *runner) requests(full int) int {
	if r.cfg.Quick {
		return 3
	}
	return full
}

func (r *runner) budget(full time.Duration) time.Duration {
	if r.cfg.Quick {
		return 5 * time.Second
	}
	return full
}

// reference loads the first convention alone into dsn1, with the same
// administrator, and starts a server on it.
func (r *runner) reference(ctx context.Context) (*server, error) {
	db, err := OpenDB(ctx, r.dsn1)
	if err != nil {
		return nil, err
	}
	err = db.EnsureAdmin(ctx, r.password)
	if err == nil {
		err = db.Load(ctx, r.ds, 0, 1)
	}
	db.Close()
	if err != nil {
		return nil, err
	}
	return r.start(ctx, r.dsn1)
}

// alternate requests path from a then b, n times, one connection each:
// the two servers are measured at the same moments of the machine.
func alternate(ctx context.Context, a, b *server, path string, n int) (stats, stats) {
	// As many pairs first, unmeasured: a server started a moment ago
	// answers its first thousand pages or so slower (its runtime sizing its
	// memory, its database connections filling their caches), more so for
	// bigger pages; the steady state is what is compared.
	for range n {
		a.get(ctx, path, session)
		b.get(ctx, path, session)
	}
	defer holdCollector()()
	out := [2]stats{{path: path}, {path: path}}
	t := time.Now()
	for range n {
		for i, s := range []*server{a, b} {
			start := time.Now()
			if msg := s.get(ctx, path, session); msg != "" {
				out[i].errors++
				out[i].lastError = msg
				continue
			}
			out[i].count++
			out[i].durations = append(out[i].durations, time.Since(start))
		}
	}
	out[0].elapsed, out[1].elapsed = time.Since(t), time.Since(t)
	return out[0], out[1]
}

func (r *runner) loadUpTo(ctx context.Context, n int) error {
	db, err := OpenDB(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Load(ctx, r.ds, r.loaded, n); err != nil {
		return err
	}
	r.loaded = n
	return nil
}

// atScale measures the pages of a running server holding the whole
// dataset.
func (r *runner) atScale(ctx context.Context, srv *server) error {
	slug := r.ds.Conventions[0].Convention.Slug
	workers := 16
	if r.cfg.Quick {
		workers = 4
	}
	n := r.cfg.Conventions
	static := srv.measure(ctx, "/static/style.css", workers, r.requests(2000), r.budget(15*time.Second))
	dash := srv.measure(ctx, "/c/"+slug+"/indicateurs", workers, r.requests(400), r.budget(30*time.Second))
	r.add(fmt.Sprintf("tableau de bord p99 / fichier statique p99, %d connexions, %d conventions", workers, n),
		ms(dash.p99()), ms(static.p99()), ratio(dash.p99(), static.p99()), "≤ 3×")
	over := srv.measure(ctx, "/c/"+slug, workers, r.requests(400), r.budget(30*time.Second))
	r.add(fmt.Sprintf("vue d'ensemble à %d, %d connexions", n, workers), fmt.Sprintf("%s req/s, p50 %s", perSecond(over.rate()), ms(over.p50())),
		fmt.Sprintf("tableau de bord : %s req/s, p50 %s", perSecond(dash.rate()), ms(dash.p50())), ratio(over.p50(), dash.p50()), "≤ 2× le tableau de bord")
	// Static files, anonymous and with an API token, one connection.
	anon := srv.measureAs(ctx, "/static/style.css", "", 1, r.requests(500), r.budget(10*time.Second))
	withToken := srv.measureAs(ctx, "/static/style.css", r.token, 1, r.requests(500), r.budget(10*time.Second))
	r.add("fichier statique avec un jeton d'API, p50 (1 connexion)", ms(withToken.p50()), "sans authentification : "+ms(anon.p50()),
		ratio(withToken.p50(), anon.p50()), "le fichier statique ne touche pas la base")
	list := srv.measure(ctx, "/conventions", workers, r.requests(workers), r.budget(60*time.Second))
	measured := fmt.Sprintf("p50 %s, p99 %s, %d réponse(s) sur %d", ms(list.p50()), ms(list.p99()), list.count, list.count+list.errors)
	if list.errors > 0 {
		measured += fmt.Sprintf(" ; %d erreur(s), dont « %s »", list.errors, list.lastError)
	}
	r.add(fmt.Sprintf("liste des conventions à %d, %d connexions", n, workers), measured,
		"", "", "p50 ≤ 1,5× celui à 1")
	r.add(fmt.Sprintf("mémoire du serveur après la liste à %d connexions", workers), fmt.Sprintf("%s (pic : %s)", mib(srv.rss("VmRSS")), mib(srv.rss("VmHWM"))),
		"", "", "une liste lit des résumés : la mémoire reste celle du repos")
	// The list at scale may fail (the server's write timeout): that is a
	// figure, not a failure of the benchmark.
	for _, s := range []stats{static, dash, over, anon, withToken} {
		if s.errors > 0 && s.count == 0 {
			return fmt.Errorf("%s : aucune réponse 200 (%s)", s.path, s.lastError)
		}
	}
	return nil
}

// coldStart starts the server three times on the full database: the
// time to its first 200, and its memory once idle.
func (r *runner) coldStart(ctx context.Context) error {
	var starts []time.Duration
	var rss []int64
	for i := 0; i < 3; i++ {
		// At rest: before anyone signs in, since checking a password
		// takes the 64 MiB of argon2id, which the runtime gives back to
		// the system only over the following minutes.
		srv, err := r.launch(ctx, r.dsn)
		if err != nil {
			return err
		}
		starts = append(starts, srv.started)
		time.Sleep(time.Second)
		rss = append(rss, srv.rss("VmRSS"))
		srv.stop()
	}
	slices.Sort(starts)
	slices.Sort(rss)
	r.add("démarrage à froid jusqu'au premier 200, base existante (médiane de 3)", ms(starts[1]), "", "", "≤ 100 ms")
	r.add("mémoire au repos après le démarrage (VmRSS, médiane de 3)", mib(rss[1]), "", "", "≤ 60 Mo (viser 40 Mo)")
	return nil
}

// version times `ctg version`, the process's start alone.
func (r *runner) version(ctx context.Context) error {
	var times []time.Duration
	for i := 0; i < 10; i++ {
		t := time.Now()
		if out, err := r.command(ctx, "version").CombinedOutput(); err != nil {
			return fmt.Errorf("ctg version : %w\n%s", err, out)
		}
		times = append(times, time.Since(t))
	}
	slices.Sort(times)
	r.add("ctg version (médiane de 10)", ms(times[5]), "", "", "≤ 20 ms")
	return nil
}

func (r *runner) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.cfg.Binary, args...)
	cmd.Env = append(append(os.Environ(), "CTG_DATA_DIR="+r.cfg.Dir), r.cfg.Env...)
	return cmd
}

// importMeasure times `ctg import` of a convention with many equipments
// against the raw load of the same rows into a plain table by the
// database's own client (sqlite3 .import, psql \copy), or, without that
// client, by a multi-row INSERT through database/sql.
func (r *runner) importMeasure(ctx context.Context) error {
	ref := territory.MustLoad()
	g := newGen(ref, r.cfg.Seed, -1)
	picks := PickEPCIs(ref, 1, r.cfg.Seed)
	c := g.convention(picks[0], r.cfg.ImportEquipments)
	c.Slug = "synthetique-import-" + strconv.Itoa(r.cfg.ImportEquipments)
	data, err := interchange.Encode(c)
	if err != nil {
		return err
	}
	yamlFile := filepath.Join(r.cfg.Dir, c.Slug+".yaml")
	csvFile := filepath.Join(r.cfg.Dir, c.Slug+".csv")
	if err := os.WriteFile(yamlFile, data, 0o644); err != nil {
		return err
	}
	if err := writeEquipmentsCSV(csvFile, c.Equipments); err != nil {
		return err
	}
	t := time.Now()
	cmd := r.command(ctx, "import", "--db", r.dsn, yamlFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ctg import : %w\n%s", err, out)
	}
	wall, cpu := time.Since(t), cpuOf(cmd)
	bwall, bcpu, how, err := r.rawImport(ctx, csvFile, c.Equipments)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("ctg import d'une convention de %d équipements (%d Ko)", r.cfg.ImportEquipments, len(data)>>10)
	r.add(what+", temps écoulé", ms(wall), how+" : "+ms(bwall), ratio(wall, bwall), "≤ 1,5×")
	if bcpu > 0 {
		r.add(what+", temps processeur", ms(cpu), how+" : "+ms(bcpu), ratio(cpu, bcpu), "≤ 1,5×")
	}
	return nil
}

var rawColumns = []string{"operator_name", "operator", "name", "activity_type", "activity_nature", "address", "postal_code", "city", "commune", "places"}

func equipmentRow(e model.Equipment) []string {
	return []string{e.OperatorName, e.Operator, e.Name, e.ActivityType, e.ActivityNature, strings.Join(e.Address, "\n"), e.PostalCode, e.City, e.Commune, strconv.Itoa(e.Places)}
}

func writeEquipmentsCSV(path string, eqs []model.Equipment) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	for _, e := range eqs {
		w.Write(equipmentRow(e))
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

const rawTable = "bench_raw_equipments"

func rawCreate() string {
	cols := make([]string, len(rawColumns))
	for i, c := range rawColumns {
		cols[i] = c + " TEXT"
	}
	return "CREATE TABLE " + rawTable + " (" + strings.Join(cols, ", ") + ")"
}

// rawImport loads the rows into a plain table of the same database and
// drops it; it returns the wall and CPU times of the load and what did it.
func (r *runner) rawImport(ctx context.Context, csvFile string, eqs []model.Equipment) (time.Duration, time.Duration, string, error) {
	var cmd *exec.Cmd
	var how string
	if r.cfg.PG != "" {
		if psql, err := exec.LookPath("psql"); err == nil {
			how = "psql \\copy"
			cmd = exec.CommandContext(ctx, psql, r.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", rawCreate(),
				"-c", fmt.Sprintf(`\copy %s FROM '%s' WITH (FORMAT csv)`, rawTable, csvFile))
		}
	} else if sqlite, err := exec.LookPath("sqlite3"); err == nil {
		how = "sqlite3 .import"
		cmd = exec.CommandContext(ctx, sqlite, r.dsn)
		cmd.Stdin = strings.NewReader(rawCreate() + ";\n.import --csv " + csvFile + " " + rawTable + "\n")
	}
	defer r.dropRaw(ctx)
	if cmd != nil {
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, 0, "", fmt.Errorf("%s : %w\n%s", how, err, out)
		}
		return time.Since(t), cpuOf(cmd), how, nil
	}
	// No client: one multi-row INSERT per 500 rows, in one transaction.
	how = "INSERT multi-lignes (database/sql)"
	t := time.Now()
	db, err := r.rawDB()
	if err != nil {
		return 0, 0, "", err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, rawCreate()); err != nil {
		return 0, 0, "", err
	}
	for start := 0; start < len(eqs); start += 500 {
		end := min(start+500, len(eqs))
		var q strings.Builder
		var args []any
		q.WriteString("INSERT INTO " + rawTable + " VALUES ")
		for i, e := range eqs[start:end] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(")
			for j, v := range equipmentRow(e) {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				if r.cfg.PG != "" {
					fmt.Fprintf(&q, "$%d", len(args))
				} else {
					q.WriteString("?")
				}
			}
			q.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return 0, 0, "", err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, "", err
	}
	return time.Since(t), 0, how, nil
}

func (r *runner) rawDB() (*sql.DB, error) {
	if r.cfg.PG != "" {
		return sql.Open("pgx", r.dsn)
	}
	return sql.Open("sqlite", "file:"+r.dsn+"?_pragma=busy_timeout(10000)")
}

func (r *runner) dropRaw(ctx context.Context) {
	db, err := r.rawDB()
	if err != nil {
		return
	}
	defer db.Close()
	db.ExecContext(ctx, "DROP TABLE IF EXISTS "+rawTable)
}

// loadAverage returns the machine's load average over a minute, or "?".
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return strings.Replace(f[0], ".", ",", 1)
	}
	return "?"
}

func cpuOf(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// createPGDatabase creates a database of its own on the server of dsn
// and returns its URL and what drops it.
func createPGDatabase(ctx context.Context, dsn string) (string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("--pg : adresse invalide : %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("ctg_bench_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("--pg : création de la base de mesure impossible : %w", err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}

// server is a `ctg serve` started by the benchmark.
type server struct {
	cmd    *exec.Cmd
	base   string
	client *http.Client // signed in
	// anonymous has no cookie.
	anonymous *http.Client
	started   time.Duration // from exec to the first 200
	done      chan struct{}
}

// start runs `ctg serve` on a free loopback port, waits for its first 200
// and signs in as the platform administrator.
func (r *runner) start(ctx context.Context, dsn string) (*server, error) {
	s, err := r.launch(ctx, dsn)
	if err != nil {
		return nil, err
	}
	signedIn, err := r.signIn(s.base)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.client.Jar = signedIn.Jar
	return s, nil
}

// launch starts ctg serve on the benchmark's database and waits for its
// first 200 on /, without signing in.
func (r *runner) launch(ctx context.Context, dsn string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	logf, err := os.OpenFile(filepath.Join(r.cfg.Dir, "serve.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	cmd := r.command(context.WithoutCancel(ctx), "serve", "--db", dsn, "--addr", addr, "--no-example", "--reminders", "0", "--portfolio-lines=false")
	cmd.Stdout, cmd.Stderr = logf, logf
	jar, _ := cookiejar.New(nil)
	s := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{}),
		client:    &http.Client{Jar: jar, Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}},
		anonymous: &http.Client{Timeout: 10 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	t := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { cmd.Wait(); close(s.done) }()
	probe := &http.Client{Timeout: time.Second}
	for {
		resp, err := probe.Get(s.base + "/")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("ctg serve s'est arrêté au démarrage (voir %s)", filepath.Join(r.cfg.Dir, "serve.log"))
		case <-time.After(2 * time.Millisecond):
		}
		if time.Since(t) > 2*time.Minute {
			s.stop()
			return nil, errors.New("ctg serve ne répond pas après 2 minutes")
		}
	}
	s.started = time.Since(t)
	return s, nil
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// rss reads a memory figure of the server's process (VmRSS, VmHWM), in
// bytes; 0 when /proc does not tell.
func (s *server) rss(field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// holdCollector runs the collector of the benchmark's process, then holds
// it off until the function it returns is called. The process holds the
// whole dataset (hundreds of MB): its collector, marking it in the middle
// of a measure, would take the machine's cores from the servers measured.
// The requests of a measure allocate a few tens of MB.
func holdCollector() func() {
	runtime.GC()
	percent := debug.SetGCPercent(-1)
	return func() { debug.SetGCPercent(percent) }
}

// stats are the durations of the requests of one measure.
type stats struct {
	path      string
	durations []time.Duration
	count     int
	errors    int
	lastError string
	elapsed   time.Duration
}

func (s stats) quantile(q float64) time.Duration {
	if len(s.durations) == 0 {
		return 0
	}
	d := slices.Clone(s.durations)
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

func (s stats) p50() time.Duration { return s.quantile(0.5) }
func (s stats) p99() time.Duration { return s.quantile(0.99) }
func (s stats) rate() float64 {
	if s.elapsed == 0 {
		return 0
	}
	return float64(s.count) / s.elapsed.Seconds()
}

// measure sends GET path from workers concurrent loops, total requests
// in all, stopping early (each worker's request under way finished) once
// budget has passed. A first round of requests, one per worker at once,
// warms the server up, unmeasured: the steady state is measured, not the
// opening of the database connections the burst needs.
func (s *server) measure(ctx context.Context, path string, workers, total int, budget time.Duration) stats {
	return s.measureAs(ctx, path, session, workers, total, budget)
}

// session in measureAs means: as the platform administrator signed in.
const session = "session"

// measureAs is measure as someone: signed in (session), with that API
// token, or anonymous ("").
func (s *server) measureAs(ctx context.Context, path, as string, workers, total int, budget time.Duration) stats {
	var warm sync.WaitGroup
	for range workers {
		warm.Go(func() { s.get(ctx, path, as) })
	}
	warm.Wait()
	defer holdCollector()()
	out := stats{path: path}
	type result struct {
		d   time.Duration
		err string
	}
	results := make(chan result, total)
	next := make(chan struct{}, total)
	for i := 0; i < total; i++ {
		next <- struct{}{}
	}
	close(next)
	deadline := time.Now().Add(budget)
	t := time.Now()
	for w := 0; w < workers; w++ {
		go func() {
			for range next {
				if time.Now().After(deadline) {
					results <- result{-1, ""}
					continue
				}
				start := time.Now()
				err := s.get(ctx, path, as)
				results <- result{time.Since(start), err}
			}
		}()
	}
	for i := 0; i < total; i++ {
		res := <-results
		switch {
		case res.d < 0:
		case res.err != "":
			out.errors++
			out.lastError = res.err
		default:
			out.count++
			out.durations = append(out.durations, res.d)
		}
	}
	out.elapsed = time.Since(t)
	return out
}

// get requests path and reads the whole answer; it returns what went
// wrong, or "".
func (s *server) get(ctx context.Context, path, as string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return err.Error()
	}
	client := s.client
	if as != session {
		client = s.anonymous
		if as != "" {
			req.Header.Set("Authorization", "Bearer "+as)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Sprintf("statut %d", resp.StatusCode)
	}
	return ""
}

func ms(d time.Duration) string { return strings.Replace(msDot(d), ".", ",", 1) }

func msDot(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func perSecond(x float64) string { return strings.Replace(fmt.Sprintf("%.1f", x), ".", ",", 1) }

func mib(b int64) string { return fmt.Sprintf("%.0f Mio", float64(b)/(1<<20)) }

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "—"
	}
	return strings.Replace(fmt.Sprintf("%.1f×", float64(a)/float64(b)), ".", ",", 1)
}
