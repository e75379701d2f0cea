package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Outbox keeps the e-mails to send. Messages are queued with the audit
// entry of the change that causes them (AuditEntry.Mail), or alone with
// EnqueueMail; a sender claims the due ones under a lease, so that two
// servers sharing one database never send the same message.
type Outbox interface {
	// EnqueueMail queues messages outside of any other change.
	EnqueueMail(ctx context.Context, msgs []model.Mail) error
	// QueueReminders queues the reminders never queued before, by key.
	QueueReminders(ctx context.Context, reminders []model.Reminder) (int, error)
	// ClaimMail takes up to limit due messages for owner until now+lease:
	// queued ones whose next attempt has come, and those whose sender's
	// lease expired. Each claim counts as an attempt.
	ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]model.Mail, error)
	// MarkMailSent records that owner sent a message it still holds.
	MarkMailSent(ctx context.Context, id, owner string, at time.Time) error
	// MarkMailFailed records a failed attempt of a message owner holds: it
	// is queued again for retry (when retry is not nil) or given up.
	MarkMailFailed(ctx context.Context, id, owner, reason string, retry *time.Time) error
	// MailMessages lists the outbox, newest first (at most limit).
	MailMessages(ctx context.Context, limit int) ([]model.Mail, error)
	// MailMessage returns one message, or ErrNotFound.
	MailMessage(ctx context.Context, id string) (*model.Mail, error)
	// MailBacklog counts the messages waiting to be sent (queued or
	// being sent) and those given up, in one query.
	MailBacklog(ctx context.Context) (waiting, failed int, err error)
}

// mailTime writes a time of the outbox truncated to the second, so that
// SQLite's RFC 3339 text compares in time order.
func (s *SQL) mailTime(t time.Time) any { return s.d.timestamp(t.UTC().Truncate(time.Second)) }

func (s *SQL) insertMail(ctx context.Context, tx *sql.Tx, m model.Mail, now time.Time) error {
	attachments := ""
	if len(m.Attachments) > 0 {
		b, err := json.Marshal(m.Attachments)
		if err != nil {
			return err
		}
		attachments = string(b)
	}
	if m.ID == "" {
		m.ID = s.newID()
	}
	if m.State == "" {
		m.State = model.MailQueued
	}
	if !m.CreatedAt.IsZero() {
		now = m.CreatedAt
	}
	next := m.NextAttemptAt
	if next.IsZero() {
		next = now
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO mail_outbox (id, convention_slug, recipient, subject, body_text, body_html,
		attachments_json, secret, state, attempts, next_attempt_at, created_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`),
		m.ID, m.Convention, m.To, m.Subject, m.Text, m.HTML, attachments, m.Secret, string(m.State), s.mailTime(next), s.mailTime(now), m.LastError)
	return err
}

// EnqueueMail queues messages in one transaction.
func (s *SQL) EnqueueMail(ctx context.Context, msgs []model.Mail) error {
	now := s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, m := range msgs {
			if err := s.insertMail(ctx, tx, m, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// QueueReminders queues each reminder whose key was never queued before,
// in one transaction: a reminder goes out once, also when two servers
// look for due reminders at the same time. It returns how many it queued.
func (s *SQL) QueueReminders(ctx context.Context, reminders []model.Reminder) (int, error) {
	now := s.now()
	queued := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		queued = 0
		for _, r := range reminders {
			res, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO mail_reminders (reminder_key, convention_slug, created_at) VALUES (?, ?, ?)
				ON CONFLICT (reminder_key) DO NOTHING`), r.Key, r.Mail.Convention, s.mailTime(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				continue
			}
			if err := s.insertMail(ctx, tx, r.Mail, now); err != nil {
				return err
			}
			queued++
		}
		return nil
	})
	return queued, err
}

const mailCols = `id, convention_slug, recipient, subject, body_text, body_html, attachments_json, state, attempts,
	next_attempt_at, lease_owner, lease_until, created_at, sent_at, last_error, secret`

func scanMail(scan func(...any) error) (model.Mail, error) {
	var m model.Mail
	var attachments string
	err := scan(&m.ID, &m.Convention, &m.To, &m.Subject, &m.Text, &m.HTML, &attachments, &m.State, &m.Attempts,
		timeCol{&m.NextAttemptAt}, &m.LeaseOwner, nullTimeCol{&m.LeaseUntil}, timeCol{&m.CreatedAt}, nullTimeCol{&m.SentAt}, &m.LastError, &m.Secret)
	if err == nil && attachments != "" {
		err = json.Unmarshal([]byte(attachments), &m.Attachments)
	}
	return m, err
}

// dueMail is the condition of a message a sender may claim.
const dueMail = `(state = 'queued' AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ?)`

// ClaimMail takes due messages under a lease. On PostgreSQL the rows are
// locked with SKIP LOCKED, so that concurrent senders take different
// ones; on SQLite writes are serialized, and the UPDATE checks again that
// the message is still due.
func (s *SQL) ClaimMail(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]model.Mail, error) {
	var claimed []string
	at, until := s.mailTime(now), s.mailTime(now.Add(lease))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := `SELECT id FROM mail_outbox WHERE ` + dueMail + ` ORDER BY next_attempt_at, id LIMIT ?`
		if s.d.numbered {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		rows, err := tx.QueryContext(ctx, s.d.rebind(q), at, at, limit)
		if err != nil {
			return err
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE mail_outbox SET state = 'sending', lease_owner = ?, lease_until = ?,
				attempts = attempts + 1 WHERE id = ? AND (`+dueMail+`)`), owner, until, id, at, at)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				claimed = append(claimed, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]model.Mail, 0, len(claimed))
	for _, id := range claimed {
		m, err := s.MailMessage(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, nil
}

// errLeaseLost: the message is no longer held by this sender.
var errLeaseLost = errors.New("courriel : bail d'envoi perdu")

func (s *SQL) updateHeld(ctx context.Context, q string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(q), args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errLeaseLost
		}
		return nil
	})
}

// MarkMailSent records the sending while owner still holds the lease.
func (s *SQL) MarkMailSent(ctx context.Context, id, owner string, at time.Time) error {
	return s.updateHeld(ctx, `UPDATE mail_outbox SET state = 'sent', sent_at = ?, lease_owner = '', lease_until = NULL, last_error = '', secret = ''
		WHERE id = ? AND state = 'sending' AND lease_owner = ?`, s.mailTime(at), id, owner)
}

// MarkMailFailed queues the message again at retry, or gives it up.
func (s *SQL) MarkMailFailed(ctx context.Context, id, owner, reason string, retry *time.Time) error {
	if retry == nil {
		return s.updateHeld(ctx, `UPDATE mail_outbox SET state = 'failed', lease_owner = '', lease_until = NULL, last_error = ?, secret = ''
			WHERE id = ? AND state = 'sending' AND lease_owner = ?`, reason, id, owner)
	}
	return s.updateHeld(ctx, `UPDATE mail_outbox SET state = 'queued', next_attempt_at = ?, lease_owner = '', lease_until = NULL, last_error = ?
		WHERE id = ? AND state = 'sending' AND lease_owner = ?`, s.mailTime(*retry), reason, id, owner)
}

// MailMessages lists the outbox, newest first.
func (s *SQL) MailMessages(ctx context.Context, limit int) ([]model.Mail, error) {
	var out []model.Mail
	err := s.each(ctx, `SELECT `+mailCols+` FROM mail_outbox ORDER BY created_at DESC, id LIMIT ?`, []any{limit},
		func(scan func(...any) error) error {
			m, err := scanMail(scan)
			out = append(out, m)
			return err
		})
	return out, err
}

// MailMessage returns one message of the outbox.
func (s *SQL) MailMessage(ctx context.Context, id string) (*model.Mail, error) {
	row := s.write.QueryRowContext(ctx, s.d.rebind(`SELECT `+mailCols+` FROM mail_outbox WHERE id = ?`), id)
	m, err := scanMail(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("courriel %s : %w", id, model.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}
