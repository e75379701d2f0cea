package cli

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// TestBackupAndRestoreKeepEverything follows docs/storage.md: back up a
// database a server holds open, restore it elsewhere, and find the same
// convention, values, accounts and history.
func TestBackupAndRestoreKeepEverything(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "ctg.db")
	if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "", "demo", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := run(t, "", "user", "add", "--db", db, "--email", "coord@exemple.fr", "--name", "Coordinatrice"); code != 0 {
		t.Fatal(errs)
	}
	// A running server holds the database open and writes to it.
	server, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if err := server.AppendAudit(ctx, model.AuditEntry{Convention: examples.ForcalquierSlug, Actor: "serveur", Action: "update"}); err != nil {
		t.Fatal(err)
	}
	want := counts(t, db)
	for _, table := range []string{"conventions", "indicator_values", "users", "audit_log"} {
		if want[table] == 0 {
			t.Fatalf("%s vide : le test ne sauvegarde rien", table)
		}
	}
	_, wantExport, _ := run(t, "", "export", "--db", db)

	backup := filepath.Join(t.TempDir(), "ctg-sauvegarde.db")
	code, out, errs := run(t, "", "backup", "--db", db, "-o", backup)
	if code != 0 || !strings.Contains(out, "sauvegarde de "+db+" écrite dans "+backup) {
		t.Fatalf("backup : %d %q %q", code, out, errs)
	}
	restored := filepath.Join(t.TempDir(), "ctg.db")
	if code, out, errs := run(t, "", "restore", "--db", restored, backup); code != 0 || !strings.Contains(out, "restaurée") {
		t.Fatalf("restore : %d %q %q", code, out, errs)
	}
	if got := counts(t, restored); !maps.Equal(got, want) {
		t.Errorf("lignes restaurées %v, %v attendues", got, want)
	}
	if _, gotExport, errs := run(t, "", "export", "--db", restored); gotExport != wantExport {
		t.Errorf("la convention restaurée diffère : %s", errs)
	}

	// A second restore over data needs --force; the server's base, in use, is refused even so.
	if code, _, errs := run(t, "", "restore", "--db", restored, backup); code != 1 || !strings.Contains(errs, "--force") {
		t.Errorf("restauration sur des données sans --force : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "restore", "--db", db, "--force", backup); code != 1 || !strings.Contains(errs, "arrêtez-le") {
		t.Errorf("restauration d'une base ouverte : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "restore", "--db", restored, "--force", exampleFile(t)); code != 1 || !strings.Contains(errs, "rien n'a été remplacé") {
		t.Errorf("restauration d'un fichier YAML : %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "backup", "--db", filepath.Join(t.TempDir(), "absente.db"), "-o", backup); code != 1 || !strings.Contains(errs, "introuvable") {
		t.Errorf("base absente : %d %q", code, errs)
	}
	if code, _, _ := run(t, "", "backup", "--db", db); code != 2 {
		t.Errorf("backup sans -o : code %d, 2 attendu", code)
	}
}

func TestBackupOfPostgresExplainsPgDump(t *testing.T) {
	for _, cmd := range [][]string{{"backup", "-o", "x.db"}, {"restore", "x.db"}} {
		args := append(cmd, "--db", "postgres://ctg@localhost/ctg")
		code, out, errs := run(t, "", args...)
		if code != 1 || out != "" || !strings.Contains(errs, "pg_dump --format=custom") || !strings.Contains(errs, "pg_restore") {
			t.Errorf("%s : %d %q", cmd[0], code, errs)
		}
	}
	if _, err := os.Stat("x.db"); err == nil {
		t.Error("un fichier a été écrit")
	}
}
