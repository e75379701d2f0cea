package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// CreateAccountLink creates a single-use link of a purpose for an account,
// valid until expires, and returns its token; only the token's hash is
// stored. The account's former unused links of the same purpose stop
// working: one link at a time is valid.
func (s *SQL) CreateAccountLink(ctx context.Context, userID string, purpose auth.LinkPurpose, convention string, expires time.Time) (string, error) {
	token := auth.RandomToken(32)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM account_links WHERE user_id = ? AND purpose = ? AND used_at IS NULL`),
			userID, string(purpose)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO account_links (id, user_id, purpose, token_hash, convention_slug, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), s.newID(), userID, string(purpose), HashToken(token), convention,
			s.d.timestamp(s.now()), s.d.timestamp(expires))
		return err
	})
	return token, err
}

// AccountLink returns the link of a token, used or not, with its account;
// ErrNotFound if no link has that token.
func (s *SQL) AccountLink(ctx context.Context, token string) (*auth.AccountLink, *auth.User, error) {
	l, u := &auth.AccountLink{}, &auth.User{}
	var purpose string
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+userCols+`, l.id, l.user_id, l.purpose, l.convention_slug, l.created_at, l.expires_at, l.used_at
		FROM account_links l JOIN users u ON u.id = l.user_id WHERE l.token_hash = ?`), HashToken(token)).
		Scan(append(userDest(u), &l.ID, &l.UserID, &purpose, &l.Convention, timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}, nullTime{&l.UsedAt})...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, model.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	l.Purpose = auth.LinkPurpose(purpose)
	return l, u, nil
}

// LinkUse is what using an account link changes of its account.
type LinkUse struct {
	// PasswordHash is the account's new password.
	PasswordHash string
	// Name, when set, is the name the person chose.
	Name string
	// Activate ends the wait of an account created by invitation.
	Activate bool
}

// UseAccountLink marks a link used and applies its use to the account,
// ending every session of the account, in one transaction. A link
// already used (even concurrently) gives ErrConflict and changes nothing.
func (s *SQL) UseAccountLink(ctx context.Context, linkID, userID string, use LinkUse) error {
	now := s.d.timestamp(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE account_links SET used_at = ? WHERE id = ? AND user_id = ? AND used_at IS NULL`), now, linkID, userID)
		if err := mustAffect(res, err); errors.Is(err, model.ErrNotFound) {
			return model.ErrConflict
		} else if err != nil {
			return err
		}
		q, args := `UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1`, []any{use.PasswordHash, now}
		if use.Name != "" {
			q, args = q+`, name = ?`, append(args, use.Name)
		}
		if use.Activate {
			q, args = q+`, invitation_pending = ?, disabled = ?`, append(args, false, false)
		}
		res, err = tx.ExecContext(ctx, s.d.rebind(q+` WHERE id = ?`), append(args, userID)...)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.d.rebind(`DELETE FROM sessions WHERE user_id = ?`), userID)
		return err
	})
}

// OrganizationNames returns the names of a convention's organizations by
// key.
func (s *SQL) OrganizationNames(ctx context.Context, slug string) (map[string]string, error) {
	out := map[string]string{}
	err := s.each(ctx, `SELECT o.key, o.name FROM organizations o JOIN conventions c ON c.id = o.convention_id WHERE c.slug = ?`, []any{slug},
		func(scan func(...any) error) error {
			var k, n string
			err := scan(&k, &n)
			out[k] = n
			return err
		})
	return out, err
}

// PendingAccountLink returns the unused link of a purpose of an account,
// or nil when it has none.
func (s *SQL) PendingAccountLink(ctx context.Context, userID string, purpose auth.LinkPurpose) (*auth.AccountLink, error) {
	l := &auth.AccountLink{Purpose: purpose}
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT id, user_id, convention_slug, created_at, expires_at FROM account_links
		WHERE user_id = ? AND purpose = ? AND used_at IS NULL ORDER BY created_at DESC LIMIT 1`), userID, string(purpose)).
		Scan(&l.ID, &l.UserID, &l.Convention, timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return l, err
}
