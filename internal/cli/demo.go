package cli

import (
	"context"
	"fmt"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/config"
)

func demoCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("demo", env)
	dbFlag(fs, &cfg)
	slug := fs.String("convention", "", "identifiant de la convention (facultatif s'il n'y en a qu'une)")
	seed := fs.Uint64("seed", app.DemoSeed, "graine du générateur : la même graine donne les mêmes valeurs")
	remove := fs.Bool("remove", false, "supprimer les valeurs fictives au lieu d'en créer")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	svc, closeFn, err := openConvention(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer closeFn()
	if *remove {
		n, err := svc.RemoveDemo(ctx, *slug)
		if err == nil {
			fmt.Fprintf(env.Stdout, "%d valeur(s) fictive(s) supprimée(s) de %s\n", n, *slug)
		}
		return err
	}
	n, err := svc.LoadDemo(ctx, *slug, *seed)
	if err == nil {
		fmt.Fprintf(env.Stdout, "%d valeur(s) fictive(s) chargée(s) dans %s (graine %d), marquées comme telles ; les valeurs réelles ne sont pas touchées\n", n, *slug, *seed)
	}
	return err
}
