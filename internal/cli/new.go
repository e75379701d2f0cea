package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/newconv"
	"github.com/ctg-territoires/ctg/internal/territory"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

const newUsage = `ctg new --epci NOM|SIREN|COMMUNE --caf "NOM" [--caf-short "la Caf"] [--caf-siren SIREN] [--msa "NOM"] [--start AAAA-MM-JJ] [--end AAAA-MM-JJ] [--slug S] [--title T] [--without-communes] [--db DSN | -o FICHIER.yaml]`

// newCmd creates a convention in draft for an intercommunality, from the
// model text of the national model: stored in the database, or written
// as a YAML file with -o.
func newCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("new", env)
	dbFlag(fs, &cfg)
	var in app.NewConventionInput
	fs.StringVar(&in.EPCI, "epci", "", "intercommunalité : nom, SIREN, ou nom, code INSEE ou code postal d'une commune")
	fs.StringVar(&in.Caf.Name, "caf", "", "nom de la Caf")
	fs.StringVar(&in.Caf.ShortName, "caf-short", "", "nom court de la Caf (« la Caf » par défaut)")
	fs.StringVar(&in.Caf.SIREN, "caf-siren", "", "SIREN de la Caf")
	fs.StringVar(&in.MSA.Name, "msa", "", "nom de la MSA (aucune MSA sinon)")
	fs.StringVar(&in.Start, "start", "", "début de la période (1er janvier de l'année suivante par défaut)")
	fs.StringVar(&in.End, "end", "", "fin de la période (31 décembre de la quatrième année par défaut)")
	fs.StringVar(&in.Slug, "slug", "", "identifiant (ctg-<intercommunalité>-<année> par défaut)")
	fs.StringVar(&in.Title, "title", "", "titre")
	fs.BoolVar(&in.WithoutCommunes, "without-communes", false, "les communes membres ne signent pas")
	out := fs.String("o", "", "écrire la convention dans ce fichier YAML au lieu de l'enregistrer")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 0 {
		return errUsage
	}
	var c *model.Convention
	if *out != "" {
		svc, err := app.New(nil)
		if err != nil {
			return err
		}
		if c, err = svc.NewConventionDraft(ctx, auth.System, in); err != nil {
			return err
		}
		data, err := interchange.Encode(c)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*out, data); err != nil {
			return fmt.Errorf("écriture de %s : %w", *out, err)
		}
	} else {
		svc, closeFn, err := openService(ctx, cfg)
		if err != nil {
			return err
		}
		defer closeFn()
		if c, err = svc.NewConvention(ctx, auth.System, in); err != nil {
			return err
		}
	}
	fmt.Fprintln(env.Stdout, c.Slug)
	summarizeNew(env.Stderr, c, *out)
	return nil
}

// summarizeNew says what was made and what is left to complete: the
// checker's findings on the new draft, by rule.
func summarizeNew(w io.Writer, c *model.Convention, file string) {
	ref := territory.MustLoad()
	where := "enregistrée"
	if file != "" {
		where = "écrite dans " + file + " (à importer avec « ctg import »)"
	}
	communes := 0
	if e, ok := ref.EPCI(c.Territory.EPCI); ok {
		communes = len(newconv.Members(ref, e))
	}
	fmt.Fprintf(w, "convention « %s » %s, en projet : %d partie(s), territoire de %d commune(s), du %s au %s\n", c.Title, where,
		len(c.Parties), communes, textutil.FrenchDate(c.Period.Start), textutil.FrenchDate(c.Period.End))
	count := map[string]int{}
	for _, f := range lint.Run(c, ref, model.DateOf(time.Now())) {
		count[f.Rule]++
	}
	fmt.Fprintln(w, "reste à compléter (ctg lint) :")
	for _, r := range lint.Rules {
		if n := count[r.ID]; n > 0 {
			fmt.Fprintf(w, "  - %s : %s (%d)\n", lint.Labels[r.Severity], r.Title, n)
		}
	}
	fmt.Fprintln(w, "puis le diagnostic, le plan d'actions, les équipements et les comités, avec les formulaires de la convention")
}
