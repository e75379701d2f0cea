package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/textutil"
)

// ctg version prints the version and touches nothing: no database is
// opened or created in the data directory.
func TestVersionOpensNoDatabase(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CTG_DATA_DIR", dir)
	code, out, errs := run(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "ctg ") {
		t.Fatalf("version : code %d, sortie %q, erreurs %q", code, out, errs)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("version a écrit dans le répertoire des données : %v %v", entries, err)
	}
}

// The regular expressions of every package of ctg are compiled on first
// use, not when a command starts: this compiles them all, so that an
// invalid one fails here rather than in the middle of a request.
func TestRegexpsCompile(t *testing.T) {
	textutil.CompileLazyRegexps()
}
