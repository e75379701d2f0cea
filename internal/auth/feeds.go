package auth

import "time"

// CalendarFeed is the secret address of an account's iCalendar feed: of
// one convention, or, with Convention "", of all the account's
// conventions and its tasks. Only a hash of its token is stored.
type CalendarFeed struct {
	ID, UserID string
	// Convention is the slug of the convention the feed shows, "" for
	// the personal feed.
	Convention string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}
