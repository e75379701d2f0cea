package store

import (
	"context"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// The outbox's backlog counts what waits (queued or being sent) and what
// was given up, never what was sent.
func TestMailBacklogCountsWaitingAndFailedMessages(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
		var msgs []model.Mail
		for _, to := range []string{"a@exemple.fr", "b@exemple.fr", "c@exemple.fr", "d@exemple.fr"} {
			msgs = append(msgs, model.Mail{To: to, Subject: "Rappel", Text: "Bonjour", CreatedAt: now, NextAttemptAt: now})
		}
		if err := s.EnqueueMail(ctx, msgs); err != nil {
			t.Fatal(err)
		}
		claimed, err := s.ClaimMail(ctx, "serveur", now, time.Minute, 3)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %v %d", err, len(claimed))
		}
		// One sent, one given up, one still being sent, one queued.
		if err := s.MarkMailSent(ctx, claimed[0].ID, "serveur", now); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, claimed[1].ID, "serveur", "refusé", nil); err != nil {
			t.Fatal(err)
		}
		waiting, failed, err := s.MailBacklog(ctx)
		if err != nil || waiting != 2 || failed != 1 {
			t.Errorf("en attente %d, abandonnés %d (%v) ; 2 et 1 attendus", waiting, failed, err)
		}
		pools := s.PoolStats()
		if _, ok := pools["read"]; !ok && s.d.name == "sqlite" {
			t.Errorf("pools %v", pools)
		}
		if _, ok := pools["shared"]; !ok && s.d.name == "postgres" {
			t.Errorf("pools %v", pools)
		}
	})
}
