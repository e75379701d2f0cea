package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
)

func reportCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("report", env)
	dbFlag(fs, &cfg)
	slug := fs.String("convention", "", "identifiant de la convention (facultatif s'il n'y en a qu'une)")
	year := fs.Int("year", time.Now().Year()-1, "année du bilan annuel")
	final := fs.Bool("final", false, "bilan final de toute la période, pour la décision de renouvellement")
	out := fs.String("o", "", "fichier PDF à écrire ; les chiffres sont écrits à côté, en .xlsx")
	public := fs.Bool("diffusable", false, "version diffusable : effectifs de moins de 5 masqués (secret statistique)")
	fs.StringVar(&cfg.Secrecy, "secrecy", cfg.Secrecy, "règle du secret statistique : mask ou round5")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *out == "" {
		return errUsage
	}
	if !strings.HasSuffix(strings.ToLower(*out), ".pdf") {
		return fmt.Errorf("-o : le bilan s'écrit dans un fichier .pdf (« %s »)", *out)
	}
	start := time.Now()
	svc, closeFn, err := openConvention(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer closeFn()
	if svc.Secrecy, err = secrecy.ParseRule(cfg.Secrecy); err != nil {
		return fmt.Errorf("--secrecy : %w", err)
	}
	r, err := svc.Report(ctx, auth.System, *slug, *year, *final, *public)
	if err != nil {
		return err
	}
	pdf, err := r.PDF()
	if err != nil {
		return err
	}
	xlsx, err := r.XLSX()
	if err != nil {
		return err
	}
	xlsxPath := (*out)[:len(*out)-4] + ".xlsx"
	if err := writeFileAtomic(*out, pdf); err != nil {
		return err
	}
	if err := writeFileAtomic(xlsxPath, xlsx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s : %s (%d Ko) et %s (%d Ko) en %s\n", r.Title(), *out, len(pdf)/1024, xlsxPath, len(xlsx)/1024,
		time.Since(start).Round(time.Millisecond))
	if r.Synthetic {
		fmt.Fprintln(env.Stdout, "attention : le bilan contient des données fictives de démonstration, signalées comme telles")
	}
	return nil
}

func conventionPDFCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("convention-pdf", env)
	dbFlag(fs, &cfg)
	slug := fs.String("convention", "", "identifiant de la convention (facultatif s'il n'y en a qu'une)")
	out := fs.String("o", "", "fichier PDF à écrire (par défaut IDENTIFIANT-convention.pdf)")
	at := fs.String("at", "", "le texte en vigueur ce jour-là, AAAA-MM-JJ (aujourd'hui par défaut)")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	if *at != "" {
		d, err := model.ParseDate(*at)
		if err != nil {
			return fmt.Errorf("--at : %w", err)
		}
		ctx = app.OnDate(ctx, d)
	}
	if *out != "" && !strings.HasSuffix(strings.ToLower(*out), ".pdf") {
		return fmt.Errorf("-o : le texte s'écrit dans un fichier .pdf (« %s »)", *out)
	}
	svc, closeFn, err := openConvention(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer closeFn()
	pdf, err := svc.ConventionPDF(ctx, auth.System, *slug)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = *slug + "-convention.pdf"
	}
	if err := writeFileAtomic(*out, pdf); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "texte consolidé de %s : %s (%d Ko)\n", *slug, *out, len(pdf)/1024)
	return nil
}
