package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

const orgUsage = `ctg org list [--csv]   (l'annuaire : type, nom, SIREN ou code INSEE, conventions, comptes)
       ctg org add --kind caf|msa|epci|commune|departement|state_service|association|other --name NOM [--short-name SIGLE] [--siren SIREN] [--insee CODE]
  (toutes acceptent --db DSN)`

func orgCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	cfg := config.Defaults()
	fs := flags("org "+args[0], env)
	dbFlag(fs, &cfg)
	var e model.DirectoryEntry
	var asCSV bool
	switch args[0] {
	case "list":
		fs.BoolVar(&asCSV, "csv", false, "écrire l'annuaire au format CSV (séparateur « ; »)")
	case "add":
		fs.StringVar((*string)(&e.Kind), "kind", "", "type : caf, msa, epci, commune, departement, state_service, association ou other")
		fs.StringVar(&e.Name, "name", "", "nom complet de l'organisation")
		fs.StringVar(&e.ShortName, "short-name", "", "nom court ou sigle (« la Caf »)")
		fs.StringVar(&e.SIREN, "siren", "", "SIREN, quand elle en a un")
		fs.StringVar(&e.INSEE, "insee", "", "code INSEE, pour une commune")
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(env.Stdout, "usage : %s\n", orgUsage)
		if env.helped != nil {
			*env.helped = true
		}
		return nil
	default:
		return errUsage
	}
	if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
		return errUsage
	}
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	if args[0] == "add" {
		added, err := svc.AddDirectoryEntry(ctx, auth.System, e)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "organisation ajoutée à l'annuaire : %s (%s)\n", added.Name, added.ID)
		return nil
	}
	list, err := svc.DirectoryEntries(ctx, auth.System)
	if err != nil {
		return err
	}
	if asCSV {
		return writeDirectoryCSV(env.Stdout, list)
	}
	for _, e := range list {
		id := e.SIREN
		if id == "" {
			id = e.INSEE
		}
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\tpartie à %d convention(s)\t%d compte(s)\n", e.ID, e.Kind, e.Name, id, len(e.Parties), e.Accounts)
	}
	return nil
}

// writeDirectoryCSV writes the directory, one organization per row.
func writeDirectoryCSV(w io.Writer, list []model.DirectoryEntry) error {
	rows := make([][]string, 0, len(list))
	for _, e := range list {
		rows = append(rows, []string{e.ID, string(e.Kind), e.Name, e.ShortName, e.SIREN, e.INSEE, strings.Join(e.Parties, " "),
			strings.Join(e.Named, " "), strconv.Itoa(e.Accounts)})
	}
	return textutil.WriteCSV(w, []string{"identifiant", "type", "nom", "nom court", "SIREN", "code INSEE", "partie aux conventions",
		"nommée dans les conventions", "comptes"}, rows)
}
