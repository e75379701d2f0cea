package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Communication keeps what article 8 organizes: the organizations' logos
// and the public-event requests.
type Communication interface {
	// Logos lists a convention's logos, without their content, by organization.
	Logos(ctx context.Context, convention string) ([]model.Logo, error)
	// Logo returns an organization's logo with its content, or ErrNotFound.
	Logo(ctx context.Context, convention, organization string) (*model.Logo, []byte, error)
	// PutLogo stores an organization's logo, replacing the one it had,
	// with its audit entry, in one transaction; l gets its upload time.
	PutLogo(ctx context.Context, l *model.Logo, content []byte, entry model.AuditEntry) error
	// DeleteLogo removes an organization's logo with its audit entry;
	// ErrNotFound if there is none.
	DeleteLogo(ctx context.Context, convention, organization string, entry model.AuditEntry) error
	// EventRequests lists a convention's event requests, by proposed date.
	EventRequests(ctx context.Context, convention string) ([]model.EventRequest, error)
	// EventRequest returns one event request of a convention, or ErrNotFound.
	EventRequest(ctx context.Context, convention, id string) (*model.EventRequest, error)
	// SaveEventRequest inserts (empty ID) or updates at its version an
	// event request, with its audit entry (ErrStale on another version).
	SaveEventRequest(ctx context.Context, x *model.EventRequest, entry model.AuditEntry) error
}

const logoCols = `convention_slug, organization_key, file_name, content_type, size, sha256, width, height, uploaded_by, uploaded_at`

func logoDest(l *model.Logo) []any {
	return []any{&l.Convention, &l.Organization, &l.Name, &l.ContentType, &l.Size, &l.SHA256, &l.Width, &l.Height, &l.UploadedBy,
		timeCol{&l.UploadedAt}}
}

// Logos lists a convention's logos, without their content.
func (s *SQL) Logos(ctx context.Context, convention string) ([]model.Logo, error) {
	return rowsOf(ctx, s, `SELECT `+logoCols+` FROM logos WHERE convention_slug = ? ORDER BY organization_key`, []any{convention}, logoDest)
}

// Logo returns an organization's logo with its content.
func (s *SQL) Logo(ctx context.Context, convention, organization string) (*model.Logo, []byte, error) {
	return fileOf(ctx, s, "logo", `SELECT `+logoCols+`, content FROM logos WHERE convention_slug = ? AND organization_key = ?`,
		[]any{convention, organization}, logoDest)
}

// PutLogo stores an organization's logo in place of the one it had.
func (s *SQL) PutLogo(ctx context.Context, l *model.Logo, content []byte, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// PostgreSQL keeps microseconds: l holds what is read back.
		now := s.now().Truncate(time.Microsecond)
		l.UploadedAt = now
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM logos WHERE convention_slug = ? AND organization_key = ?`),
			l.Convention, l.Organization); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO logos (`+logoCols+`, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			l.Convention, l.Organization, l.Name, l.ContentType, l.Size, l.SHA256, l.Width, l.Height, l.UploadedBy, s.d.timestamp(now), content)
		if err != nil {
			return err
		}
		entry.ObjectID, entry.At = l.Organization, now
		return s.appendAudit(ctx, tx, entry)
	})
}

// DeleteLogo removes an organization's logo and appends its audit entry.
func (s *SQL) DeleteLogo(ctx context.Context, convention, organization string, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM logos WHERE convention_slug = ? AND organization_key = ?`), convention, organization)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("logo : %w", model.ErrNotFound)
		}
		entry.ObjectID, entry.At = organization, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}

const eventRequestCols = `convention_slug, organization_key, financer_key, kind, title, subject_kind, subject_key, proposed_on, place, ` +
	`date_agreement, other_date, date_note, charter_agreement, charter_conditions`

// EventRequests lists a convention's event requests, by proposed date.
func (s *SQL) EventRequests(ctx context.Context, convention string) ([]model.EventRequest, error) {
	return s.eventRequests(ctx, convention, "")
}

// EventRequest returns one event request of a convention.
func (s *SQL) EventRequest(ctx context.Context, convention, id string) (*model.EventRequest, error) {
	list, err := s.eventRequests(ctx, convention, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("demande de manifestation : %w", model.ErrNotFound)
	}
	return &list[0], nil
}

func (s *SQL) eventRequests(ctx context.Context, convention, id string) ([]model.EventRequest, error) {
	where, args := ` WHERE convention_slug = ?`, []any{convention}
	if id != "" {
		where += ` AND id = ?`
		args = append(args, id)
	}
	out := []model.EventRequest{}
	err := s.each(ctx, `SELECT `+eventRequestCols+`, `+metaCols+` FROM event_requests`+where+` ORDER BY proposed_on, created_at, id`, args,
		func(scan func(...any) error) error {
			var x model.EventRequest
			var kind, subject, date, charter string
			if err := scan(append([]any{&x.Convention, &x.Organization, &x.Financer, &kind, &x.Title, &subject, &x.SubjectKey,
				requiredDateCol{&x.ProposedDate}, &x.Place, &date, dateCol{&x.OtherDate}, &x.DateNote, &charter, &x.CharterConditions},
				metaDest(&x.Meta)...)...); err != nil {
				return err
			}
			x.Kind, x.SubjectKind = model.PublicEventKind(kind), model.EventSubject(subject)
			x.Date, x.Charter = model.DateAgreement(date), model.CharterAgreement(charter)
			out = append(out, x)
			return nil
		})
	return out, err
}

// SaveEventRequest inserts or updates at its version an event request.
func (s *SQL) SaveEventRequest(ctx context.Context, x *model.EventRequest, entry model.AuditEntry) error {
	var other any
	if x.OtherDate != nil {
		other = x.OtherDate.String()
	}
	return s.saveRow(ctx, "event_requests", eventRequestCols, &x.Meta, []any{x.Convention, x.Organization, x.Financer, string(x.Kind),
		x.Title, string(x.SubjectKind), x.SubjectKey, x.ProposedDate.String(), x.Place, string(x.Date), other, x.DateNote, string(x.Charter),
		x.CharterConditions}, entry)
}
