// Package config builds the one immutable configuration of a ctg process:
// defaults, then environment variables (CTG_*), then command-line flags.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// Config is read once at start and never changed afterwards.
type Config struct {
	// DB is a postgres:// URL or the path of an SQLite file.
	DB string
	// Addr is the HTTP listen address of ctg serve.
	Addr string
	// NoExample disables loading the bundled convention into an empty database.
	NoExample bool
	// Secrecy is the statistical secrecy rule: mask (default) or round5.
	Secrecy string
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
	c.Secrecy = os.Getenv("CTG_SECRECY")
	return c
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
	return nil
}
