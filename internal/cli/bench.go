package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ctg-territoires/ctg/internal/bench"
	"github.com/ctg-territoires/ctg/internal/territory"
)

const benchUsage = `ctg bench [--conventions 1200] [--pg postgres://…] [--dir DIR] [--seed N] [--quick]
ctg bench generate [--conventions 1200] [--seed N] (--db DSN | --out DIR)`

// benchCmd runs the benchmark of docs/performance.md, or generates its
// synthetic national dataset.
func benchCmd(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "generate" {
		return benchGenerate(ctx, env, args[1:])
	}
	fs := flags("bench", env)
	n := fs.Int("conventions", bench.DefaultConventions, "nombre de conventions du jeu national")
	pg := fs.String("pg", "", "mesurer sur ce serveur PostgreSQL (une base de mesure y est créée, puis supprimée) au lieu de SQLite")
	dir := fs.String("dir", "", "répertoire de travail (base SQLite, fichiers, journal du serveur) ; temporaire par défaut")
	seed := fs.Uint64("seed", 1, "graine du générateur : la même graine donne le même jeu")
	quick := fs.Bool("quick", false, "quelques conventions et requêtes : vérifie que la mesure tourne, sans chiffres à garder")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	if *quick && *n == bench.DefaultConventions {
		*n = 20
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	rep, err := bench.Run(ctx, bench.Config{Binary: exe, Dir: *dir, PG: *pg, Conventions: *n, Seed: *seed, Quick: *quick, Log: env.Stderr})
	if rep != nil {
		rep.Markdown(env.Stdout)
	}
	return err
}

func benchGenerate(ctx context.Context, env Env, args []string) error {
	fs := flags("bench generate", env)
	n := fs.Int("conventions", bench.DefaultConventions, "nombre de conventions du jeu national")
	seed := fs.Uint64("seed", 1, "graine du générateur : la même graine donne le même jeu")
	db := fs.String("db", "", "base où enregistrer le jeu (chemin SQLite ou postgres://…)")
	out := fs.String("out", "", "répertoire où écrire une convention par fichier YAML")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || (*db == "") == (*out == "") {
		return errUsage
	}
	t := time.Now()
	ds, err := bench.Generate(territory.MustLoad(), bench.Options{Seed: *seed, Conventions: *n})
	if err != nil {
		return err
	}
	if *out != "" {
		written, err := bench.WriteFiles(ds, *out)
		if err == nil {
			fmt.Fprintf(env.Stdout, "%d convention(s) fictive(s) écrite(s) dans %s en %s\n", written, *out, time.Since(t).Round(time.Millisecond))
		}
		return err
	}
	d, err := bench.OpenDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Load(ctx, ds, 0, len(ds.Conventions)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d convention(s) fictive(s) enregistrée(s), avec leurs valeurs et leurs comptes, en %s\n", len(ds.Conventions), time.Since(t).Round(time.Millisecond))
	return nil
}
