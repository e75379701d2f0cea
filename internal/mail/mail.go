// Package mail composes the e-mails ctg sends (French subject, a text and
// an HTML part, attachments such as an invitation .ics) and sends them to
// an SMTP server. It knows nothing of conventions nor of the outbox.
package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Attachment is a file joined to a message.
type Attachment struct {
	Name        string
	ContentType string
	Content     []byte
}

// Message is an e-mail to compose.
type Message struct {
	From, To, Subject string
	// Text is the plain-text part; HTML, when set, the same content as HTML.
	Text, HTML  string
	Attachments []Attachment
	Date        time.Time
	// MessageID is the Message-ID without its angle brackets; the same
	// message retried keeps the same one, so that a receiver can tell.
	MessageID string
}

// Compose writes m as an RFC 5322 message in UTF-8: multipart/alternative
// for the text and HTML parts (quoted-printable), inside multipart/mixed
// when there are attachments (base64).
func Compose(m Message) ([]byte, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("expéditeur « %s » invalide : %w", m.From, err)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return nil, fmt.Errorf("destinataire « %s » invalide : %w", m.To, err)
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("objet sur plusieurs lignes")
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := m.MessageID
	if id == "" {
		id = NewMessageID(from.Address)
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+id+">")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")

	alt := func(w *multipart.Writer) error {
		if err := textPart(w, "text/plain; charset=utf-8", m.Text); err != nil {
			return err
		}
		if m.HTML != "" {
			return textPart(w, "text/html; charset=utf-8", m.HTML)
		}
		return nil
	}
	if len(m.Attachments) == 0 {
		w := multipart.NewWriter(&b)
		header("Content-Type", "multipart/alternative; boundary="+w.Boundary())
		b.WriteString("\r\n")
		if err := alt(w); err != nil {
			return nil, err
		}
		return b.Bytes(), w.Close()
	}
	mixed := multipart.NewWriter(&b)
	header("Content-Type", "multipart/mixed; boundary="+mixed.Boundary())
	b.WriteString("\r\n")
	var inner bytes.Buffer
	w := multipart.NewWriter(&inner)
	if err := alt(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	part, err := mixed.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + w.Boundary()}})
	if err != nil {
		return nil, err
	}
	if _, err := part.Write(inner.Bytes()); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		mediaType, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return nil, fmt.Errorf("pièce jointe %s : type « %s » invalide", a.Name, ct)
		}
		params["name"] = a.Name
		name := mime.QEncoding.Encode("utf-8", a.Name)
		part, err := mixed.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(mediaType, params)},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {fmt.Sprintf("attachment; filename=%q", name)},
		})
		if err != nil {
			return nil, err
		}
		if err := writeBase64(part, a.Content); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), mixed.Close()
}

func textPart(w *multipart.Writer, contentType, body string) error {
	part, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {contentType}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(part)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// writeBase64 writes data in base64 lines of 76 characters.
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		if _, err := fmt.Fprintf(w, "%s\r\n", enc[:76]); err != nil {
			return err
		}
		enc = enc[76:]
	}
	_, err := fmt.Fprintf(w, "%s\r\n", enc)
	return err
}

// NewMessageID returns a unique Message-ID (without brackets) in the
// domain of the sender's address.
func NewMessageID(sender string) string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return MessageIDFor(hex.EncodeToString(r[:]), sender)
}

// MessageIDFor returns the Message-ID of the message with that key, in
// the domain of the sender's address: the same key gives the same id.
func MessageIDFor(key, sender string) string {
	domain := "ctg.localhost"
	if a, err := mail.ParseAddress(sender); err == nil {
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			domain = a.Address[i+1:]
		}
	}
	return key + "@" + domain
}
