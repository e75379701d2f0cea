// Package mailtest starts a real SMTP server for the tests (mailpit, on
// loopback, with free ports) and reads the messages it received through
// its HTTP API. Tests are skipped when the mailpit binary is absent,
// unless CTG_REQUIRE_SMTP=1 (scripts/test.sh installs it and sets it).
package mailtest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/mail"
)

// Server is a running mailpit.
type Server struct {
	// Host and SMTPPort are where it accepts mail; API is its HTTP base URL.
	Host     string
	SMTPPort int
	API      string
	bin, dir string
	cmd      *exec.Cmd
	exited   chan struct{}
	apiAddr  string
}

// Binary returns the mailpit executable: $CTG_MAILPIT, else mailpit in
// the PATH; "" when there is none.
func Binary() string {
	if p := os.Getenv("CTG_MAILPIT"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	return ""
}

// Start starts mailpit for the test, stopped at its end.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CTG_REQUIRE_SMTP") == "1" {
			t.Fatal("mailpit introuvable (CTG_MAILPIT ou PATH) alors que CTG_REQUIRE_SMTP=1")
		}
		t.Skip("mailpit absent : tests SMTP ignorés (scripts/test.sh l'installe)")
	}
	ports := freePorts(t, 2)
	s := &Server{Host: "127.0.0.1", SMTPPort: ports[0], bin: bin, dir: t.TempDir()}
	s.apiAddr = net.JoinHostPort(s.Host, strconv.Itoa(ports[1]))
	s.API = "http://" + s.apiAddr
	s.Up(t)
	t.Cleanup(func() { s.Down(t) })
	return s
}

// Settings are the SMTP settings that reach this server.
func (s *Server) Settings() mail.Settings {
	return mail.Settings{Host: s.Host, Port: s.SMTPPort, TLS: mail.TLSNone, From: "CTG <ctg@ctg.localhost>"}
}

// Up starts the server (again, on the same ports and database).
func (s *Server) Up(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		return
	}
	cmd := exec.Command(s.bin, "--smtp", net.JoinHostPort(s.Host, strconv.Itoa(s.SMTPPort)), "--listen", s.apiAddr,
		"--database", filepath.Join(s.dir, "mailpit.db"), "--disable-version-check", "--smtp-disable-rdns", "--quiet")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("démarrage de mailpit : %v", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()
	// Wait until both its API and its SMTP server answer.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for {
		resp, err := http.Get(s.API + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := smtp.Dial(net.JoinHostPort(s.Host, strconv.Itoa(s.SMTPPort))); err == nil {
				_ = c.Quit()
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("mailpit ne répond pas")
		case <-s.exited:
			t.Fatal("mailpit s'est arrêté au démarrage")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Down stops the server; its messages are kept for the next Up.
func (s *Server) Down(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Address is a sender or recipient as mailpit reports it.
type Address struct {
	Name, Address string
}

// Summary is a message in mailpit's list.
type Summary struct {
	ID      string
	To      []Address
	Subject string
}

// Attachment is a file of a received message.
type Attachment struct {
	FileName, ContentType string
}

// Message is a received message, read whole.
type Message struct {
	ID          string
	MessageID   string
	From        Address
	To          []Address
	Subject     string
	Date        time.Time
	Text, HTML  string
	Attachments []Attachment
}

// Messages lists the received messages.
func (s *Server) Messages(t testing.TB) []Summary {
	t.Helper()
	var out struct{ Messages []Summary }
	s.get(t, "/api/v1/messages?limit=1000", &out)
	return out.Messages
}

// Message reads one received message.
func (s *Server) Message(t testing.TB, id string) Message {
	t.Helper()
	var m Message
	s.get(t, "/api/v1/message/"+id, &m)
	return m
}

// Source returns the raw message as received.
func (s *Server) Source(t testing.TB, id string) string {
	t.Helper()
	resp, err := http.Get(s.API + "/api/v1/message/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API mailpit : %s", resp.Status)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		t.Fatalf("API mailpit %s : %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("API mailpit %s : %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("API mailpit %s : %v", path, err)
	}
}

// freePorts returns n distinct free ports of the loopback interface.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out
}
