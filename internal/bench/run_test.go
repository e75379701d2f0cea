package bench_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/bench"
	"github.com/ctg-territoires/ctg/internal/cli"
	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

// asCTG makes the test binary act as ctg when the benchmark starts it.
const asCTG = "CTG_BENCH_TEST_AS_CTG"

func TestMain(m *testing.M) {
	if os.Getenv(asCTG) == "1" {
		os.Exit(cli.Run(context.Background(), cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:]))
	}
	os.Exit(pgtest.Main(m, &pg))
}

var pg *pgtest.Server

// everyDatabase are the lines of the table on SQLite and on PostgreSQL.
var everyDatabase = []string{"liste des conventions à 1,", "tableau de bord p99 / fichier statique p99",
	"vue d'ensemble", "fichier statique avec un jeton d'API", "démarrage à froid", "mémoire au repos", "ctg version",
	"instructions SQL de la liste des conventions", "instructions SQL de la vue d'ensemble", "instructions SQL du tableau de bord",
	"ctg report (bilan PDF et XLSX d'une convention) à", "import CSV de"}

// The benchmark runs end to end on a few conventions: it fills a
// database, serves it, signs in, and prints every line of its table.
// Nothing is timed.
func TestQuickBenchmarkRuns(t *testing.T) {
	var log bytes.Buffer
	rep, err := bench.Run(context.Background(), bench.Config{Binary: os.Args[0], Env: []string{asCTG + "=1"}, Dir: t.TempDir(),
		Conventions: 6, Quick: true, ImportEquipments: 300, Log: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out bytes.Buffer
	rep.Markdown(&out)
	t.Log("\n" + out.String())
	for _, want := range append([]string{"liste des conventions à 6,", "ctg import d'une convention de 300 équipements", baseline()}, everyDatabase...) {
		if !strings.Contains(out.String(), want) {
			t.Errorf("le tableau ne dit rien de « %s » :\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "2 instances") {
		t.Errorf("deux instances mesurées sur SQLite :\n%s", out.String())
	}
}

// On PostgreSQL the benchmark also runs two servers on the database
// under a mixed load of reads and edits, and finds no acknowledged edit
// missing from the database.
func TestQuickBenchmarkRunsOnPostgreSQL(t *testing.T) {
	if pg == nil {
		t.Skip("PostgreSQL absent")
	}
	var log bytes.Buffer
	rep, err := bench.Run(context.Background(), bench.Config{Binary: os.Args[0], Env: []string{asCTG + "=1"}, Dir: t.TempDir(),
		PG: pg.DSN("postgres"), Conventions: 3, Quick: true, ImportEquipments: 300, Log: &log})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	var out bytes.Buffer
	rep.Markdown(&out)
	t.Log("\n" + out.String())
	for _, want := range append([]string{"liste des conventions à 3,", "ctg import d'une convention de 300 équipements",
		"2 instances ctg serve sur une base PostgreSQL", "processeur pendant la charge mixte"}, everyDatabase...) {
		if !strings.Contains(out.String(), want) {
			t.Errorf("le tableau ne dit rien de « %s » :\n%s", want, out.String())
		}
	}
	// Some edits were acknowledged, none went wrong, and all are found.
	if !regexp.MustCompile(`\| mises à jour perdues, 1 puis 2 instances sur la même base \| 0 sur [1-9][0-9]* modifications acceptées \([0-9]+ refusées pour conflit de version, 409\) \|`).MatchString(out.String()) {
		t.Errorf("des modifications acceptées manquent dans la base, ou aucune n'a été acceptée :\n%s", out.String())
	}
}

// baseline is how the benchmark loads raw rows on this machine.
func baseline() string {
	if _, err := exec.LookPath("sqlite3"); err == nil {
		return "sqlite3 .import"
	}
	return "INSERT multi-lignes"
}
