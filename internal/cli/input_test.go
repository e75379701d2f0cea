package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/interchange"
)

// countingReader yields n bytes of YAML comment and counts what was read.
type countingReader struct{ left, read int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.left)
	for i := range p[:n] {
		p[i] = '#'
	}
	c.left -= n
	c.read += n
	return int(n), nil
}

// An oversized input is refused after reading just past the limit, not
// read whole first, with a message that names the limit. The limit is
// lowered to 2 MiB here; the real one is interchange.MaxSize, large
// enough for a convention of 100,000 equipments.
func TestImportRefusesOversizedInput(t *testing.T) {
	if interchange.MaxSize < 40<<20 { // 100,000 equipments: about 33 MB
		t.Errorf("limite de %d octets : trop basse pour un import national", interchange.MaxSize)
	}
	defer func(was int) { maxInput = was }(maxInput)
	maxInput = 2 << 20
	db := filepath.Join(t.TempDir(), "ctg.db")
	in := &countingReader{left: 8 * int64(maxInput)}
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{Stdin: in, Stdout: &out, Stderr: &errb}, []string{"import", "--db", db, "-"})
	if code == 0 || !strings.Contains(errb.String(), "fichier trop volumineux (2 Mo au plus)") {
		t.Errorf("entrée trop grosse : code %d, %q", code, errb.String())
	}
	if in.read > int64(maxInput)+1 {
		t.Errorf("%d octets lus pour refuser une entrée de plus de %d", in.read, maxInput)
	}
	path := filepath.Join(t.TempDir(), "grosse.yaml")
	if err := os.WriteFile(path, bytes.Repeat([]byte("#"), maxInput+1), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "", "import", "--db", db, path)
	if code == 0 || !strings.Contains(stderr, "grosse.yaml : fichier trop volumineux (2 Mo au plus)") {
		t.Errorf("fichier trop gros : code %d, %q", code, stderr)
	}
}
