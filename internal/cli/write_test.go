package cli

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// An output path that is a pipe or a device (-o /dev/null) is written
// to, never replaced by a regular file.
func TestOutputToAPipeKeepsThePipe(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tube")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("pas de tube nommé ici :", err)
	}
	got := make(chan []byte)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- nil
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- b
	}()
	if err := writeFileAtomic(path, []byte("brouillon")); err != nil {
		t.Fatal(err)
	}
	if b := <-got; string(b) != "brouillon" {
		t.Errorf("lu dans le tube : %q", b)
	}
	if info, err := os.Stat(path); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("le tube a été remplacé : %v %v", info.Mode(), err)
	}
}
