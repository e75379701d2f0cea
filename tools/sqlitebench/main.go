// Command sqlitebench measures bulk inserts with the SQLite drivers ctg
// could embed, in one run on one machine, and prints each driver's time as
// a ratio of the cgo driver's (the baseline). Results: docs/storage.md.
//
//	cd tools/sqlitebench && go run . -rows 200000
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "github.com/mattn/go-sqlite3"
	_ "modernc.org/sqlite"
)

type driver struct {
	label, name, dsnFmt string
}

var drivers = []driver{
	{"mattn/go-sqlite3 (cgo)", "sqlite3", "file:%s?_journal_mode=WAL&_synchronous=NORMAL"},
	{"modernc.org/sqlite (pure Go)", "sqlite", "file:%s?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"},
}

func main() {
	rows := flag.Int("rows", 200000, "rows per bulk insert")
	small := flag.Int("txs", 2000, "number of one-row transactions")
	rounds := flag.Int("rounds", 3, "rounds per driver (best kept)")
	flag.Parse()
	var base [2]time.Duration
	fmt.Printf("%-30s %14s %8s %14s %8s\n", "driver", "bulk", "ratio", "1 row/tx", "ratio")
	for i, d := range drivers {
		bulk, tx := best(d, *rows, *small, *rounds)
		if i == 0 {
			base = [2]time.Duration{bulk, tx}
		}
		fmt.Printf("%-30s %14s %8.2f %14s %8.2f\n", d.label, bulk.Round(time.Millisecond), float64(bulk)/float64(base[0]),
			tx.Round(time.Millisecond), float64(tx)/float64(base[1]))
	}
	fmt.Printf("(%d rows in one transaction; %d transactions of one row; best of %d)\n", *rows, *small, *rounds)
}

func best(d driver, rows, txs, rounds int) (time.Duration, time.Duration) {
	var b, t time.Duration
	for r := 0; r < rounds; r++ {
		bulk, tx := once(d, rows, txs)
		if r == 0 || bulk < b {
			b = bulk
		}
		if r == 0 || tx < t {
			t = tx
		}
	}
	return b, t
}

func once(d driver, rows, txs int) (time.Duration, time.Duration) {
	dir, err := os.MkdirTemp("", "sqlitebench")
	check(err)
	defer os.RemoveAll(dir)
	db, err := sql.Open(d.name, fmt.Sprintf(d.dsnFmt, filepath.Join(dir, "b.db")))
	check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE steps (id TEXT PRIMARY KEY, fiche_id TEXT NOT NULL, position INTEGER NOT NULL,
		text TEXT NOT NULL, schedule_start TEXT, status TEXT NOT NULL, created_at TEXT NOT NULL, version INTEGER NOT NULL)`)
	check(err)
	text := "Organisation d’une rencontre entre les services de la Caf et les acteurs du territoire afin de présenter les offres."
	now := time.Now().UTC().Format(time.RFC3339Nano)

	start := time.Now()
	tx, err := db.Begin()
	check(err)
	stmt, err := tx.Prepare(`INSERT INTO steps VALUES (?,?,?,?,?,?,?,?)`)
	check(err)
	for i := 0; i < rows; i++ {
		_, err = stmt.Exec(fmt.Sprintf("b%08d", i), "f1", i, text, "2023-04-01", "planned", now, 1)
		check(err)
	}
	check(stmt.Close())
	check(tx.Commit())
	bulk := time.Since(start)

	start = time.Now()
	for i := 0; i < txs; i++ {
		tx, err := db.Begin()
		check(err)
		_, err = tx.Exec(`INSERT INTO steps VALUES (?,?,?,?,?,?,?,?)`, fmt.Sprintf("t%08d", i), "f1", i, text, nil, "planned", now, 1)
		check(err)
		check(tx.Commit())
	}
	return bulk, time.Since(start)
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
