package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLS modes of the connection to the SMTP server.
const (
	// TLSStartTLS connects in clear and requires STARTTLS (port 587).
	TLSStartTLS = "starttls"
	// TLSImplicit connects with TLS from the start (port 465).
	TLSImplicit = "tls"
	// TLSNone sends in clear: only to a server on this machine.
	TLSNone = "none"
)

// Settings are how to reach the SMTP server. The zero value (no host)
// means that no server is configured.
type Settings struct {
	Host string
	Port int
	// TLS is TLSStartTLS (default), TLSImplicit or TLSNone.
	TLS            string
	User, Password string
	// From is the sender's address, with or without a display name.
	From string
}

// Configured reports whether a server is set.
func (s Settings) Configured() bool { return s.Host != "" }

// Validate reports the first problem of the settings, naming the flag.
func (s Settings) Validate() error {
	if !s.Configured() {
		return nil
	}
	if s.Port < 1 || s.Port > 65535 {
		return fmt.Errorf("--smtp-port : port %d invalide (587 pour STARTTLS, 465 pour TLS)", s.Port)
	}
	switch s.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if !isLoopback(s.Host) {
			return fmt.Errorf("--smtp-tls none : envoi en clair refusé vers %s ; seul un serveur de cette machine (localhost, 127.0.0.1) peut être joint sans TLS", s.Host)
		}
	default:
		return fmt.Errorf("--smtp-tls : « %s » inconnu (starttls, tls ou none)", s.TLS)
	}
	if s.From == "" {
		return errors.New("--smtp-from : adresse d'expédition obligatoire quand un serveur SMTP est configuré")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("--smtp-from : adresse « %s » invalide", s.From)
	}
	if (s.User == "") != (s.Password == "") {
		return errors.New("--smtp-user et CTG_SMTP_PASSWORD vont ensemble : indiquez les deux ou aucun")
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Sender sends composed messages to the SMTP server of its settings.
type Sender struct {
	Settings Settings
	// Timeout bounds a whole SMTP session (default one minute).
	Timeout time.Duration
	// TLSConfig, if set, replaces the default TLS configuration (tests).
	TLSConfig *tls.Config
}

// PermanentError is a refusal by the server (a 5xx reply) that another
// attempt would not change.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Send delivers one message to one recipient. The session ends within
// the sender's timeout, and earlier if ctx ends.
func (s *Sender) Send(ctx context.Context, to string, msg []byte) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Settings.Host, strconv.Itoa(s.Settings.Port))
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Settings.Host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	var err error
	if s.Settings.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connexion au serveur SMTP %s impossible : %w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, s.Settings.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("serveur SMTP %s : %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return classify(err)
	}
	if s.Settings.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return &PermanentError{fmt.Errorf("le serveur SMTP %s ne propose pas STARTTLS (--smtp-tls starttls)", addr)}
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("STARTTLS avec %s : %w", addr, err)
		}
	}
	if s.Settings.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Settings.User, s.Settings.Password, s.Settings.Host)); err != nil {
			return classify(fmt.Errorf("authentification SMTP : %w", err))
		}
	}
	from, err := mail.ParseAddress(s.Settings.From)
	if err != nil {
		return &PermanentError{err}
	}
	if err := c.Mail(from.Address); err != nil {
		return classify(err)
	}
	if err := c.Rcpt(to); err != nil {
		return classify(err)
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	// The server accepted the message: a failed goodbye changes nothing,
	// and reporting it would have the message sent again.
	_ = c.Quit()
	return nil
}

// classify marks the server's 5xx replies as permanent.
func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 && te.Code < 600 {
		return &PermanentError{err}
	}
	return err
}

func helloName() string {
	name := "localhost"
	if h, err := osHostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		name = h
	}
	return name
}

var osHostname = os.Hostname
