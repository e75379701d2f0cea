package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
)

// fillForBackup writes a convention, values, a user and audit entries.
func fillForBackup(t *testing.T, s *SQL) {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
	if err != nil {
		t.Fatal(err)
	}
	n := 254.0
	values := []model.Value{
		{Convention: c.Slug, Indicator: "2.2-1", Period: "2024", Number: &n, State: model.ValueValidated, Source: "fichier Caf"},
		{Convention: c.Slug, Indicator: "2.1-4", Period: "2024", Text: "Carte publiée", State: model.ValueDraft},
	}
	if _, err := s.InsertValues(ctx, values, model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "import", ObjectType: "value"}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, &auth.User{Email: "coord@exemple.fr", Name: "Coordinatrice", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAudit(ctx, model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "update", ObjectType: "fiche", ObjectID: c.Axes[0].Fiches[0].ID}); err != nil {
		t.Fatal(err)
	}
	doc := &model.Document{Convention: c.Slug, OwnerKind: model.OwnerConvention, Name: "original.pdf", ContentType: "application/pdf",
		Size: int64(len(backupDocument)), SHA256: "sans objet"}
	if err := s.InsertDocument(ctx, doc, backupDocument, model.AuditEntry{Convention: c.Slug, Actor: "test", Action: "attach", ObjectType: "document"}); err != nil {
		t.Fatal(err)
	}
}

// backupDocument is the content of the document the backup carries.
var backupDocument = []byte("%PDF-1.4\n\x00\xff signé\n%%EOF\n")

func countRows(t *testing.T, path, table string) (int, error) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n)
	return n, err
}

func exportOf(t *testing.T, s *SQL, slug string) []byte {
	t.Helper()
	c, err := s.Convention(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	data, err := interchange.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestBackupOfABaseInUseRestoresEverything backs up a database that a
// server holds open, with its latest writes still in the WAL only, while
// it keeps writing; the restored copy has every row.
func TestBackupOfABaseInUseRestoresEverything(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ctg.db")
	server := openTest(t, path)
	// Keep every write of the test in the WAL, as between two checkpoints.
	if _, err := server.write.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	fillForBackup(t, server)
	want, err := server.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Copying the database file alone, as one might, loses those writes.
	main, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	naive := filepath.Join(dir, "copie.db")
	if err := os.WriteFile(naive, main, 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := countRows(t, naive, "users"); err == nil && n == want["users"] {
		t.Fatal("le test ne reproduit pas des écritures restées dans le WAL")
	}

	// The server goes on writing during the backup.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := server.AppendAudit(ctx, model.AuditEntry{Convention: "ctg-forcalquier-2022", Actor: "serveur", Action: fmt.Sprintf("écriture %d", i)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	backupProcess, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "sauvegardes", "ctg-sauvegarde.db")
	if err := os.MkdirAll(filepath.Dir(out), 0o750); err != nil {
		t.Fatal(err)
	}
	err = backupProcess.Backup(ctx, out)
	backupProcess.Close()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("sauvegarde lisible par d'autres : %v", info.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(left) != 1 {
		t.Errorf("fichiers laissés à côté de la sauvegarde : %v", left)
	}

	restored := filepath.Join(dir, "restauree", "ctg.db")
	if err := Restore(ctx, restored, out, false); err != nil {
		t.Fatal(err)
	}
	r := openTest(t, restored)
	got, err := r.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range want {
		// audit_log grew during the backup: the copy has at least what
		// was written before it.
		if got[table] != n && (table != "audit_log" || got[table] < n) {
			t.Errorf("%s : %d ligne(s) avant la sauvegarde, %d restaurée(s)", table, n, got[table])
		}
	}
	if !bytes.Equal(exportOf(t, server, "ctg-forcalquier-2022"), exportOf(t, r, "ctg-forcalquier-2022")) {
		t.Error("la convention restaurée diffère de l'originale")
	}
	if v, err := r.Values(ctx, "ctg-forcalquier-2022", "2.2-1"); err != nil || len(v) != 1 || *v[0].Number != 254 {
		t.Errorf("valeur restaurée : %+v %v", v, err)
	}
	if u, err := r.UserByEmail(ctx, "coord@exemple.fr"); err != nil || u.Name != "Coordinatrice" {
		t.Errorf("compte restauré : %+v %v", u, err)
	}
	if docs, err := r.Documents(ctx, "ctg-forcalquier-2022"); err != nil || len(docs) != 1 {
		t.Errorf("documents restaurés : %+v %v", docs, err)
	} else if _, data, err := r.Document(ctx, "ctg-forcalquier-2022", docs[0].ID); err != nil || !bytes.Equal(data, backupDocument) {
		t.Errorf("contenu du document restauré : %q %v", data, err)
	}
}

func TestRestoreRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "source.db")
	s := openTest(t, src)
	fillForBackup(t, s)
	backup := filepath.Join(dir, "sauvegarde.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, src); err == nil || !strings.Contains(err.Error(), "la base elle-même") {
		t.Errorf("sauvegarde sur la base elle-même : %v", err)
	}
	if err := s.Backup(ctx, dir); err == nil || !strings.Contains(err.Error(), "répertoire") {
		t.Errorf("sauvegarde dans un répertoire : %v", err)
	}
	if n, err := countRows(t, src, "conventions"); err != nil || n != 1 {
		t.Fatalf("base source abîmée : %d %v", n, err)
	}

	// A database that holds data is replaced only with force.
	target := filepath.Join(dir, "cible.db")
	other := openTest(t, target)
	if err := other.CreateUser(ctx, &auth.User{Email: "autre@exemple.fr", Name: "Autre", PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	// ... and never while another process has it open.
	if err := Restore(ctx, target, backup, true); err == nil || !strings.Contains(err.Error(), "arrêtez-le") {
		t.Errorf("base ouverte ailleurs : %v", err)
	}
	other.Close()
	if err := Restore(ctx, target, backup, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("base non vide remplacée sans --force : %v", err)
	}
	if n, _ := countRows(t, target, "conventions"); n != 0 {
		t.Fatal("la base a été remplacée malgré le refus")
	}

	// Files that are not a sound ctg database replace nothing.
	garbage := filepath.Join(dir, "texte.db")
	if err := os.WriteFile(garbage, bytes.Repeat([]byte("pas une base "), 500), 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "autre-logiciel.db")
	db, err := sql.Open("sqlite", "file:"+foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE notes (texte TEXT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	newer := filepath.Join(dir, "future.db")
	if err := copyFile(backup, newer); err != nil {
		t.Fatal(err)
	}
	db, err = sql.Open("sqlite", "file:"+newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', '2031-01-01T00:00:00Z')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for file, want := range map[string]string{garbage: "pas une base SQLite", foreign: "schema_migrations absente", newer: "version plus récente"} {
		err := Restore(ctx, target, file, true)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "rien n'a été remplacé") {
			t.Errorf("%s : %v", filepath.Base(file), err)
		}
		if n, _ := countRows(t, target, "users"); n != 1 {
			t.Fatalf("%s : la base a changé", filepath.Base(file))
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("fichiers temporaires laissés : %v", left)
	}

	// With force, the backup replaces the database.
	if err := Restore(ctx, target, backup, true); err != nil {
		t.Fatal(err)
	}
	if n, _ := countRows(t, target, "conventions"); n != 1 {
		t.Errorf("après --force : %d convention(s)", n)
	}
	if n, _ := countRows(t, target, "users"); n != 1 {
		t.Errorf("après --force : %d compte(s)", n)
	}
}

func TestBackupIsForSQLiteOnly(t *testing.T) {
	if err := Restore(context.Background(), "postgres://localhost/ctg", "x.db", false); !errors.Is(err, ErrNotSQLite) {
		t.Errorf("restauration PostgreSQL : %v", err)
	}
	if pg == nil {
		t.Skip("PostgreSQL absent")
	}
	dsn, err := pg.CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s := openTest(t, dsn)
	if err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, ErrNotSQLite) {
		t.Errorf("sauvegarde PostgreSQL : %v", err)
	}
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o600)
}
