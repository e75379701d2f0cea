// Package config builds the one immutable configuration of a ctg process:
// defaults, then environment variables (CTG_*), then command-line flags.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/mail"
)

// Config is read once at start and never changed afterwards.
type Config struct {
	// DB is a postgres:// URL or the path of an SQLite file.
	DB string
	// Addr is the HTTP listen address of ctg serve.
	Addr string
	// MetricsAddr is the listen address of the Prometheus metrics of ctg
	// serve (/metrics); empty, they are not served.
	MetricsAddr string
	// NoExample disables loading the bundled convention into an empty database.
	NoExample bool
	// Secrecy is the statistical secrecy rule: mask (default) or round5.
	Secrecy string
	// Reminders are the days before an obligation when its reminder is
	// e-mailed ("30,7"; "0" for none).
	Reminders string
	// SMTP is the server e-mails are sent through; no host, none.
	SMTP mail.Settings
	// PublicURL is the site's address for the links of e-mails.
	PublicURL string
}

// DataDir is where ctg keeps its SQLite database by default:
// $CTG_DATA_DIR, else $XDG_DATA_HOME/ctg, else ~/.local/share/ctg.
func DataDir() string {
	if d := os.Getenv("CTG_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ctg")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "ctg")
	}
	return "ctg-data"
}

// Defaults returns the configuration before any flag: defaults overridden
// by the environment (CTG_DB, CTG_ADDR).
func Defaults() Config {
	c := Config{DB: filepath.Join(DataDir(), "ctg.db"), Addr: ":8080"}
	if v := os.Getenv("CTG_DB"); v != "" {
		c.DB = v
	}
	if v := os.Getenv("CTG_ADDR"); v != "" {
		c.Addr = v
	}
	c.MetricsAddr = os.Getenv("CTG_METRICS_ADDR")
	c.Secrecy = os.Getenv("CTG_SECRECY")
	c.Reminders = "30,7"
	if v, ok := os.LookupEnv("CTG_REMINDERS"); ok {
		c.Reminders = v
	}
	c.PublicURL = os.Getenv("CTG_PUBLIC_URL")
	c.SMTP = mail.Settings{Host: os.Getenv("CTG_SMTP_HOST"), TLS: os.Getenv("CTG_SMTP_TLS"), User: os.Getenv("CTG_SMTP_USER"),
		Password: os.Getenv("CTG_SMTP_PASSWORD"), From: os.Getenv("CTG_SMTP_FROM")}
	if c.SMTP.TLS == "" {
		c.SMTP.TLS = mail.TLSStartTLS
	}
	if v := os.Getenv("CTG_SMTP_PORT"); v != "" {
		// An unreadable port is reported by Validate.
		if p, err := strconv.Atoi(v); err == nil {
			c.SMTP.Port = p
		} else {
			c.SMTP.Port = -1
		}
	}
	return c
}

// SMTPPort is the usual port of a TLS mode, when none is given.
func SMTPPort(tlsMode string) int {
	switch tlsMode {
	case mail.TLSImplicit:
		return 465
	case mail.TLSNone:
		return 25
	}
	return 587
}

// Validate reports the first problem of c, naming the setting.
func (c Config) Validate() error {
	if c.DB == "" {
		return errors.New("--db : base de données vide")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("--addr : adresse d'écoute « %s » invalide (exemple : :8080 ou 127.0.0.1:8080)", c.Addr)
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr : adresse d'écoute « %s » invalide (exemple : 127.0.0.1:9090)", c.MetricsAddr)
		}
	}
	return nil
}

// ValidateMail reports the first problem of the settings of ctg serve's
// e-mails (the SMTP server, the public address of links), naming it.
func (c Config) ValidateMail() error {
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fmt.Errorf("--public-url : adresse « %s » invalide (exemple : https://ctg.exemple.fr)", c.PublicURL)
		}
	}
	return c.SMTP.Validate()
}
