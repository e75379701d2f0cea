package auth

import "time"

// LinkPurpose is what a single-use account link is for.
type LinkPurpose string

// The purposes of account links.
const (
	// LinkInvitation activates an account created by invitation: the
	// person chooses their name and password.
	LinkInvitation LinkPurpose = "invitation"
	// LinkReset sets a new password for an account.
	LinkReset LinkPurpose = "reset"
)

// AccountLink describes a single-use, expiring link sent to a person,
// never the token it carries.
type AccountLink struct {
	ID      string
	UserID  string
	Purpose LinkPurpose
	// Convention is the convention the person was invited to, if any.
	Convention string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}
