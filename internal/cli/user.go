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
       ctg user grant --email ADRESSE --convention SLUG --role admin|editor|contributor|reader|dpo [--organization ORGANISATION]
       ctg user revoke --email ADRESSE --convention SLUG   (retire l'accès à la convention)
       ctg user password --email ADRESSE   (nouveau mot de passe lu sur l'entrée standard ; ferme les sessions)
       ctg user disable --email ADRESSE   (désactive le compte : sessions fermées, jetons refusés)
       ctg user enable --email ADRESSE
       ctg user token --email ADRESSE --name NOM_DU_JETON   (valable un an)
       ctg user token --email ADRESSE --revoke IDENTIFIANT
       ctg user tokens --email ADRESSE   (liste les jetons et leurs identifiants)
       ctg user org --email ADRESSE --organization ORGANISATION [--role admin|editor|contributor|reader|dpo]
         (rattache le compte à une organisation de l'annuaire ; avec --role, ce rôle dans toutes les conventions
          dont elle est partie ; --organization "" le détache)
       ctg user list
  (toutes acceptent --db DSN)`

// userFlags lists the flags of each user sub-command, besides --db.
var userFlags = map[string][]string{
	"add":      {"email", "name", "organization", "admin", "password-stdin"},
	"grant":    {"email", "convention", "role", "organization"},
	"revoke":   {"email", "convention"},
	"password": {"email"},
	"disable":  {"email"},
	"enable":   {"email"},
	"token":    {"email", "name", "revoke"},
	"tokens":   {"email"},
	"list":     nil,
	"org":      {"email", "organization", "role"},
}

func userCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintf(env.Stdout, "usage : %s\n\nAide d'une sous-commande : ctg user add --help\n", userUsage)
		if env.helped != nil {
			*env.helped = true
		}
		return nil
	}
	own, ok := userFlags[args[0]]
	if !ok {
		return errUsage
	}
	cfg := config.Defaults()
	fs := flags("user "+args[0], env)
	dbFlag(fs, &cfg)
	// Every flag has a variable; only the sub-command's own are declared.
	var email, name, org, slug, role, revoke string
	var admin, stdinPw bool
	orgHelp := "organisation de la personne (nom libre)"
	nameHelp := "nom de la personne"
	if args[0] == "grant" {
		orgHelp = "organisation de la convention pour laquelle la personne agit : son nom ou son sigle (obligatoire pour contributor et dpo)"
	}
	if args[0] == "org" {
		orgHelp = "organisation de l'annuaire (ctg org list) : son nom, son sigle, son SIREN ou son code INSEE"
	}
	if args[0] == "token" {
		nameHelp = "nom du jeton (l'outil qui l'utilisera)"
	}
	for _, f := range own {
		switch f {
		case "email":
			fs.StringVar(&email, f, "", "adresse électronique du compte")
		case "name":
			fs.StringVar(&name, f, "", nameHelp)
		case "organization":
			fs.StringVar(&org, f, "", orgHelp)
		case "admin":
			fs.BoolVar(&admin, f, false, "administrateur·rice de la plateforme (voit et modifie toutes les conventions)")
		case "password-stdin":
			fs.BoolVar(&stdinPw, f, false, "lire le mot de passe sur l'entrée standard (sinon il est généré et affiché)")
		case "convention":
			fs.StringVar(&slug, f, "", "identifiant de la convention")
		case "role":
			fs.StringVar(&role, f, "", "rôle dans la convention : admin, editor, contributor, reader ou dpo")
		case "revoke":
			fs.StringVar(&revoke, f, "", "identifiant du jeton à révoquer (voir ctg user tokens)")
		}
	}
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
		if stdinPw {
			line, err := bufio.NewReader(env.Stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("--password-stdin : aucun mot de passe lu")
			}
			password = strings.TrimRight(line, "\r\n")
		} else {
			password, generated = auth.RandomToken(12), true
		}
		u, err := svc.AddUser(ctx, app.NewUser{Email: email, Name: name, Organization: org, Password: password, PlatformAdmin: admin})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "compte créé : %s\n", u.Email)
		if generated {
			fmt.Fprintf(env.Stdout, "mot de passe : %s\n", password)
		}
		return nil
	case "grant":
		err := svc.Grant(ctx, auth.System, email, auth.Membership{Convention: slug, Role: auth.Role(role), Organization: org})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s : %s de %s\n", email, auth.RoleLabels[auth.Role(role)], slug)
		return nil
	case "org":
		if err := svc.SetAccountOrganization(ctx, auth.System, email, org, auth.Role(role)); err != nil {
			return err
		}
		switch {
		case org == "":
			fmt.Fprintf(env.Stdout, "%s : sans organisation\n", email)
		case role == "":
			fmt.Fprintf(env.Stdout, "%s : membre de %s, sans rôle dans ses conventions\n", email, org)
		default:
			fmt.Fprintf(env.Stdout, "%s : %s dans toutes les conventions dont %s est partie\n", email, auth.RoleLabels[auth.Role(role)], org)
		}
		return nil
	case "password":
		line, err := bufio.NewReader(env.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("aucun mot de passe lu sur l'entrée standard")
		}
		if err := svc.ChangePassword(ctx, email, strings.TrimRight(line, "\r\n")); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "mot de passe changé : %s\n", email)
		return nil
	case "revoke":
		if err := svc.RemoveMember(ctx, auth.System, email, slug); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s : accès à %s retiré\n", email, slug)
		return nil
	case "disable", "enable":
		if err := svc.SetDisabled(ctx, auth.System, email, args[0] == "disable"); err != nil {
			return err
		}
		state := "réactivé"
		if args[0] == "disable" {
			state = "désactivé (sessions fermées, jetons refusés)"
		}
		fmt.Fprintf(env.Stdout, "compte %s : %s\n", email, state)
		return nil
	case "token":
		a, err := svc.ActorByEmail(ctx, email)
		if err != nil {
			return err
		}
		if revoke != "" {
			if err := svc.RevokeToken(ctx, auth.System, a.UserID, revoke); err != nil {
				return fmt.Errorf("--revoke : %w", err)
			}
			fmt.Fprintf(env.Stdout, "jeton %s révoqué\n", revoke)
			return nil
		}
		token, expires, err := svc.CreateToken(ctx, a, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, token)
		fmt.Fprintf(env.Stderr, "jeton valable jusqu'au %s\n", expires.Format("2006-01-02 15:04 UTC"))
		return nil
	case "tokens":
		a, err := svc.ActorByEmail(ctx, email)
		if err != nil {
			return err
		}
		list, err := svc.Tokens(ctx, auth.System, a.UserID)
		if err != nil {
			return err
		}
		for _, t := range list {
			used := "jamais utilisé"
			if t.LastUsedAt != nil {
				used = "utilisé le " + t.LastUsedAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\texpire le %s\t%s\n", t.ID, t.Name, t.ExpiresAt.Format("2006-01-02"), used)
		}
		return nil
	case "list":
		users, err := svc.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			admin := ""
			if u.PlatformAdmin {
				admin = " (administrateur·rice)"
			}
			if u.InvitationPending {
				admin += " (invitation en attente)"
			} else if u.Disabled {
				admin += " (désactivé)"
			}
			fmt.Fprintf(env.Stdout, "%s\t%s%s\n", u.Email, u.Name, admin)
		}
		return nil
	}
	return errUsage
}
