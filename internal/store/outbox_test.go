package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

func TestOutboxQueuesWithTheChangeAndLeasesEachMessageToOneSender(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
		m := model.Mail{Convention: "ctg-a", To: "a@exemple.fr", Subject: "Invitation", Text: "Bonjour", HTML: "<p>Bonjour</p>",
			Attachments: []model.MailAttachment{{Name: "r.ics", ContentType: "text/calendar", Content: []byte{0, 1, 2}}},
			CreatedAt:   now, NextAttemptAt: now, Secret: "jeton"}
		// The message is queued with the history entry of its change.
		entry := model.AuditEntry{Convention: "ctg-a", Actor: "A", Action: "invite", ObjectType: "membership"}.WithMail(m)
		if err := s.AppendAudit(ctx, entry); err != nil {
			t.Fatal(err)
		}
		first, err := s.ClaimMail(ctx, "serveur-1", now, time.Minute, 10)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim: %v %+v", err, first)
		}
		got := first[0]
		if got.State != model.MailSending || got.Attempts != 1 || got.To != "a@exemple.fr" || got.HTML != "<p>Bonjour</p>" ||
			len(got.Attachments) != 1 || string(got.Attachments[0].Content) != "\x00\x01\x02" {
			t.Errorf("claimed %+v", got)
		}
		// Held by serveur-1: nobody else takes it before the lease ends.
		if other, err := s.ClaimMail(ctx, "serveur-2", now.Add(30*time.Second), time.Minute, 10); err != nil || len(other) != 0 {
			t.Fatalf("second claim under lease: %v %+v", err, other)
		}
		// A failure queues it again for later; not due before then.
		retry := now.Add(2 * time.Minute)
		if err := s.MarkMailFailed(ctx, got.ID, "serveur-1", "connexion refusée", &retry); err != nil {
			t.Fatal(err)
		}
		if early, _ := s.ClaimMail(ctx, "serveur-2", now.Add(time.Minute), time.Minute, 10); len(early) != 0 {
			t.Fatalf("claimed before its next attempt: %+v", early)
		}
		again, err := s.ClaimMail(ctx, "serveur-2", retry, time.Minute, 10)
		if err != nil || len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "connexion refusée" {
			t.Fatalf("retry: %v %+v", err, again)
		}
		// Only the holder marks it sent.
		if err := s.MarkMailSent(ctx, got.ID, "serveur-1", retry); !errors.Is(err, errLeaseLost) {
			t.Errorf("marked sent by a former holder: %v", err)
		}
		if again[0].Secret != "jeton" {
			t.Errorf("secret lost before sending: %q", again[0].Secret)
		}
		if err := s.MarkMailSent(ctx, got.ID, "serveur-2", retry); err != nil {
			t.Fatal(err)
		}
		if later, _ := s.ClaimMail(ctx, "serveur-1", retry.Add(time.Hour), time.Minute, 10); len(later) != 0 {
			t.Fatalf("a sent message claimed again: %+v", later)
		}
		list, err := s.MailMessages(ctx, 10)
		if err != nil || len(list) != 1 || list[0].State != model.MailSent || list[0].SentAt == nil || list[0].LastError != "" || list[0].Secret != "" {
			t.Fatalf("list: %v %+v", err, list)
		}
	})
}

func TestOutboxTakesBackAMessageWhoseSenderStopped(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
		if err := s.EnqueueMail(ctx, []model.Mail{{To: "a@exemple.fr", Subject: "s", Text: "t", CreatedAt: now}}); err != nil {
			t.Fatal(err)
		}
		if c, _ := s.ClaimMail(ctx, "serveur-1", now, time.Minute, 10); len(c) != 1 {
			t.Fatal("not claimed")
		}
		c, err := s.ClaimMail(ctx, "serveur-2", now.Add(2*time.Minute), time.Minute, 10)
		if err != nil || len(c) != 1 || c[0].Attempts != 2 {
			t.Fatalf("expired lease not taken back: %v %+v", err, c)
		}
		if err := s.MarkMailFailed(ctx, c[0].ID, "serveur-2", "refusé", nil); err != nil {
			t.Fatal(err)
		}
		if m, _ := s.MailMessage(ctx, c[0].ID); m.State != model.MailFailed || m.LastError != "refusé" {
			t.Errorf("given up: %+v", m)
		}
	})
}
