package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
)

const userUsage = `ctg user add --email ADRESSE --name NOM [--organization NOM] [--admin] [--password-stdin]
       ctg user grant --email ADRESSE --convention SLUG --role admin|editor|contributor|reader [--organization CLÉ]
       ctg user password --email ADRESSE   (nouveau mot de passe lu sur l'entrée standard)
       ctg user token --email ADRESSE --name NOM_DU_JETON
       ctg user list
  (toutes acceptent --db DSN)`

func userCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	cfg := config.Defaults()
	fs := flags("user "+args[0], env)
	dbFlag(fs, &cfg)
	email := fs.String("email", "", "adresse électronique du compte")
	name := fs.String("name", "", "nom de la personne, ou du jeton")
	org := fs.String("organization", "", "organisation (add : nom libre ; grant : clé d'organisation de la convention)")
	admin := fs.Bool("admin", false, "administrateur·rice de la plateforme (voit et modifie toutes les conventions)")
	stdinPw := fs.Bool("password-stdin", false, "lire le mot de passe sur l'entrée standard (sinon il est généré et affiché)")
	slug := fs.String("convention", "", "identifiant de la convention")
	role := fs.String("role", "", "rôle dans la convention")
	if rest, err := parse(fs, args[1:]); err != nil || len(rest) > 0 {
		return errUsage
	}
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	switch args[0] {
	case "add":
		password, generated := "", false
		if *stdinPw {
			line, err := bufio.NewReader(env.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("--password-stdin : aucun mot de passe lu")
			}
			password = strings.TrimRight(line, "\r\n")
		} else {
			password, generated = auth.RandomToken(12), true
		}
		u, err := svc.AddUser(ctx, app.NewUser{Email: *email, Name: *name, Organization: *org, Password: password, PlatformAdmin: *admin})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "compte créé : %s\n", u.Email)
		if generated {
			fmt.Fprintf(env.Stdout, "mot de passe : %s\n", password)
		}
		return nil
	case "grant":
		err := svc.Grant(ctx, auth.System, *email, auth.Membership{Convention: *slug, Role: auth.Role(*role), Organization: *org})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s : %s de %s\n", *email, auth.RoleLabels[auth.Role(*role)], *slug)
		return nil
	case "password":
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("aucun mot de passe lu sur l'entrée standard")
		}
		if err := svc.ChangePassword(ctx, *email, strings.TrimRight(line, "\r\n")); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "mot de passe changé : %s\n", *email)
		return nil
	case "token":
		u, err := svc.Store.UserByEmail(ctx, strings.ToLower(*email))
		if err != nil {
			return fmt.Errorf("--email : aucun compte pour %s", *email)
		}
		a, err := svc.Store.Actor(ctx, u)
		if err != nil {
			return err
		}
		token, err := svc.CreateToken(ctx, a, *name)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, token)
		return nil
	case "list":
		users, err := svc.Store.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			admin := ""
			if u.PlatformAdmin {
				admin = " (administrateur·rice)"
			}
			fmt.Fprintf(env.Stdout, "%s\t%s%s\n", u.Email, u.Name, admin)
		}
		return nil
	}
	return errUsage
}
