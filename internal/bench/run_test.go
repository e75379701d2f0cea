package bench_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/bench"
	"github.com/ctg-territoires/ctg/internal/cli"
)

// asCTG makes the test binary act as ctg when the benchmark starts it.
const asCTG = "CTG_BENCH_TEST_AS_CTG"

func TestMain(m *testing.M) {
	if os.Getenv(asCTG) == "1" {
		os.Exit(cli.Run(context.Background(), cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:]))
	}
	os.Exit(m.Run())
}

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
	for _, want := range []string{"liste des conventions à 1,", "liste des conventions à 6,", "tableau de bord p99 / fichier statique p99",
		"vue d'ensemble", "fichier statique avec un jeton d'API", "ctg import d'une convention de 300 équipements", baseline(), "import CSV de 2000 valeurs", "démarrage à froid", "mémoire au repos", "ctg version"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("le tableau ne dit rien de « %s » :\n%s", want, out.String())
		}
	}
}

// baseline is how the benchmark loads raw rows on this machine.
func baseline() string {
	if _, err := exec.LookPath("sqlite3"); err == nil {
		return "sqlite3 .import"
	}
	return "INSERT multi-lignes"
}
