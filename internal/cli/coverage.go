package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

func coverageCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("coverage", env)
	dbFlag(fs, &cfg)
	dep := fs.String("departement", "", "code INSEE du département : 04, 2A, 971…")
	atText := fs.String("at", "", "date de la couverture, AAAA-MM-JJ (aujourd'hui par défaut)")
	asCSV := fs.Bool("csv", false, "écrire une ligne par commune au format CSV (séparateur « ; »)")
	svgPath := fs.String("svg", "", "écrire aussi le graphique de la couverture dans ce fichier SVG")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 || *dep == "" {
		return errUsage
	}
	at := model.DateOf(time.Now())
	if *atText != "" {
		var err error
		if at, err = model.ParseDate(*atText); err != nil {
			return fmt.Errorf("--at : %w", err)
		}
	}
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	r, err := svc.Coverage(ctx, auth.System, strings.ToUpper(strings.TrimSpace(*dep)), at)
	if err != nil {
		return err
	}
	if *svgPath != "" {
		if err := writeFileAtomic(*svgPath, []byte(coverage.SVG(r))); err != nil {
			return err
		}
	}
	if *asCSV {
		return writeCoverageCSV(env.Stdout, r)
	}
	return writeCoverageText(env.Stdout, r)
}

func writeCoverageText(w io.Writer, r *coverage.Report) error {
	fmt.Fprintf(w, "%s\n\n", r.Title())
	fmt.Fprintf(w, "%-14s %18s %9s %12s %8s\n", "couverture", "intercommunalités", "communes", "population", "part")
	for _, c := range coverage.Classes {
		t := r.Totals[c]
		fmt.Fprintf(w, "%-14s %18d %9d %12s %8s\n", c.Short(), t.EPCIs, t.Communes, coverage.Number(t.Population), coverage.Percent(r.Share(c)))
	}
	fmt.Fprintf(w, "%-14s %18d %9d %12s\n", "total", len(r.EPCIs), len(r.Communes), coverage.Number(r.Population))
	fmt.Fprintf(w, "\nPopulation couverte par une convention en vigueur : %s\n", coverage.Percent(r.Covered()))
	if len(r.Conventions) > 0 {
		fmt.Fprintln(w, "\nConventions sur le territoire du département :")
		for _, c := range r.Conventions {
			fmt.Fprintf(w, "  %s — %s (%s)\n", c.Slug, c.Title, c.State.Label())
		}
	}
	fmt.Fprintln(w, "\nIntercommunalités :")
	for _, e := range r.EPCIs {
		notes := []string{fmt.Sprintf("%d commune(s), %s hab.", e.Communes, coverage.Number(e.Population))}
		if e.Partial {
			notes = append(notes, "couverte en partie")
		}
		if e.OtherDepartements {
			notes = append(notes, "s'étend sur un autre département, compté ici pour ses communes du département")
		}
		fmt.Fprintf(w, "  %-14s %s (%s) — %s\n", e.Class.Short(), e.Name, e.SIREN, strings.Join(notes, " ; "))
	}
	if r.OutsideEPCI > 0 {
		fmt.Fprintf(w, "\n%d commune(s) hors intercommunalité, comptée(s) parmi les communes.\n", r.OutsideEPCI)
	}
	return nil
}

func writeCoverageCSV(w io.Writer, r *coverage.Report) error {
	names := map[string]string{}
	for _, e := range r.EPCIs {
		names[e.SIREN] = e.Name
	}
	rows := make([][]string, 0, len(r.Communes))
	for _, c := range r.Communes {
		rows = append(rows, []string{c.INSEE, c.Name, c.EPCI, names[c.EPCI], strconv.Itoa(c.Population), c.Class.Short(),
			strings.Join(c.Conventions, " ")})
	}
	return textutil.WriteCSV(w, []string{"code INSEE", "commune", "SIREN de l'intercommunalité", "intercommunalité", "population",
		"couverture", "conventions"}, rows)
}
