package app_test

import (
	"os"
	"testing"

	"github.com/ctg-territoires/ctg/internal/store/pgtest"
)

// pg is the PostgreSQL server of the tests that run on both databases;
// nil when PostgreSQL is absent and not required.
var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }
