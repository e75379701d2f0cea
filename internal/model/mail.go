package model

import "time"

// MailState is where a message of the outbox stands.
type MailState string

// The states of a message: waiting to be sent (again), being sent by one
// server (under its lease), sent, given up after its attempts, or kept
// unsent because no SMTP server is configured.
const (
	MailQueued  MailState = "queued"
	MailSending MailState = "sending"
	MailSent    MailState = "sent"
	MailFailed  MailState = "failed"
	MailUnsent  MailState = "unsent"
)

// Label is the state in French.
func (s MailState) Label() string {
	switch s {
	case MailQueued:
		return "en attente"
	case MailSending:
		return "en cours d'envoi"
	case MailSent:
		return "envoyé"
	case MailFailed:
		return "échec"
	case MailUnsent:
		return "non envoyé"
	}
	return string(s)
}

// MailAttachment is a file joined to a message (an invitation .ics…).
type MailAttachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

// Mail is a message of the outbox: what to send, to whom, and where its
// sending stands. It is composed (From, Date, Message-ID) when sent.
type Mail struct {
	ID string `json:"id"`
	// Convention is the slug of the convention the message is about, if any.
	Convention  string           `json:"convention,omitempty"`
	To          string           `json:"to"`
	Subject     string           `json:"subject"`
	Text        string           `json:"text"`
	HTML        string           `json:"html,omitempty"`
	Attachments []MailAttachment `json:"attachments,omitempty"`
	State       MailState        `json:"state"`
	Attempts    int              `json:"attempts"`
	// NextAttemptAt is when a queued message is due.
	NextAttemptAt time.Time `json:"next_attempt_at"`
	// LeaseOwner is the server sending the message until LeaseUntil.
	LeaseOwner string     `json:"-"`
	LeaseUntil *time.Time `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
	LastError  string     `json:"last_error,omitempty"`
	// Secret is a personal token the bodies refer to as MailSecretMark
	// (an invitation's): put in the message when it is sent, and erased
	// once it is sent or given up, so that the outbox keeps no usable link.
	Secret string `json:"-"`
}

// MailSecretMark stands for the message's Secret in its bodies; it reads
// the same in a URL, in text and in HTML.
const MailSecretMark = "CTG-SECRET-MARK"

// Reminder is a message recalling an obligation, queued once: its key
// names the obligation, the delay and the recipient.
type Reminder struct {
	Key  string
	Mail Mail
}
