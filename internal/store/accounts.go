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
	_, err := s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO users (id, email, name, organization, password_hash, platform_admin, disabled, invitation_pending, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`), u.ID, u.Email, u.Name, u.Organization, u.PasswordHash, u.PlatformAdmin, u.Disabled, u.InvitationPending,
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

// SetDisabled deactivates or reactivates an account; deactivating also
// ends its sessions and cancels its unused invitation and reset links, in
// the same transaction. Its API tokens stop working at once too, since
// they are refused for a disabled account. Either way the account no
// longer waits for an invitation to be accepted.
func (s *SQL) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE users SET disabled = ?, invitation_pending = ?, updated_at = ?, version = version + 1 WHERE id = ?`),
			disabled, false, s.d.timestamp(s.now()), userID)
		if err := mustAffect(res, err); err != nil || !disabled {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM account_links WHERE user_id = ? AND used_at IS NULL`), userID); err != nil {
			return err
		}
		// Its tokens are revoked, not suspended: reactivating the account
		// does not bring back a token that may have leaked meanwhile.
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM api_tokens WHERE user_id = ?`), userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM calendar_feeds WHERE user_id = ?`), userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE user_id = ?`), userID)
		return err
	})
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

const userCols = "u.id, u.email, u.name, u.organization, u.password_hash, u.platform_admin, u.disabled, u.created_at, u.invitation_pending, u.last_sign_in_at, " +
	"u.organization_id, u.organization_role"

func userDest(u *auth.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Organization, &u.PasswordHash, &u.PlatformAdmin, &u.Disabled, timeCol{&u.CreatedAt},
		&u.InvitationPending, nullTime{&u.LastSignInAt}, &u.OrganizationID, &u.OrganizationRole}
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

// DeleteMembership removes a user's role in a convention; ErrNotFound if
// they had none.
func (s *SQL) DeleteMembership(ctx context.Context, userID, slug string) error {
	res, err := s.write.ExecContext(ctx, s.d.rebind(`DELETE FROM memberships WHERE user_id = ? AND convention_slug = ?`), userID, slug)
	return mustAffect(res, err)
}

// Actor loads a user with their memberships, as the subject of permission checks.
func (s *SQL) Actor(ctx context.Context, u *auth.User) (*auth.Actor, error) {
	a := &auth.Actor{UserID: u.ID, Email: u.Email, Name: u.Name, PlatformAdmin: u.PlatformAdmin, Memberships: map[string]auth.Membership{},
		OrganizationID: u.OrganizationID, OrganizationRole: u.OrganizationRole}
	err := s.each(ctx, `SELECT convention_slug, role, organization_key FROM memberships WHERE user_id = ?`, []any{u.ID},
		func(scan func(...any) error) error {
			var m auth.Membership
			if err := scan(&m.Convention, &m.Role, &m.Organization); err != nil {
				return err
			}
			a.Memberships[m.Convention] = m
			return nil
		})
	if err != nil || u.OrganizationID == "" {
		return a, err
	}
	org, err := rowsOf(ctx, s, "SELECT "+directoryCols+" FROM directory_organizations d WHERE d.id = ?", []any{u.OrganizationID}, directoryDest)
	if err != nil || len(org) == 0 {
		return a, err
	}
	a.Organization = &org[0]
	if !u.OrganizationRole.Valid() {
		return a, nil
	}
	// The account's organization gives its role in every convention it is
	// party to; a role granted in the convention itself prevails.
	links, err := s.partyLinks(ctx, u.OrganizationID)
	for _, l := range links {
		if _, ok := a.Memberships[l.Convention]; !ok {
			a.Memberships[l.Convention] = auth.Membership{Convention: l.Convention, Role: u.OrganizationRole, Organization: l.Key, ViaOrganization: true}
		}
	}
	return a, err
}

// Members lists the accounts with a role in a convention.
func (s *SQL) Members(ctx context.Context, slug string) ([]auth.Member, error) {
	var out []auth.Member
	// The accounts granted a role in the convention, and those holding one
	// through their organization, party to it, when not granted one.
	err := s.each(ctx, `SELECT u.email, u.name, m.role, m.organization_key, u.invitation_pending, 0 FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.convention_slug = ?
		UNION ALL
		SELECT u.email, u.name, u.organization_role, l.organization_key, u.invitation_pending, 1 FROM users u
		JOIN organization_links l ON l.directory_id = u.organization_id AND l.convention_slug = ?
		JOIN conventions c ON c.slug = l.convention_slug
		JOIN parties p ON p.convention_id = c.id AND p.organization_key = l.organization_key
		WHERE u.organization_role <> '' AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.user_id = u.id AND x.convention_slug = l.convention_slug)
		ORDER BY 1`, []any{slug, slug}, func(scan func(...any) error) error {
		var m auth.Member
		var via int
		err := scan(&m.Email, &m.Name, &m.Role, &m.Organization, &m.InvitationPending, &via)
		m.ViaOrganization = via == 1
		out = append(out, m)
		return err
	})
	return out, err
}

// CreateSession stores a session for a user and returns its token (to put
// in the cookie) and its CSRF token; the account's last sign-in is now.
func (s *SQL) CreateSession(ctx context.Context, userID string, ttl time.Duration) (token, csrf string, err error) {
	token, csrf = auth.RandomToken(32), auth.RandomToken(32)
	now := s.now()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
			HashToken(token), userID, csrf, s.d.timestamp(now), s.d.timestamp(now.Add(ttl))); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE users SET last_sign_in_at = ? WHERE id = ?`), s.d.timestamp(now), userID)
		return err
	})
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

// DeleteSessions ends every session of a user but the one of the token
// except (none when except is empty).
func (s *SQL) DeleteSessions(ctx context.Context, userID, except string) error {
	_, err := s.write.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`), userID, HashToken(except))
	return err
}

// CreateAPIToken creates a personal access token valid until expires and
// returns its id and the token; only its hash is stored.
func (s *SQL) CreateAPIToken(ctx context.Context, userID, name string, expires time.Time) (id, token string, err error) {
	id, token = s.newID(), "ctg_"+auth.RandomToken(32)
	_, err = s.write.ExecContext(ctx, s.d.rebind(`INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`),
		id, userID, name, HashToken(token), s.d.timestamp(s.now()), s.d.timestamp(expires))
	return id, token, err
}

// APITokens lists a user's personal access tokens, newest first.
func (s *SQL) APITokens(ctx context.Context, userID string) ([]auth.APIToken, error) {
	var out []auth.APIToken
	err := s.each(ctx, `SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id`,
		[]any{userID}, func(scan func(...any) error) error {
			var t auth.APIToken
			var expires *time.Time
			if err := scan(&t.ID, &t.Name, timeCol{&t.CreatedAt}, nullTime{&expires}, nullTime{&t.LastUsedAt}); err != nil {
				return err
			}
			if expires != nil {
				t.ExpiresAt = *expires
			}
			out = append(out, t)
			return nil
		})
	return out, err
}

// DeleteAPIToken revokes one of a user's tokens; ErrNotFound if the user
// has no token with that id.
func (s *SQL) DeleteAPIToken(ctx context.Context, userID, id string) error {
	res, err := s.write.ExecContext(ctx, s.d.rebind(`DELETE FROM api_tokens WHERE id = ? AND user_id = ?`), id, userID)
	return mustAffect(res, err)
}

// tokenUseResolution is how precisely the last use of a token is kept: at
// most one write per token and per minute, not one per request.
const tokenUseResolution = time.Minute

// UserByAPIToken returns the owner of a valid personal access token:
// unexpired, and of an account that is not disabled.
func (s *SQL) UserByAPIToken(ctx context.Context, token string) (*auth.User, error) {
	u := &auth.User{}
	var id string
	var expires, used *time.Time
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+userCols+`, t.id, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`),
		HashToken(token)).Scan(append(userDest(u), &id, nullTime{&expires}, nullTime{&used})...)
	now := s.now()
	// A token without expiry (there is none since migration 0006) is refused.
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (u.Disabled || expires == nil || !now.Before(*expires))) {
		return nil, model.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if used == nil || now.Sub(*used) >= tokenUseResolution {
		_, _ = s.write.ExecContext(ctx, s.d.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), s.d.timestamp(now), id)
	}
	return u, nil
}

// CountUsers returns the number of accounts.
func (s *SQL) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SetName replaces the name an account is shown and signs with.
func (s *SQL) SetName(ctx context.Context, userID, name string) error {
	res, err := s.write.ExecContext(ctx, s.d.rebind(`UPDATE users SET name = ?, updated_at = ?, version = version + 1 WHERE id = ?`),
		name, s.d.timestamp(s.now()), userID)
	return mustAffect(res, err)
}
