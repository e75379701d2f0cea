package model

import "time"

// Acknowledgement records that a finding of the convention checker was
// looked at and accepted as it is: by whom, when and why. The finding
// stays in the exports, folded away on the page.
type Acknowledgement struct {
	ID         string `json:"-"`
	Convention string `json:"-"`
	// Key is the stable key of the finding (its rule, the part of the
	// text and its message), which survives edits elsewhere and imports.
	Key string `json:"-"`
	// Rule, RecordID, Path and Message describe the finding as it was
	// when acknowledged.
	Rule     string `json:"-"`
	RecordID string `json:"-"`
	Path     string `json:"-"`
	Message  string `json:"-"`
	Reason   string `json:"reason"`
	UserID   string `json:"-"`
	// By is who acknowledged it, as the history names them.
	By string    `json:"by"`
	At time.Time `json:"at"`
}
