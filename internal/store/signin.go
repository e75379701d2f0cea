package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SignInLimits bounds the sign-in attempts that may be pending or failed
// within a sliding window: per pair of account e-mail and client address,
// per account whatever the address, and per client address whatever the
// account.
type SignInLimits struct {
	Window                         time.Duration
	PerPair, PerAccount, PerClient int
}

// BeginSignIn records a sign-in attempt before its password is checked,
// unless one of the limits is already reached; it returns the attempt's id,
// or, when refused, the moment from which an attempt will be accepted
// again. The attempt counts as a failure until ForgetSignInFailures clears
// it. Counting and recording happen in one transaction serialized with
// every other sign-in (one writer on SQLite, an advisory lock on
// PostgreSQL), so that concurrent attempts cannot all pass; attempts older
// than the window are purged on the way, so the table stays small.
func (s *SQL) BeginSignIn(ctx context.Context, email, client string, l SignInLimits) (id string, blockedUntil time.Time, err error) {
	// Whole seconds, so that SQLite's text timestamps compare in time order.
	now := s.now().Truncate(time.Second)
	since := s.d.timestamp(now.Add(-l.Window))
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.name == "postgres" {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7250418)"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM sign_in_attempts WHERE at < ?`), since); err != nil {
			return err
		}
		checks := []struct {
			where string
			args  []any
			limit int
		}{
			{"email = ? AND client = ?", []any{email, client}, l.PerPair},
			{"email = ?", []any{email}, l.PerAccount},
			{"client = ?", []any{client}, l.PerClient},
		}
		var known int
		if err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT COUNT(*) FROM known_sign_in_addresses WHERE email = ? AND client = ? AND last_at >= ?`),
			email, client, s.d.timestamp(now.Add(-KnownAddressFor))).Scan(&known); err != nil {
			return err
		}
		if known > 0 {
			checks = append(checks[:1], checks[2:]...) // no per-account limit from a known address
		}
		for _, c := range checks {
			// The limit-th most recent attempt: while it is in the window,
			// the limit is reached; it leaves the window at at+Window.
			var at time.Time
			err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT at FROM sign_in_attempts WHERE `+c.where+` AND at >= ? ORDER BY at DESC LIMIT 1 OFFSET ?`),
				append(c.args, since, c.limit-1)...).Scan(timeCol{&at})
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if until := at.Add(l.Window); until.After(blockedUntil) {
				blockedUntil = until
			}
		}
		if !blockedUntil.IsZero() {
			return nil
		}
		id = s.newID()
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO sign_in_attempts (id, email, client, at) VALUES (?, ?, ?, ?)`),
			id, email, client, s.d.timestamp(now))
		return err
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return id, blockedUntil, nil
}

// ForgetSignInFailures clears the attempts of a pair of account e-mail and
// client address, after a successful sign-in from that address, and keeps
// the address as known to the account. Failures from other addresses
// still count.
func (s *SQL) ForgetSignInFailures(ctx context.Context, email, client string) error {
	now := s.now().Truncate(time.Second)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM sign_in_attempts WHERE email = ? AND client = ?`, []any{email, client}},
			{`DELETE FROM known_sign_in_addresses WHERE (email = ? AND client = ?) OR last_at < ?`, []any{email, client, s.d.timestamp(now.Add(-KnownAddressFor))}},
			{`INSERT INTO known_sign_in_addresses (email, client, last_at) VALUES (?, ?, ?)`, []any{email, client, s.d.timestamp(now)}},
		} {
			if _, err := tx.ExecContext(ctx, s.d.rebind(q.sql), q.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// KnownAddressFor is how long an address an account signed in from stays
// known: the limit per account does not apply there.
const KnownAddressFor = 30 * 24 * time.Hour
