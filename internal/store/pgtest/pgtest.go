// Package pgtest starts a throwaway PostgreSQL server for tests: initdb and
// pg_ctl on a temporary directory, listening on a Unix socket only. Tests
// that need PostgreSQL call Start once (from TestMain) and CreateDatabase
// for each test.
//
// When the PostgreSQL binaries are missing, Start returns ErrUnavailable;
// set CTG_REQUIRE_POSTGRES=1 (as .ci/run does) to make that a failure
// instead of a skip.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver
)

// ErrUnavailable means no PostgreSQL binaries were found on this machine.
var ErrUnavailable = errors.New("PostgreSQL introuvable (initdb, pg_ctl) : installez postgresql")

// Required reports whether the environment demands PostgreSQL tests.
func Required() bool { return os.Getenv("CTG_REQUIRE_POSTGRES") == "1" }

// Main starts a server for a test package, runs its tests and stops the
// server; *srv is nil while tests run when PostgreSQL is absent and not
// required. Call it from TestMain: os.Exit(pgtest.Main(m, &pg)).
func Main(m *testing.M, srv **Server) int {
	// A fuzzing run (its coordinator and each of its workers is a process
	// running this) needs no PostgreSQL: starting one there slows every
	// worker and can keep the coordinator waiting.
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" {
		return m.Run()
	}
	s, err := Start()
	switch {
	case errors.Is(err, ErrUnavailable) && !Required():
		fmt.Fprintln(os.Stderr, "PostgreSQL absent : les tests PostgreSQL sont ignorés")
	case err != nil:
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*srv = s
	code := m.Run()
	if s != nil {
		s.Stop()
	}
	return code
}

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir    string
	bin    string
	socket string
	user   string
	asUser string // run server commands as this OS user (when we are root)
	seq    atomic.Int64
}

// Start initializes and starts a server in a new temporary directory.
func Start() (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ctg-pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin, socket: filepath.Join(dir, "sock")}
	if err := os.Mkdir(s.socket, 0o700); err != nil {
		return nil, err
	}
	// PostgreSQL refuses to run as root: hand the directory to the
	// postgres account and run the server commands as that account.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL ne peut tourner sous root et le compte postgres manque : %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, p := range []string{dir, s.socket} {
			if err := os.Chown(p, uid, gid); err != nil {
				return nil, err
			}
		}
		s.asUser, s.user = "postgres", "postgres"
	} else {
		u, err := user.Current()
		if err != nil {
			return nil, err
		}
		s.user = u.Username
	}
	data := filepath.Join(dir, "data")
	if out, err := s.run("initdb", "-D", data, "-U", s.user, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, fmt.Errorf("initdb : %w\n%s", err, out)
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", s.socket)
	if out, err := s.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		logText, _ := os.ReadFile(filepath.Join(dir, "log"))
		return nil, fmt.Errorf("pg_ctl start : %w\n%s\n%s", err, out, logText)
	}
	return s, nil
}

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(s.bin, tool), args...)
	if s.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.asUser, "--", filepath.Join(s.bin, tool)}, args...)...)
	}
	return cmd.CombinedOutput()
}

// DSN returns the connection URL of a database on this server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres:///%s?host=%s&user=%s&sslmode=disable", db, s.socket, s.user)
}

// CreateDatabase creates a new empty database and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("ctg_test_%d", s.seq.Add(1))
	db, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.DSN(name), nil
}

// Stop shuts the server down and removes its directory.
func (s *Server) Stop() {
	_, _ = s.run("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(s.dir)
}

// findBin locates the directory of initdb and pg_ctl: PATH first, then the
// Debian layout /usr/lib/postgresql/<version>/bin, newest version first.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", ErrUnavailable
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(strings.Split(filepath.Base(filepath.Dir(binDir)), ".")[0])
	return v
}
