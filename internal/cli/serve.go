package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/config"
	"github.com/ctg-territoires/ctg/internal/mail"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/web"
)

// firstAdminEmail is the account created on a platform without any.
const firstAdminEmail = "admin@ctg.localhost"

func serve(ctx context.Context, env Env, args []string) error {
	cfg := config.Defaults()
	fs := flags("serve", env)
	dbFlag(fs, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "adresse d'écoute HTTP")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "adresse d'écoute des métriques Prometheus (/metrics), à réserver au réseau de supervision (ex. 127.0.0.1:9090 ; aucune par défaut)")
	fs.BoolVar(&cfg.NoExample, "no-example", false, "ne pas charger la convention d'exemple dans une base vide")
	fs.StringVar(&cfg.Secrecy, "secrecy", cfg.Secrecy, "secret statistique des exports diffusables : mask (< 5) ou round5 (arrondi à 5)")
	fs.StringVar(&cfg.PublicURL, "public-url", cfg.PublicURL, "adresse publique du site, pour les liens des courriels (ex. https://ctg.exemple.fr)")
	fs.StringVar(&cfg.SMTP.Host, "smtp-host", cfg.SMTP.Host, "serveur SMTP d'envoi des courriels (aucun : les courriels sont gardés, non envoyés)")
	fs.IntVar(&cfg.SMTP.Port, "smtp-port", cfg.SMTP.Port, "port du serveur SMTP (par défaut 587 en starttls, 465 en tls)")
	fs.StringVar(&cfg.SMTP.TLS, "smtp-tls", cfg.SMTP.TLS, "chiffrement : starttls, tls ou none (serveur local seulement)")
	fs.StringVar(&cfg.SMTP.User, "smtp-user", cfg.SMTP.User, "identifiant SMTP (le mot de passe : CTG_SMTP_PASSWORD)")
	fs.StringVar(&cfg.SMTP.From, "smtp-from", cfg.SMTP.From, "adresse d'expédition des courriels")
	fs.StringVar(&cfg.Reminders, "reminders", cfg.Reminders, "rappels des échéances par courriel, en jours avant l'échéance (0 : aucun)")
	warm := fs.Bool("portfolio-lines", true, "calculer en tâche de fond, au démarrage puis chaque jour, la ligne de portefeuille de chaque convention")
	if rest, err := parse(fs, args); err != nil || len(rest) > 0 {
		return errUsage
	}
	if cfg.SMTP.Port == 0 {
		cfg.SMTP.Port = config.SMTPPort(cfg.SMTP.TLS)
	}
	if err := cfg.ValidateMail(); err != nil {
		return err
	}
	days, err := app.ParseReminderDays(cfg.Reminders)
	if err != nil {
		return fmt.Errorf("--reminders : %w", err)
	}
	rule, err := secrecy.ParseRule(cfg.Secrecy)
	if err != nil {
		return fmt.Errorf("--secrecy : %w", err)
	}
	log := newLogger(env.Stderr)
	svc, closeFn, err := openService(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeFn()
	svc.Secrecy = rule
	svc.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	svc.SetMail(cfg.SMTP)
	if !cfg.NoExample {
		loaded, err := svc.LoadExampleIfEmpty(ctx)
		if err != nil {
			return err
		}
		if loaded {
			log.Info("base vide : convention d'exemple chargée", "convention", "ctg-forcalquier-2022")
		}
	}
	password, err := svc.EnsureFirstAdmin(ctx, firstAdminEmail)
	if err != nil {
		return err
	}
	if password != "" {
		// Shown once on the terminal, not in the structured log.
		fmt.Fprintf(env.Stderr, "\n  Premier compte créé — administrateur·rice de la plateforme :\n    adresse : %s\n    mot de passe : %s\n  (changez-le avec ctg user password ; ce message ne sera plus affiché)\n\n", firstAdminEmail, password)
	}
	handler, err := web.New(svc, log, version())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("--addr : écoute sur %s impossible : %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr : écoute sur %s impossible : %w", cfg.MetricsAddr, err)
		}
		msrv := &http.Server{Handler: handler.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
		go func() { _ = msrv.Serve(mln) }()
		defer msrv.Close()
		log.Info("métriques Prometheus", "address", "http://"+displayAddr(mln.Addr())+"/metrics")
	}
	log.Info("ctg à l'écoute", "address", "http://"+displayAddr(ln.Addr()), "database", svc.Database(), "version", version())
	// The outbox is sent in the background until the server stops; the
	// message being sent is finished and recorded first.
	mailCtx, stopMail := context.WithCancel(context.WithoutCancel(ctx))
	mailDone := make(chan struct{})
	if cfg.SMTP.Configured() {
		sender := svc.NewMailSender(&mail.Sender{Settings: cfg.SMTP}, log)
		svc.OnMailQueued(sender.Wake)
		go func() { defer close(mailDone); sender.Run(mailCtx) }()
		log.Info("envoi des courriels", "smtp", net.JoinHostPort(cfg.SMTP.Host, strconv.Itoa(cfg.SMTP.Port)), "tls", cfg.SMTP.TLS)
	} else {
		close(mailDone)
		log.Info("aucun serveur SMTP configuré : les courriels sont gardés, non envoyés (voir /admin/courriels)")
	}
	defer func() { stopMail(); <-mailDone }()
	if len(days) > 0 {
		// Reminders are written outside any request: their links take the
		// public address, or else the address the server listens on.
		origin := svc.PublicURL
		if origin == "" {
			origin = "http://" + displayAddr(ln.Addr())
		}
		afterStart(mailCtx, func() {
			svc.RunReminders(app.WithSite(mailCtx, origin), days, func(err error) { log.Error("rappels des échéances", "error", err) })
		})
	}
	if *warm {
		afterStart(mailCtx, func() {
			svc.RunPortfolioLines(mailCtx, func(err error) { log.Error("lignes du portefeuille", "error", err) })
		})
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go handler.Warm()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("arrêt demandé : fin des requêtes en cours")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	stopMail()
	<-mailDone
	log.Info("serveur arrêté")
	return nil
}

// afterStart runs job in the background once the server has run for a
// minute, unless ctx is done before. The daily jobs (reminders, portfolio
// lines) read every convention: they wait so as not to compete with the
// first requests of a process that has just started.
func afterStart(ctx context.Context, job func()) {
	go func() {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
		job()
	}()
}

// displayAddr turns ":8080" into "localhost:8080" for the log line.
func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		return "localhost:" + port
	}
	return a.String()
}
