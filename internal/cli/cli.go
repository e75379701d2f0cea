// Package cli implements the ctg sub-commands. Each command parses its
// flags, builds the configuration and calls the app service.
package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// Version is set at build time with -ldflags "-X …/cli.Version=v1.2.3".
var Version = ""

// version returns the build's version, falling back on the VCS revision.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// Env is what a command may touch of the outside world.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// helped is set by Run, and set to true once a command has printed
	// its help (-h, --help): the command line was then right.
	helped *bool
}

type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "ctg serve [--addr :8080] [--db DSN] [--no-example] [--secrecy mask|round5]", "lance le serveur web et l'API", serve},
		{"import", "ctg import [--db DSN] [--replace] FICHIER", "valide et enregistre une convention et sa vie, depuis un fichier YAML ou une archive ZIP avec ses documents (FICHIER ou - pour l'entrée standard)", importCmd},
		{"export", "ctg export [--db DSN] [--convention SLUG] [--at AAAA-MM-JJ | --archive] [-o FICHIER]",
			"écrit une convention et sa vie au format d'échange YAML (le texte en vigueur à une date avec --at ; YAML et documents dans une archive ZIP avec --archive)", exportCmd},
		{"lint", "ctg lint [--db DSN] [--convention SLUG | FICHIER] [--at DATE] [--format text|json]",
			"contrôle une convention : manques, incohérences, retards (code 1 s'il y a des erreurs)", lintCmd},
		{"draft", draftUsage,
			"lit le texte d'une convention signée et en écrit un brouillon au format d'échange, avec le rapport de lecture", draftCmd},
		{"new", newUsage, "crée une convention en projet pour une intercommunalité, depuis le modèle national : parties, territoire, période, articles", newCmd},
		{"demo", "ctg demo [--db DSN] [--convention SLUG] [--seed N] [--remove]",
			"charge (ou retire) des valeurs d'indicateurs fictives, marquées comme telles", demoCmd},
		{"report", "ctg report [--db DSN] [--convention SLUG] [--year 2024 | --final] -o FICHIER.pdf",
			"écrit le bilan annuel ou final en PDF, et ses chiffres en XLSX à côté", reportCmd},
		{"convention-pdf", "ctg convention-pdf [--db DSN] [--convention SLUG] [--at AAAA-MM-JJ] [-o FICHIER.pdf]",
			"écrit le texte consolidé de la convention en PDF, annexes comprises", conventionPDFCmd},
		{"coverage", "ctg coverage [--db DSN] --departement 04 [--at AAAA-MM-JJ] [--csv] [--svg FICHIER]",
			"couverture d'un département par les conventions : intercommunalités et communes couvertes par une convention en vigueur, échue ou par aucune, population et part couverte", coverageCmd},
		{"migrate", "ctg migrate [--db DSN]", "met le schéma de la base à jour", migrate},
		{"backup", "ctg backup [--db DSN] -o FICHIER",
			"sauvegarde la base SQLite entière, même pendant que ctg serve tourne (PostgreSQL : pg_dump)", backupCmd},
		{"restore", "ctg restore [--db DSN] [--force] FICHIER",
			"remplace la base SQLite par une sauvegarde, ctg serve arrêté (--force si elle contient des données)", restoreCmd},
		{"user", userUsage, "gère les comptes, leurs rôles et leurs jetons d'API", userCmd},
		{"org", orgUsage, "annuaire des organisations de la plateforme : les lister, en ajouter une", orgCmd},
		{"bench", benchUsage, "mesure la plateforme sur un jeu national fictif de conventions (docs/performance.md), ou génère ce jeu", benchCmd},
		{"version", "ctg version", "affiche la version", func(_ context.Context, env Env, _ []string) error {
			_, err := fmt.Fprintln(env.Stdout, "ctg", version())
			return err
		}},
	}
}

// errUsage means the command line was wrong; usage has been printed.
var errUsage = errors.New("usage")

// Run executes the command line args (without the program name) and
// returns the process exit status.
func Run(ctx context.Context, env Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		helped := false
		env.helped = &helped
		err := c.run(ctx, env, args[1:])
		switch {
		case err == nil, helped:
			return 0
		case errors.Is(err, errFindings), errors.Is(err, errPostgresBackup):
			return 1
		case errors.Is(err, errUsage):
			fmt.Fprintf(env.Stderr, "usage : %s\n", c.usage)
			return 2
		default:
			printError(env.Stderr, err)
			return 1
		}
	}
	fmt.Fprintf(env.Stderr, "commande inconnue : %s\n\n", args[0])
	usage(env.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ctg — la convention territoriale globale tenue en données\n\nCommandes :")
	for _, c := range commands() {
		first, _, _ := strings.Cut(c.usage, "\n")
		fmt.Fprintf(w, "  %-58s %s\n", first, c.summary)
	}
	fmt.Fprintf(w, "\nBase par défaut : %s (ou CTG_DB ; postgres://… pour PostgreSQL)\n", config.Defaults().DB)
}

func printError(w io.Writer, err error) {
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintf(w, "erreur : données refusées, rien n'a été enregistré (%d problème(s)) :\n", len(ve.Errors))
		for _, fe := range ve.Errors {
			fmt.Fprintf(w, "  %s\n", fe)
		}
		return
	}
	fmt.Fprintf(w, "erreur : %v\n", err)
}

// flags creates a flag set whose errors are reported by Run. Asked for
// (-h, --help), it prints the command's usage and its own flags on the
// standard output, and Run exits with status 0.
func flags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The flag package writes an error message before calling Usage, and
	// nothing before a help request.
	failed := false
	fs.SetOutput(writerFunc(func(p []byte) (int, error) {
		failed = true
		if _, err := io.WriteString(env.Stderr, flagErrorInFrench(string(p))); err != nil {
			return 0, err
		}
		return len(p), nil
	}))
	fs.Usage = func() {
		if failed {
			return // Run prints the usage line
		}
		printHelp(env.Stdout, name, fs)
		if env.helped != nil {
			*env.helped = true
		}
	}
	return fs
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// usageLines returns the usage of a command ("serve", "user add") and its
// summary.
func usageLines(name string) (usage, summary string) {
	cmd, sub, _ := strings.Cut(name, " ")
	for _, c := range commands() {
		if c.name != cmd {
			continue
		}
		if sub == "" {
			return c.usage, c.summary
		}
		var lines []string
		for _, l := range strings.Split(c.usage, "\n") {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, "ctg "+name+" ") || l == "ctg "+name {
				lines = append(lines, l)
			}
		}
		return strings.Join(lines, "\n       "), c.summary
	}
	return "ctg " + name, ""
}

// printHelp prints a command's usage and the flags of its flag set, in
// French.
func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	usage, summary := usageLines(name)
	fmt.Fprintf(w, "usage : %s\n", usage)
	if summary != "" {
		fmt.Fprintf(w, "\n%s\n", summary)
	}
	fmt.Fprintln(w, "\noptions :")
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " VALEUR"
		}
		fmt.Fprintf(w, "%s\n      %s", line, text)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (par défaut : %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
}

// dbFlag declares the --db flag every command shares on fs. Its default is
// cfg.DB as config.Defaults set it (CTG_DB, else the SQLite file of the
// data directory); the flag's value replaces it.
func dbFlag(fs *flag.FlagSet, cfg *config.Config) {
	fs.StringVar(&cfg.DB, "db", cfg.DB, "base de données (chemin SQLite ou postgres://…)")
}

// parse parses flags placed before or after the positional arguments
// ("ctg import FILE --db x" as well as "ctg import --db x FILE").
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// openService opens the configured database, migrates it and returns the
// service over it.
func openService(ctx context.Context, cfg config.Config) (*app.Service, func(), error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, err
	}
	svc, err := app.New(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, func() { st.Close() }, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func migrate(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("migrate", env)
	dbFlag(fs, &cfg)
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "schéma déjà à jour")
		return nil
	}
	fmt.Fprintf(env.Stdout, "migrations appliquées : %s\n", strings.Join(applied, ", "))
	return nil
}

func importCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("import", env)
	dbFlag(fs, &cfg)
	replace := fs.Bool("replace", false, "remplacer la convention de même identifiant si elle existe")
	rest, err := parse(fs, args)
	if err != nil || len(rest) != 1 {
		return errUsage
	}
	data, err := readInput(env, rest[0])
	if err != nil {
		return err
	}
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	r, err := svc.ImportFile(ctx, data, *replace)
	if errors.Is(err, model.ErrConflict) {
		return fmt.Errorf("%w ; ajoutez --replace pour la remplacer", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, r.Convention.Slug)
	if r.Avenants > 0 || r.Documents > 0 {
		fmt.Fprintf(env.Stderr, "%d avenant(s) et %d document(s) importé(s) avec la convention\n", r.Avenants, r.Documents)
	}
	if r.Meetings > 0 {
		fmt.Fprintf(env.Stderr, "%d réunion(s) des comités importée(s) avec la convention\n", r.Meetings)
	}
	for _, note := range r.Notes {
		fmt.Fprintln(env.Stderr, "attention :", note)
	}
	return nil
}

// maxInput bounds a convention file read (interchange.MaxSize; tests
// lower it).
var maxInput = interchange.MaxSize

// readInput reads a convention file, or the standard input for "-", up to
// interchange.MaxSize, or an archive (told from its first bytes) up to
// interchange.MaxArchiveSize: a larger input is refused without being
// read whole.
func readInput(env Env, name string) ([]byte, error) {
	in, label := env.Stdin, "l'entrée standard"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("lecture de %s : %w", name, err)
		}
		defer f.Close()
		in, label = f, name
	}
	buffered := bufio.NewReader(in)
	limit := maxInput
	if head, _ := buffered.Peek(4); document.IsZip(head) {
		limit = interchange.MaxArchiveSize
	}
	data, err := io.ReadAll(io.LimitReader(buffered, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("lecture de %s : %w", label, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("lecture de %s : fichier trop volumineux (%d Mo au plus)", label, limit>>20)
	}
	return data, nil
}

func exportCmd(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("export", env)
	dbFlag(fs, &cfg)
	slug := fs.String("convention", "", "identifiant de la convention (facultatif s'il n'y en a qu'une)")
	out := fs.String("o", "", "fichier de sortie (sortie standard par défaut)")
	at := fs.String("at", "", "la version en vigueur ce jour-là, AAAA-MM-JJ (aujourd'hui par défaut)")
	archive := fs.Bool("archive", false, "écrire une archive ZIP : le fichier YAML et le contenu des documents")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	if *archive && *at != "" {
		return errors.New("--archive : l'archive porte la convention entière avec sa vie ; --at ne s'y applique pas")
	}
	if *archive && *out == "" {
		return errors.New("--archive : indiquez le fichier à écrire avec -o (par exemple -o convention.zip)")
	}
	if *at != "" {
		d, err := model.ParseDate(*at)
		if err != nil {
			return fmt.Errorf("--at : %w", err)
		}
		ctx = app.OnDate(ctx, d)
	}
	svc, closeFn, err := openConvention(ctx, cfg, slug)
	if err != nil {
		return err
	}
	defer closeFn()
	export := svc.Export
	if *archive {
		export = svc.Archive
	}
	data, err := export(ctx, auth.System, *slug)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = env.Stdout.Write(data)
		return err
	}
	return writeFileAtomic(*out, data)
}

// openConvention opens the service and, when *slug is empty, sets it to
// the only stored convention.
func openConvention(ctx context.Context, cfg config.Config, slug *string) (*app.Service, func(), error) {
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if *slug == "" {
		if *slug, err = onlyConvention(ctx, svc); err != nil {
			closeFn()
			return nil, nil, err
		}
	}
	return svc, closeFn, nil
}

// onlyConvention returns the slug of the single stored convention.
func onlyConvention(ctx context.Context, svc *app.Service) (string, error) {
	list, err := svc.Conventions(ctx, auth.System)
	if err != nil {
		return "", err
	}
	switch len(list) {
	case 1:
		return list[0].Slug, nil
	case 0:
		return "", errors.New("aucune convention dans la base")
	}
	slugs := make([]string, len(list))
	for i, c := range list {
		slugs[i] = c.Slug
	}
	return "", fmt.Errorf("--convention : précisez laquelle parmi %s", strings.Join(slugs, ", "))
}

// writeFileAtomic writes through a temporary file, so that a failed export
// never leaves a truncated file behind.
func writeFileAtomic(path string, data []byte) error {
	// A device or a pipe (-o /dev/null, -o /dev/stdout) is written to,
	// never replaced by a file.
	if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// flagErrorInFrench translates the few messages of the flag package.
func flagErrorInFrench(msg string) string {
	for _, r := range []struct{ en, fr string }{
		{"flag provided but not defined: ", "option inconnue : "},
		{"flag needs an argument: ", "valeur manquante pour l'option "},
		{"bad flag syntax: ", "option mal écrite : "},
	} {
		if rest, ok := strings.CutPrefix(msg, r.en); ok {
			return r.fr + rest
		}
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if value, flagPart, ok := strings.Cut(rest, " for flag "); ok {
			name, _, _ := strings.Cut(flagPart, ":")
			return fmt.Sprintf("valeur %s invalide pour l'option %s\n", value, name)
		}
	}
	return msg
}
