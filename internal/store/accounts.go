package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// HashToken returns the stored form of a session or API token: only its
// SHA-256 is kept, so that a database leak gives no usable token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateUser stores a new account; ErrConflict if the e-mail is taken.
func (s *SQL) CreateUser(ctx context.Context, u *auth.User) error {
	now := s.now()
	u.ID, u.CreatedAt = s.newID(), now
	_, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO users (id, email, name, organization, password_hash, platform_admin, disabled, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`), u.ID, u.Email, u.Name, u.Organization, u.PasswordHash, u.PlatformAdmin, u.Disabled,
		s.d.timestamp(now), s.d.timestamp(now))
	if isUniqueViolation(err) {
		return fmt.Errorf("un compte existe déjà pour %s : %w", u.Email, model.ErrConflict)
	}
	return err
}

// SetPassword replaces a user's password hash.
func (s *SQL) SetPassword(ctx context.Context, userID, hash string) error {
	res, err := s.write.ExecContext(ctx, s.d.rebind(`UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?`),
		hash, s.d.timestamp(s.now()), userID)
	return mustAffect(res, err)
}

func mustAffect(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return model.ErrNotFound
	}
	return nil
}

const userCols = "u.id, u.email, u.name, u.organization, u.password_hash, u.platform_admin, u.disabled, u.created_at"

func userDest(u *auth.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Organization, &u.PasswordHash, &u.PlatformAdmin, &u.Disabled, timeCol{&u.CreatedAt}}
}

func (s *SQL) oneUser(ctx context.Context, where string, arg any) (*auth.User, error) {
	u := &auth.User{}
	err := s.read.QueryRowContext(ctx, s.d.rebind("SELECT "+userCols+" FROM users u "+where), arg).Scan(userDest(u)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, model.ErrNotFound
	}
	return u, err
}

// UserByEmail finds an account by e-mail.
func (s *SQL) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	return s.oneUser(ctx, "WHERE u.email = ?", email)
}

// Users lists every account by e-mail.
func (s *SQL) Users(ctx context.Context) ([]auth.User, error) {
	var out []auth.User
	err := s.each(ctx, "SELECT "+userCols+" FROM users u ORDER BY u.email", nil, func(scan func(...any) error) error {
		var u auth.User
		err := scan(userDest(&u)...)
		out = append(out, u)
		return err
	})
	return out, err
}

// SetMembership gives a user a role in a convention, replacing any former one.
func (s *SQL) SetMembership(ctx context.Context, userID string, m auth.Membership) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM memberships WHERE user_id = ? AND convention_slug = ?`), userID, m.Convention); err != nil {
			return err
		}
		now := s.d.timestamp(s.now())
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO memberships (id, user_id, convention_slug, role, organization_key, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1)`), s.newID(), userID, m.Convention, string(m.Role), m.Organization, now, now)
		return err
	})
}

// Actor loads a user with their memberships, as the subject of permission checks.
func (s *SQL) Actor(ctx context.Context, u *auth.User) (*auth.Actor, error) {
	a := &auth.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, PlatformAdmin: u.PlatformAdmin, Memberships: map[string]auth.Membership{}}
	err := s.each(ctx, `SELECT convention_slug, role, organization_key FROM memberships WHERE user_id = ?`, []any{u.ID},
		func(scan func(...any) error) error {
			var m auth.Membership
			if err := scan(&m.Convention, &m.Role, &m.Organization); err != nil {
				return err
			}
			a.Memberships[m.Convention] = m
			return nil
		})
	return a, err
}

// Members lists the accounts with a role in a convention.
func (s *SQL) Members(ctx context.Context, slug string) ([]auth.Member, error) {
	var out []auth.Member
	err := s.each(ctx, `SELECT u.email, u.name, m.role, m.organization_key FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.convention_slug = ? ORDER BY u.email`, []any{slug}, func(scan func(...any) error) error {
		var m auth.Member
		err := scan(&m.Email, &m.Name, &m.Role, &m.Organization)
		out = append(out, m)
		return err
	})
	return out, err
}

// CreateSession stores a session for a user and returns its token (to put
// in the cookie) and its CSRF token.
func (s *SQL) CreateSession(ctx context.Context, userID string, ttl time.Duration) (token, csrf string, err error) {
	token, csrf = auth.RandomToken(32), auth.RandomToken(32)
	now := s.now()
	_, err = s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		HashToken(token), userID, csrf, s.d.timestamp(now), s.d.timestamp(now.Add(ttl)))
	return token, csrf, err
}

// Session returns the user of a valid, unexpired session and its CSRF token.
func (s *SQL) Session(ctx context.Context, token string) (*auth.User, string, error) {
	u := &auth.User{}
	var csrf string
	var expires time.Time
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+userCols+`, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`),
		HashToken(token)).Scan(append(userDest(u), &csrf, timeCol{&expires})...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (expires.Before(s.now()) || u.Disabled)) {
		return nil, "", model.ErrNotFound
	}
	return u, csrf, err
}

// DeleteSession ends a session.
func (s *SQL) DeleteSession(ctx context.Context, token string) error {
	_, err := s.write.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE id = ?`), HashToken(token))
	return err
}

// CreateAPIToken creates a personal access token and returns it; only its
// hash is stored.
func (s *SQL) CreateAPIToken(ctx context.Context, userID, name string) (string, error) {
	token := "ctg_" + auth.RandomToken(32)
	_, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`),
		s.newID(), userID, name, HashToken(token), s.d.timestamp(s.now()))
	return token, err
}

// UserByAPIToken returns the owner of a personal access token.
func (s *SQL) UserByAPIToken(ctx context.Context, token string) (*auth.User, error) {
	u, err := s.oneUser(ctx, "JOIN api_tokens t ON t.user_id = u.id WHERE t.token_hash = ?", HashToken(token))
	if err == nil && u.Disabled {
		return nil, model.ErrNotFound
	}
	if err == nil {
		_, _ = s.write.ExecContext(ctx, s.d.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?`), s.d.timestamp(s.now()), HashToken(token))
	}
	return u, err
}

// CountUsers returns the number of accounts.
func (s *SQL) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}
