package mail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/mail"
	"github.com/ctg-territoires/ctg/internal/mail/mailtest"
)

func TestSendReachesSMTPServer(t *testing.T) {
	srv := mailtest.Start(t)
	settings := srv.Settings()
	msg, err := mail.Compose(mail.Message{From: settings.From, To: "élodie@exemple.fr", Subject: "Convocation au comité de pilotage — été",
		Text: "Bonjour,\nVous êtes convoqué·e le 3 décembre à 14 h.\n", HTML: "<p>Bonjour,</p><p>Vous êtes convoqué·e le 3 décembre à 14 h.</p>",
		Attachments: []mail.Attachment{{Name: "copil.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Content: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}},
		Date:        time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), MessageID: mail.MessageIDFor("abc", settings.From)})
	if err != nil {
		t.Fatal(err)
	}
	if err := (&mail.Sender{Settings: settings}).Send(context.Background(), "élodie@exemple.fr", msg); err != nil {
		t.Fatal(err)
	}
	list := srv.Messages(t)
	if len(list) != 1 {
		t.Fatalf("%d messages reçus, 1 attendu", len(list))
	}
	got := srv.Message(t, list[0].ID)
	if got.Subject != "Convocation au comité de pilotage — été" || len(got.To) != 1 || got.To[0].Address != "élodie@exemple.fr" {
		t.Errorf("objet %q, destinataires %+v", got.Subject, got.To)
	}
	if !strings.Contains(got.Text, "Vous êtes convoqué·e le 3 décembre à 14 h.") || !strings.Contains(got.HTML, "<p>Vous êtes convoqué·e le 3 décembre") {
		t.Errorf("texte %q, HTML %q", got.Text, got.HTML)
	}
	if got.MessageID != "abc@ctg.localhost" || got.From.Address != "ctg@ctg.localhost" || !got.Date.Equal(time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("Message-ID %q, From %+v, Date %v", got.MessageID, got.From, got.Date)
	}
	if len(got.Attachments) != 1 || got.Attachments[0].FileName != "copil.ics" || !strings.HasPrefix(got.Attachments[0].ContentType, "text/calendar") {
		t.Errorf("pièces jointes %+v\n%s", got.Attachments, srv.Source(t, list[0].ID))
	}
}

func TestSendToServerDownFails(t *testing.T) {
	srv := mailtest.Start(t)
	srv.Down(t)
	msg, _ := mail.Compose(mail.Message{From: "ctg@ctg.localhost", To: "a@exemple.fr", Subject: "s", Text: "t"})
	err := (&mail.Sender{Settings: srv.Settings()}).Send(context.Background(), "a@exemple.fr", msg)
	var perm *mail.PermanentError
	if err == nil || errors.As(err, &perm) {
		t.Fatalf("envoi vers un serveur arrêté : %v, erreur temporaire attendue", err)
	}
}

func TestSettingsRefuseClearTextToAnotherMachine(t *testing.T) {
	for _, tc := range []struct {
		s    mail.Settings
		want string
	}{
		{mail.Settings{Host: "smtp.exemple.fr", Port: 25, TLS: mail.TLSNone, From: "ctg@exemple.fr"}, "envoi en clair refusé"},
		{mail.Settings{Host: "smtp.exemple.fr", Port: 587, TLS: "ssl", From: "ctg@exemple.fr"}, "--smtp-tls"},
		{mail.Settings{Host: "smtp.exemple.fr", Port: 587, TLS: mail.TLSStartTLS}, "--smtp-from"},
		{mail.Settings{Host: "smtp.exemple.fr", Port: 0, TLS: mail.TLSStartTLS, From: "ctg@exemple.fr"}, "--smtp-port"},
	} {
		if err := tc.s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v : %v, attendu %q", tc.s, err, tc.want)
		}
	}
	if err := (mail.Settings{Host: "127.0.0.1", Port: 1025, TLS: mail.TLSNone, From: "ctg@exemple.fr"}).Validate(); err != nil {
		t.Errorf("serveur local sans TLS refusé : %v", err)
	}
}
