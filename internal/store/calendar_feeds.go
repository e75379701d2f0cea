package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// CalendarFeeds keeps the secret addresses of the accounts' iCalendar
// feeds, by the hash of their token.
type CalendarFeeds interface {
	// SetCalendarFeed creates the feed of an account for a convention
	// ("" for its personal feed), or gives it a new token if it exists:
	// the old address stops working at once. It returns the feed and the
	// token, shown once, and writes the audit entry in the same
	// transaction.
	SetCalendarFeed(ctx context.Context, userID, convention string, entry model.AuditEntry) (*auth.CalendarFeed, string, error)
	// CalendarFeeds lists an account's feeds, by convention.
	CalendarFeeds(ctx context.Context, userID string) ([]auth.CalendarFeed, error)
	// DeleteCalendarFeed revokes one of an account's feeds with its audit
	// entry; ErrNotFound if the account has no feed with that id.
	DeleteCalendarFeed(ctx context.Context, userID, id string, entry model.AuditEntry) error
	// CalendarFeedByToken returns the feed of a token and its account, an
	// account that is not disabled; ErrNotFound otherwise.
	CalendarFeedByToken(ctx context.Context, token string) (*auth.CalendarFeed, *auth.User, error)
}

// SetCalendarFeed implements CalendarFeeds.
func (s *SQL) SetCalendarFeed(ctx context.Context, userID, convention string, entry model.AuditEntry) (*auth.CalendarFeed, string, error) {
	f := &auth.CalendarFeed{ID: s.newID(), UserID: userID, Convention: convention, CreatedAt: s.now()}
	token := "ical_" + auth.RandomToken(32)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM calendar_feeds WHERE user_id = ? AND convention_slug = ?`), userID, convention); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO calendar_feeds (id, user_id, convention_slug, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`),
			f.ID, userID, convention, HashToken(token), s.d.timestamp(f.CreatedAt)); err != nil {
			return err
		}
		entry.ObjectID = f.ID
		return s.appendAudit(ctx, tx, entry)
	})
	if err != nil {
		return nil, "", err
	}
	return f, token, nil
}

// CalendarFeeds implements CalendarFeeds.
func (s *SQL) CalendarFeeds(ctx context.Context, userID string) ([]auth.CalendarFeed, error) {
	var out []auth.CalendarFeed
	err := s.each(ctx, `SELECT id, user_id, convention_slug, created_at, last_used_at FROM calendar_feeds WHERE user_id = ? ORDER BY convention_slug, id`,
		[]any{userID}, func(scan func(...any) error) error {
			var f auth.CalendarFeed
			if err := scan(&f.ID, &f.UserID, &f.Convention, timeCol{&f.CreatedAt}, nullTime{&f.LastUsedAt}); err != nil {
				return err
			}
			out = append(out, f)
			return nil
		})
	return out, err
}

// DeleteCalendarFeed implements CalendarFeeds.
func (s *SQL) DeleteCalendarFeed(ctx context.Context, userID, id string, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM calendar_feeds WHERE id = ? AND user_id = ?`), id, userID)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, entry)
	})
}

// CalendarFeedByToken implements CalendarFeeds. Calendar applications
// read a feed every few hours: its last use is kept to the minute.
func (s *SQL) CalendarFeedByToken(ctx context.Context, token string) (*auth.CalendarFeed, *auth.User, error) {
	u, f := &auth.User{}, &auth.CalendarFeed{}
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT `+userCols+`, f.id, f.user_id, f.convention_slug, f.created_at, f.last_used_at
		FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = ?`), HashToken(token)).
		Scan(append(userDest(u), &f.ID, &f.UserID, &f.Convention, timeCol{&f.CreatedAt}, nullTime{&f.LastUsedAt})...)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && u.Disabled) {
		return nil, nil, model.ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if f.LastUsedAt == nil || now.Sub(*f.LastUsedAt) >= tokenUseResolution {
		_, _ = s.write.ExecContext(ctx, s.d.rebind(`UPDATE calendar_feeds SET last_used_at = ? WHERE id = ?`), s.d.timestamp(now), f.ID)
	}
	return f, u, nil
}
