package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/store"
)

// postgresBackup explains how a PostgreSQL database is saved and restored:
// with PostgreSQL's own tools, as docs/storage.md documents.
const postgresBackup = `ctg backup et ctg restore ne traitent que les bases SQLite.
Une base PostgreSQL se sauvegarde et se restaure avec les outils de PostgreSQL (voir docs/storage.md) :

  sauvegarde, serveurs ctg en marche :
    pg_dump --format=custom --no-owner --file=ctg.dump "$CTG_DB"
  restauration, serveurs ctg arrêtés, dans une base existante :
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$CTG_DB" ctg.dump

  (CTG_DB : l'URL postgres://… de la base, celle que reçoit --db)`

// errPostgresBackup makes the process exit with status 1 after the
// explanation above, without printing anything more.
var errPostgresBackup = errors.New("sauvegarde PostgreSQL : pg_dump")

func backupCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("backup", env)
	dbFlag(fs, &cfg)
	out := fs.String("o", "", "fichier de sauvegarde à écrire (remplacé s'il existe)")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *out == "" {
		return errUsage
	}
	if store.IsPostgres(cfg.DB) {
		fmt.Fprintln(env.Stderr, postgresBackup)
		return errPostgresBackup
	}
	path := store.SQLiteFile(cfg.DB)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("--db : base SQLite %s introuvable", path)
	}
	start := time.Now()
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		return err
	}
	size := int64(0)
	if info, err := os.Stat(*out); err == nil {
		size = info.Size()
	}
	fmt.Fprintf(env.Stdout, "sauvegarde de %s écrite dans %s (%d Ko) en %s\n", path, *out, size/1024, time.Since(start).Round(time.Millisecond))
	return nil
}

func restoreCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("restore", env)
	dbFlag(fs, &cfg)
	force := fs.Bool("force", false, "remplacer une base qui contient déjà des données")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return errUsage
	}
	if store.IsPostgres(cfg.DB) {
		fmt.Fprintln(env.Stderr, postgresBackup)
		return errPostgresBackup
	}
	if err := store.Restore(ctx, cfg.DB, rest[0], *force); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "base %s restaurée depuis %s ; ctg serve peut être relancé (il met le schéma à jour s'il le faut)\n",
		store.SQLiteFile(cfg.DB), rest[0])
	return nil
}
