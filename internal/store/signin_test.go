package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/ctg-territoires/ctg/internal/auth"
	"sync"
	"testing"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

var testLimits = SignInLimits{Window: 15 * time.Minute, PerPair: 5, PerAccount: 8, PerClient: 12}

func TestConcurrentSignInsCannotExceedTheLimit(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		var mu sync.Mutex
		var wg sync.WaitGroup
		if s.d.name == "postgres" {
			// Open the connections beforehand, as on a busy server, so
			// that the transactions really run side by side.
			s.write.SetMaxIdleConns(10)
			var conns []*sql.Conn
			for range 10 {
				c, err := s.write.Conn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, c)
			}
			for _, c := range conns {
				c.Close()
			}
		}
		passed, blocked := 0, 0
		// All start together, so that their transactions overlap.
		start := make(chan struct{})
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				id, until, err := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.1", testLimits)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case id != "" && until.IsZero():
					passed++
				case id == "" && !until.IsZero():
					blocked++
				}
			}()
		}
		close(start)
		wg.Wait()
		if passed != testLimits.PerPair || blocked != 40-testLimits.PerPair {
			t.Fatalf("%d tentatives admises, %d refusées : %d admises attendues", passed, blocked, testLimits.PerPair)
		}
		// Another address may still try the same account, up to the
		// account's own limit.
		for i := range testLimits.PerAccount - testLimits.PerPair {
			if id, _, _ := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.2", testLimits); id == "" {
				t.Fatalf("tentative %d depuis une autre adresse refusée", i+1)
			}
		}
		if id, _, _ := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.3", testLimits); id != "" {
			t.Error("limite du compte, toutes adresses confondues, dépassée")
		}
		// The client address has its own limit, whatever the account.
		for i := range testLimits.PerClient - testLimits.PerPair {
			if id, _, _ := s.BeginSignIn(ctx, "autre"+string(rune('a'+i))+"@exemple.fr", "192.0.2.1", testLimits); id == "" {
				t.Fatalf("tentative %d sur un autre compte refusée", i+1)
			}
		}
		if id, _, _ := s.BeginSignIn(ctx, "encore@exemple.fr", "192.0.2.1", testLimits); id != "" {
			t.Error("limite de l'adresse cliente dépassée")
		}
	})
}

func TestSignInAttemptsAreForgottenAfterTheWindow(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		for range testLimits.PerPair {
			if id, _, _ := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.1", testLimits); id == "" {
				t.Fatal("tentative refusée avant la limite")
			}
		}
		now = now.Add(5 * time.Minute)
		_, until, err := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.1", testLimits)
		if err != nil || !until.Equal(time.Date(2026, 3, 2, 9, 15, 0, 0, time.UTC)) {
			t.Fatalf("bloqué jusqu'à %v (%v), 9 h 15 attendu", until, err)
		}
		now = now.Add(10*time.Minute + time.Second)
		if id, _, _ := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.1", testLimits); id == "" {
			t.Error("toujours bloqué après la fenêtre")
		}
		var rows int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sign_in_attempts`).Scan(&rows); err != nil || rows != 1 {
			t.Errorf("%d tentatives gardées (%v) : les anciennes doivent être effacées", rows, err)
		}
		if err := s.ForgetSignInFailures(ctx, "coord@exemple.fr", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sign_in_attempts`).Scan(&rows); err != nil || rows != 0 {
			t.Errorf("%d tentatives après une connexion réussie", rows)
		}
	})
}

func TestRevokedAccessStopsAtOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		u := &auth.User{Email: "coord@exemple.fr", Name: "Coordinatrice", PasswordHash: "x"}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		kept, _, _ := s.CreateSession(ctx, u.ID, time.Hour)
		other, _, _ := s.CreateSession(ctx, u.ID, time.Hour)
		if err := s.DeleteSessions(ctx, u.ID, kept); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, kept); err != nil {
			t.Errorf("la session gardée est fermée : %v", err)
		}
		if _, _, err := s.Session(ctx, other); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("l'autre session reste ouverte : %v", err)
		}

		_, token, err := s.CreateAPIToken(ctx, u.ID, "tableur", now.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByAPIToken(ctx, token); err != nil {
			t.Fatalf("jeton valide refusé : %v", err)
		}
		lastUse := func() time.Time {
			list, err := s.APITokens(ctx, u.ID)
			if err != nil || len(list) != 1 || list[0].LastUsedAt == nil {
				t.Fatalf("jetons : %v %v", list, err)
			}
			return *list[0].LastUsedAt
		}
		first := lastUse()
		now = now.Add(30 * time.Second)
		_, _ = s.UserByAPIToken(ctx, token)
		if !lastUse().Equal(first) {
			t.Error("dernière utilisation réécrite moins d'une minute après")
		}
		now = now.Add(time.Minute)
		_, _ = s.UserByAPIToken(ctx, token)
		if !lastUse().Equal(now) {
			t.Errorf("dernière utilisation %v, %v attendu", lastUse(), now)
		}

		if err := s.SetDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Session(ctx, kept); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("session d'un compte désactivé : %v", err)
		}
		if _, err := s.UserByAPIToken(ctx, token); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("jeton d'un compte désactivé : %v", err)
		}
		if err := s.SetDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		// Disabling revoked the tokens: reactivation does not bring them back.
		if _, err := s.UserByAPIToken(ctx, token); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("ancien jeton après réactivation : %v", err)
		}
		_, token, err = s.CreateAPIToken(ctx, u.ID, "tableur", now.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(24 * time.Hour)
		if _, err := s.UserByAPIToken(ctx, token); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("jeton expiré accepté : %v", err)
		}
		list, _ := s.APITokens(ctx, u.ID)
		if err := s.DeleteAPIToken(ctx, "quelqu-un-d-autre", list[0].ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("jeton révoqué par un autre compte : %v", err)
		}
		if err := s.DeleteAPIToken(ctx, u.ID, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.APITokens(ctx, u.ID); len(list) != 0 {
			t.Errorf("jeton révoqué encore listé : %v", list)
		}
	})
}

// Guesses spread over many addresses lock an account out of new addresses,
// not out of the one its person recently signed in from.
func TestKnownAddressEscapesTheLimitPerAccount(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		if _, _, err := s.BeginSignIn(ctx, "coord@exemple.fr", "10.0.0.1", testLimits); err != nil {
			t.Fatal(err)
		}
		if err := s.ForgetSignInFailures(ctx, "coord@exemple.fr", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		for i := range testLimits.PerAccount {
			if _, until, err := s.BeginSignIn(ctx, "coord@exemple.fr", fmt.Sprintf("192.0.2.%d", i), testLimits); err != nil || !until.IsZero() {
				t.Fatalf("essai %d : %v %v", i, until, err)
			}
		}
		if _, until, _ := s.BeginSignIn(ctx, "coord@exemple.fr", "192.0.2.200", testLimits); until.IsZero() {
			t.Error("une nouvelle adresse n'est pas bloquée au-delà de la limite par compte")
		}
		if _, until, err := s.BeginSignIn(ctx, "coord@exemple.fr", "10.0.0.1", testLimits); err != nil || !until.IsZero() {
			t.Errorf("l'adresse habituelle est bloquée : %v %v", until, err)
		}
	})
}
