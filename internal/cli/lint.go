package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// errFindings makes the process exit with status 1 after a report that
// holds error-level findings, without printing anything more.
var errFindings = errors.New("le contrôle a trouvé des erreurs")

func lintCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("lint", env)
	dbFlag(fs, &cfg)
	slug := fs.String("convention", "", "identifiant d'une convention enregistrée")
	atText := fs.String("at", "", "date du contrôle, AAAA-MM-JJ (aujourd'hui par défaut)")
	format := fs.String("format", "text", "text ou json")
	rest, err := parse(fs, args)
	if err != nil || len(rest) > 1 || (len(rest) == 1 && *slug != "") {
		return errUsage
	}
	at := model.DateOf(time.Now())
	if *atText != "" {
		if at, err = model.ParseDate(*atText); err != nil {
			return fmt.Errorf("--at : %w", err)
		}
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("--format : « %s » inconnu (text ou json)", *format)
	}
	var c *model.Convention
	var findings []lint.Finding
	ref := territory.MustLoad()
	if len(rest) == 1 {
		data, err := readInput(env, rest[0])
		if err != nil {
			return err
		}
		// A file may carry the life of its convention: its text is checked.
		f, err := interchange.DecodeFile(data, ref)
		if err != nil {
			return err
		}
		c = &f.Convention
		findings = lint.Run(c, ref, at)
	} else {
		svc, closeFn, err := openConvention(ctx, cfg, slug)
		if err != nil {
			return err
		}
		defer closeFn()
		if c, err = svc.Convention(ctx, auth.System, *slug); err != nil {
			return err
		}
		// A stored convention is checked with its recorded evaluation.
		if findings, err = svc.Findings(ctx, c, at); err != nil {
			return err
		}
	}
	if *format == "json" {
		err = writeLintJSON(env.Stdout, c.Slug, at, findings)
	} else {
		err = writeLintText(env.Stdout, c.Slug, at, findings)
	}
	if err != nil {
		return err
	}
	if lint.HasErrors(findings) {
		return errFindings
	}
	return nil
}

func writeLintJSON(w io.Writer, slug string, at model.Date, fs []lint.Finding) error {
	if fs == nil {
		fs = []lint.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Convention string                `json:"convention"`
		At         model.Date            `json:"at"`
		Counts     map[lint.Severity]int `json:"counts"`
		Findings   []lint.Finding        `json:"findings"`
	}{slug, at, lint.Count(fs), fs})
}

func writeLintText(w io.Writer, slug string, at model.Date, fs []lint.Finding) error {
	counts := lint.Count(fs)
	fmt.Fprintf(w, "Contrôle de %s au %s : %d erreur(s), %d avertissement(s), %d information(s)\n",
		slug, at, counts[lint.Error], counts[lint.Warning], counts[lint.Info])
	for _, f := range fs {
		where := ""
		if f.Where != "" {
			where = " — " + f.Where
		}
		fmt.Fprintf(w, "\n%s %s%s\n  %s\n  à : %s\n", strings.ToUpper(lint.Labels[f.Severity]), f.Rule, where, f.Message, f.Path)
		if f.Fix != "" {
			fmt.Fprintf(w, "  que faire : %s\n", f.Fix)
		}
	}
	return nil
}
