package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/mail"
	"github.com/ctg-territoires/ctg/internal/model"
)

// How the outbox is sent.
const (
	// MaxMailAttempts is how many times a message is tried before it is given up.
	MaxMailAttempts = 5
	// mailLease is how long a sender holds a message it claimed: longer
	// than an SMTP session (mailSendTimeout), so that a live sender always
	// marks the message sent before another may take it back.
	mailLease       = 3 * time.Minute
	mailSendTimeout = time.Minute
	// mailBatch is how many messages a sender claims at once: one, so
	// that a sender that stops leaves no other message claimed.
	mailBatch = 1
	// mailPoll is how often a sender looks for due messages.
	mailPoll = 15 * time.Second
)

// NoSMTP is the reason a message is kept unsent.
const NoSMTP = "non envoyé : aucun serveur SMTP configuré"

// mailRetryAfter is the wait after a failed attempt n (1, 4, 16, 64 minutes).
func mailRetryAfter(n int) time.Duration {
	d := time.Minute
	for i := 1; i < n; i++ {
		d *= 4
	}
	return d
}

// SetMail configures sending by SMTP; without it (or with settings that
// name no server) messages are kept in the outbox, unsent.
func (s *Service) SetMail(settings mail.Settings) { s.mail = settings }

// OnMailQueued registers what to call when a use case has queued a
// message (the sender's Wake), so that it leaves at once.
func (s *Service) OnMailQueued(f func()) { s.wakeMail = f }

func (s *Service) mailQueued() {
	if s.wakeMail != nil && s.MailConfigured() {
		s.wakeMail()
	}
}

// MailConfigured reports whether an SMTP server is configured.
func (s *Service) MailConfigured() bool { return s.mail.Configured() }

type siteKey struct{}

// WithSite tells the use cases of ctx the address of the site
// ("https://ctg.exemple.fr"), for the links they put in e-mails.
func WithSite(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, siteKey{}, strings.TrimSuffix(origin, "/"))
}

// siteURL returns the absolute address of a path of the site, or "" when
// the site's address is unknown (the command line).
func siteURL(ctx context.Context, path string, query url.Values) string {
	origin, _ := ctx.Value(siteKey{}).(string)
	if origin == "" {
		return ""
	}
	u := origin + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// Outgoing is a message to send, as a use case writes it.
type Outgoing struct {
	// Convention is the slug of the convention it is about, if any.
	Convention  string
	To          string
	Subject     string
	Text, HTML  string
	Attachments []model.MailAttachment
	// Secret is a personal token the bodies name model.MailSecretMark.
	Secret string
}

// outboxMail turns a message into a row of the outbox: queued now, or
// kept unsent when no SMTP server is configured.
func (s *Service) outboxMail(o Outgoing) model.Mail {
	now := s.now().UTC()
	m := model.Mail{Convention: o.Convention, To: o.To, Subject: o.Subject, Text: o.Text, HTML: o.HTML, Attachments: o.Attachments, Secret: o.Secret,
		State: model.MailQueued, CreatedAt: now, NextAttemptAt: now}
	if !s.MailConfigured() {
		// Never sent, it needs no personal token either.
		m.State, m.LastError, m.Secret = model.MailUnsent, NoSMTP, ""
	}
	return m
}

// Enqueue queues messages to send in the background, on their own (a
// use case that changes something queues its messages with the change's
// history entry instead: AuditEntry.WithMail). Convocations and reminders
// call it.
func (s *Service) Enqueue(ctx context.Context, msgs ...Outgoing) error {
	rows := make([]model.Mail, 0, len(msgs))
	for _, o := range msgs {
		if !validEmail(o.To) {
			return fmt.Errorf("courriel à « %s » : adresse invalide", o.To)
		}
		rows = append(rows, s.outboxMail(o))
	}
	if err := s.store.EnqueueMail(ctx, rows); err != nil {
		return err
	}
	s.mailQueued()
	return nil
}

// Outbox lists the messages of the outbox, newest first, for a platform
// administrator.
func (s *Service) Outbox(ctx context.Context, a *auth.Actor, limit int) ([]model.Mail, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("courriels : %w", model.ErrForbidden)
	}
	list, err := s.store.MailMessages(ctx, limit)
	for i := range list {
		list[i] = masked(list[i])
	}
	return list, err
}

// masked is a message as administrators read it: its personal token
// hidden, for it opens an account to its recipient only.
func masked(m model.Mail) model.Mail {
	m.Text = strings.ReplaceAll(m.Text, model.MailSecretMark, "[jeton personnel masqué]")
	m.HTML = strings.ReplaceAll(m.HTML, model.MailSecretMark, "[jeton personnel masqué]")
	m.Secret = ""
	return m
}

// OutboxMessage returns one message of the outbox, for a platform administrator.
func (s *Service) OutboxMessage(ctx context.Context, a *auth.Actor, id string) (*model.Mail, error) {
	if a == nil || !a.PlatformAdmin {
		return nil, fmt.Errorf("courriels : %w", model.ErrForbidden)
	}
	m, err := s.store.MailMessage(ctx, id)
	if err != nil {
		return nil, err
	}
	shown := masked(*m)
	return &shown, nil
}

// Deliverer sends one composed message (mail.Sender).
type Deliverer interface {
	Send(ctx context.Context, to string, msg []byte) error
}

// MailSender sends the outbox in the background. Several may run at once,
// in one process or in several sharing one database: each message is
// claimed by one of them under a lease and marked sent before the lease
// is released.
type MailSender struct {
	svc     *Service
	owner   string
	deliver Deliverer
	from    string
	log     *slog.Logger
	wake    chan struct{}
}

// NewMailSender returns a sender of the outbox through d, with the
// sender's address of the service's settings.
func (s *Service) NewMailSender(d Deliverer, log *slog.Logger) *MailSender {
	var r [8]byte
	_, _ = rand.Read(r[:])
	return &MailSender{svc: s, owner: hex.EncodeToString(r[:]), deliver: d, from: s.mail.From, log: log, wake: make(chan struct{}, 1)}
}

// SendDue sends the messages due now, once each, and returns how many
// were sent.
func (m *MailSender) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		batch, err := m.svc.store.ClaimMail(ctx, m.owner, m.svc.now().UTC(), mailLease, mailBatch)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, msg := range batch {
			if m.sendOne(ctx, msg) {
				sent++
			}
			if ctx.Err() != nil {
				return sent, ctx.Err()
			}
		}
	}
}

// sendOne sends a claimed message and records the outcome while it still
// holds it.
func (m *MailSender) sendOne(ctx context.Context, msg model.Mail) bool {
	reveal := func(s string) string { return strings.ReplaceAll(s, model.MailSecretMark, msg.Secret) }
	raw, err := mail.Compose(mail.Message{From: m.from, To: msg.To, Subject: msg.Subject, Text: reveal(msg.Text), HTML: reveal(msg.HTML),
		Attachments: attachments(msg.Attachments), Date: m.svc.now(), MessageID: mail.MessageIDFor(msg.ID, m.from)})
	if err == nil {
		// A message begun is finished, even when shutdown begins: cut
		// short, the server could have accepted it without ctg knowing.
		sendCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mailSendTimeout)
		err = m.deliver.Send(sendCtx, msg.To, raw)
		cancel()
	}
	if err == nil {
		// Marked with a context of its own: a message handed to the
		// server is recorded as sent even when shutdown begins.
		mark, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := m.svc.store.MarkMailSent(mark, msg.ID, m.owner, m.svc.now().UTC()); err != nil {
			m.log.Error("courriel envoyé mais non marqué comme tel", "id", msg.ID, "error", err)
		}
		return true
	}
	var permanent *mail.PermanentError
	var retry *time.Time
	if !errors.As(err, &permanent) && msg.Attempts < MaxMailAttempts {
		at := m.svc.now().UTC().Add(mailRetryAfter(msg.Attempts))
		retry = &at
	}
	reason := err.Error()
	m.log.Warn("courriel non envoyé", "id", msg.ID, "attempt", msg.Attempts, "retry", retry != nil, "error", reason)
	mark, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.svc.store.MarkMailFailed(mark, msg.ID, m.owner, reason, retry); err != nil {
		m.log.Error("échec d'envoi non enregistré", "id", msg.ID, "error", err)
	}
	return false
}

func attachments(in []model.MailAttachment) []mail.Attachment {
	out := make([]mail.Attachment, 0, len(in))
	for _, a := range in {
		out = append(out, mail.Attachment{Name: a.Name, ContentType: a.ContentType, Content: a.Content})
	}
	return out
}

// Wake asks the sender to look for due messages now.
func (m *MailSender) Wake() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Run sends the due messages every few seconds, and when woken, until ctx
// ends; the message being sent is finished and recorded first (within
// mailSendTimeout).
func (m *MailSender) Run(ctx context.Context) {
	t := time.NewTicker(mailPoll)
	defer t.Stop()
	for {
		if _, err := m.SendDue(ctx); err != nil && ctx.Err() == nil {
			m.log.Error("envoi des courriels", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-m.wake:
		}
	}
}

// returnedValue is a value as the e-mail that returns it names it.
type returnedValue struct {
	Indicator, Period, Breakdown string
}

// returnMails writes, for values just returned, one e-mail to each
// member of the organization responsible for them (pending invitations
// aside), per organization: entries[i] is the history entry of values[i],
// and the e-mails go with the first entry of each organization, in the
// same transaction.
func (s *Service) returnMails(ctx context.Context, a *auth.Actor, c *model.Convention, catalogue map[string]model.Indicator,
	values []*model.Value, entries []model.AuditEntry, reason string) error {
	members, err := s.store.Members(ctx, c.Slug)
	if err != nil {
		return err
	}
	type group struct {
		first  int
		values []returnedValue
		codes  map[string]bool
	}
	groups := map[string]*group{}
	var orgs []string
	for i, v := range values {
		ind := catalogue[v.Indicator]
		org := ind.Responsible
		if org == "" {
			org = v.Organization
		}
		if org == "" {
			continue
		}
		g, ok := groups[org]
		if !ok {
			g = &group{first: i, codes: map[string]bool{}}
			groups[org] = g
			orgs = append(orgs, org)
		}
		g.codes[v.Indicator] = true
		g.values = append(g.values, returnedValue{Indicator: indicatorName(ind, v.Indicator), Period: v.Period, Breakdown: v.Breakdown})
	}
	for _, org := range orgs {
		g := groups[org]
		link := siteURL(ctx, "/taches", nil)
		if len(g.codes) == 1 {
			link = siteURL(ctx, "/c/"+url.PathEscape(c.Slug)+"/indicateurs/"+url.PathEscape(values[g.first].Indicator), nil)
		}
		subject, text, html, err := renderMail("value_returned", map[string]any{"Validator": a.PublicName(), "Convention": c.Title,
			"Organization": c.OrgName(org), "Values": g.values, "Reason": strings.TrimSpace(reason), "URL": link})
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.Organization == org && !m.InvitationPending {
				entries[g.first] = entries[g.first].WithMail(s.outboxMail(Outgoing{Convention: c.Slug, To: m.Email, Subject: subject, Text: text, HTML: html}))
			}
		}
	}
	return nil
}

// submitMails writes, for values just submitted by someone who does not
// validate them, one e-mail to each administrator and editor of the
// convention, who validate; it goes with entries[0], in the same
// transaction.
func (s *Service) submitMails(ctx context.Context, a *auth.Actor, c *model.Convention, catalogue map[string]model.Indicator,
	values []*model.Value, entries []model.AuditEntry) error {
	if len(values) == 0 || CanValidate(a, c.Slug) {
		return nil
	}
	members, err := s.store.Members(ctx, c.Slug)
	if err != nil {
		return err
	}
	listed := make([]returnedValue, len(values))
	for i, v := range values {
		listed[i] = returnedValue{Indicator: indicatorName(catalogue[v.Indicator], v.Indicator), Period: v.Period, Breakdown: v.Breakdown}
	}
	link := siteURL(ctx, "/c/"+url.PathEscape(c.Slug)+"/collecte", url.Values{"annee": {indicators.Year(values[0].Period)}}) + "#a-valider"
	subject, text, html, err := renderMail("values_submitted", map[string]any{"Submitter": a.PublicName(), "Convention": c.Title,
		"Organization": c.OrgName(a.Memberships[c.Slug].Organization), "Values": listed, "URL": link})
	if err != nil {
		return err
	}
	for _, m := range members {
		if !m.InvitationPending && validEmail(m.Email) && m.Email != a.Email && (m.Role == auth.RoleAdmin || m.Role == auth.RoleEditor) {
			entries[0] = entries[0].WithMail(s.outboxMail(Outgoing{Convention: c.Slug, To: m.Email, Subject: subject, Text: text, HTML: html}))
		}
	}
	return nil
}

func indicatorName(ind model.Indicator, code string) string {
	if ind.Label == "" {
		return code
	}
	return code + " « " + ind.Label + " »"
}

// PoolStats returns the statistics of the database's connection pools,
// for the operators' metrics.
func (s *Service) PoolStats() map[string]sql.DBStats { return s.store.PoolStats() }

// MailBacklog counts the messages waiting to be sent and those given up,
// for the operators' metrics.
func (s *Service) MailBacklog(ctx context.Context) (waiting, failed int, err error) {
	return s.store.MailBacklog(ctx)
}
