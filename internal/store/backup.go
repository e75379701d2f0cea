package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Backup and restore of an SQLite database. In WAL mode the database is
// the file and its -wal companion: copying the file alone loses the most
// recent writes. PostgreSQL has its own tools (pg_dump, pg_restore), see
// docs/storage.md.

// ErrNotSQLite is returned by Backup and Restore on PostgreSQL.
var ErrNotSQLite = errors.New("sauvegarde et restauration par ctg : bases SQLite seulement (PostgreSQL : pg_dump et pg_restore)")

// SQLiteFile returns the path of the SQLite file a non-PostgreSQL dsn
// designates, as Open reads it.
func SQLiteFile(dsn string) string {
	path := strings.TrimPrefix(dsn, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path
}

// Backup writes a consistent copy of the SQLite database to path while
// other connections, a running ctg serve among them, go on reading and
// writing: VACUUM INTO reads one snapshot, writes still in the WAL
// included. The copy goes to a temporary file next to path, synced, then
// renamed over path, so path is never a partial copy. It is readable by
// its owner only, like the database.
func (s *SQL) Backup(ctx context.Context, path string) error {
	if s.d.name != sqliteDialect.name {
		return ErrNotSQLite
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	live, err := s.databaseFile(ctx)
	if err != nil {
		return err
	}
	if sameFile(abs, live) {
		return fmt.Errorf("-o : %s est la base elle-même ; choisissez un autre fichier", path)
	}
	if info, err := os.Stat(abs); err == nil && info.IsDir() {
		return fmt.Errorf("-o : %s est un répertoire ; indiquez le fichier de sauvegarde à écrire", path)
	}
	// VACUUM INTO writes into an empty existing file: creating it first
	// gives it mode 0600 from the start.
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("-o : %w", err)
	}
	tmpName := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
		}
	}()
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, tmpName)
	conn.Close()
	if err != nil {
		return fmt.Errorf("copie de la base : %w", err)
	}
	// VACUUM INTO does not sync its output.
	if err := syncFile(tmpName); err != nil {
		return err
	}
	if err := os.Rename(tmpName, abs); err != nil {
		return err
	}
	done = true
	return syncDir(filepath.Dir(abs))
}

// databaseFile returns the path of the open SQLite file.
func (s *SQL) databaseFile(ctx context.Context) (string, error) {
	rows, err := s.read.QueryContext(ctx, `PRAGMA database_list`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var name, file string
		if err := rows.Scan(&seq, &name, &file); err != nil {
			return "", err
		}
		if name == "main" {
			return file, nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return "", errors.New("fichier de la base introuvable")
}

// holdsData reports whether any ctg table of the SQLite database has a
// row; tables that do not exist yet count as empty.
func (s *SQL) holdsData(ctx context.Context) (bool, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return false, err
	}
	existing := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return false, err
		}
		existing[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	for _, t := range tables {
		if !existing[t] {
			continue
		}
		var found int
		if err := s.read.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&found); err != nil {
			return false, err
		}
		if found != 0 {
			return true, nil
		}
	}
	return false, nil
}

// Restore replaces the SQLite database dsn with backup, a file written by
// Backup. It refuses
//   - a database that holds data, unless force;
//   - a database another process has open (a running ctg serve would go on
//     writing to the replaced file, and its WAL would not match the new one:
//     stop it first);
//   - a file that is not a sound ctg database: schema_migrations must exist,
//     integrity_check must answer ok, and its schema must not be newer than
//     this version of ctg knows.
//
// The backup is copied and checked in a temporary file next to the
// database, then renamed over it: the database is replaced whole or not at
// all, and the backup file itself is not modified. A restored database of
// an older schema is migrated by the next command that opens it.
func Restore(ctx context.Context, dsn, backup string, force bool) error {
	if IsPostgres(dsn) {
		return ErrNotSQLite
	}
	path, err := filepath.Abs(SQLiteFile(dsn))
	if err != nil {
		return err
	}
	src, err := os.Open(backup)
	if err != nil {
		return fmt.Errorf("lecture de la sauvegarde : %w", err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return fmt.Errorf("lecture de la sauvegarde : %w", err)
	}
	if info.IsDir() {
		return fmt.Errorf("%s est un répertoire ; indiquez un fichier de sauvegarde", backup)
	}
	if sameFile(backup, path) {
		return fmt.Errorf("%s est la base elle-même ; indiquez un fichier de sauvegarde", backup)
	}
	if err := checkTarget(ctx, dsn, path, force); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("création du répertoire de données : %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
			removeCompanions(tmpName)
		}
	}()
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copie de la sauvegarde : %w", err)
	}
	if err := checkBackup(ctx, tmpName, backup); err != nil {
		return err
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	done = true
	return syncDir(filepath.Dir(path))
}

// checkTarget refuses to replace a database in use, or one that holds data
// unless force.
func checkTarget(ctx context.Context, dsn, path string, force bool) error {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if info.Size() > 0 {
		s, err := Open(ctx, dsn)
		if err != nil && !force {
			return fmt.Errorf("la base %s n'est pas lisible (%v) ; ajoutez --force pour la remplacer", path, err)
		}
		if err == nil {
			full, err := s.holdsData(ctx)
			// Closing the last connection checkpoints the WAL and removes
			// it: a WAL still there means another process has the base open.
			s.Close()
			if err != nil && !force {
				return fmt.Errorf("la base %s n'est pas lisible (%v) ; ajoutez --force pour la remplacer", path, err)
			}
			if full && !force {
				return fmt.Errorf("la base %s contient déjà des données ; ajoutez --force pour les remplacer par la sauvegarde", path)
			}
		}
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return fmt.Errorf("la base %s est ouverte par un autre processus (ctg serve ?) : arrêtez-le avant de restaurer", path)
	}
	return nil
}

// checkBackup checks that the copy at tmp of the file named backup is a
// sound ctg database this version can open.
func checkBackup(ctx context.Context, tmp, backup string) error {
	db, err := sql.Open("sqlite", "file:"+tmp+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	defer func() {
		db.Close()
		removeCompanions(tmp)
	}()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("%s n'est pas une base SQLite (%v) : rien n'a été remplacé", backup, err)
	}
	if n == 0 {
		return fmt.Errorf("%s n'est pas une sauvegarde de ctg (table schema_migrations absente) : rien n'a été remplacé", backup)
	}
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("%s : contrôle d'intégrité impossible (%v) : rien n'a été remplacé", backup, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return err
		}
		problems = append(problems, line)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s : contrôle d'intégrité impossible (%v) : rien n'a été remplacé", backup, err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("%s est endommagée (%s) : rien n'a été remplacé", backup, strings.Join(problems, " ; "))
	}
	var version sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&version); err != nil {
		return fmt.Errorf("%s : table schema_migrations illisible (%v) : rien n'a été remplacé", backup, err)
	}
	known, err := Migrations(sqliteDialect)
	if err != nil {
		return err
	}
	if latest := known[len(known)-1].Version; version.Int64 > int64(latest) {
		return fmt.Errorf("%s vient d'une version plus récente de ctg (schéma %d, cette version connaît le %d) : rien n'a été remplacé",
			backup, version.Int64, latest)
	}
	return nil
}

// removeCompanions removes the -wal and -shm files SQLite may leave beside
// a file it opened.
func removeCompanions(path string) {
	os.Remove(path + "-wal")
	os.Remove(path + "-shm")
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename is done anyway.
	_ = d.Sync()
	return nil
}
