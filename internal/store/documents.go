package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Documents stores the files attached to conventions, content included.
type Documents interface {
	// Documents lists a convention's documents, without their content,
	// by owner and upload time.
	Documents(ctx context.Context, convention string) ([]model.Document, error)
	// Document returns one document of a convention with its content, or ErrNotFound.
	Document(ctx context.Context, convention, id string) (*model.Document, []byte, error)
	// InsertDocument stores a document and its content with its audit
	// entry, in one transaction; d gets its id and upload time.
	InsertDocument(ctx context.Context, d *model.Document, content []byte, entry model.AuditEntry) error
	// DeleteDocument removes a document of a convention with its audit
	// entry, in one transaction; ErrNotFound if there is none.
	DeleteDocument(ctx context.Context, convention, id string, entry model.AuditEntry) error
}

const documentCols = `id, convention_slug, owner_kind, owner_key, file_name, content_type, size, sha256, title, uploaded_by, uploaded_at`

func documentDest(d *model.Document) []any {
	return []any{&d.ID, &d.Convention, &d.OwnerKind, &d.OwnerKey, &d.Name, &d.ContentType, &d.Size, &d.SHA256, &d.Title,
		&d.UploadedBy, timeCol{&d.UploadedAt}}
}

// Documents lists a convention's documents, without their content.
func (s *SQL) Documents(ctx context.Context, convention string) ([]model.Document, error) {
	return rowsOf(ctx, s, `SELECT `+documentCols+` FROM documents WHERE convention_slug = ?
		ORDER BY owner_kind, owner_key, uploaded_at, id`, []any{convention}, documentDest)
}

// Document returns one document of a convention with its content.
func (s *SQL) Document(ctx context.Context, convention, id string) (*model.Document, []byte, error) {
	return fileOf(ctx, s, "document", `SELECT `+documentCols+`, content FROM documents WHERE convention_slug = ? AND id = ?`,
		[]any{convention, id}, documentDest)
}

// InsertDocument stores a document, its content and its audit entry.
func (s *SQL) InsertDocument(ctx context.Context, d *model.Document, content []byte, entry model.AuditEntry) error {
	if content == nil {
		// An empty file is still a value, not NULL.
		content = []byte{}
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// PostgreSQL keeps microseconds: d holds what is read back.
		now := s.now().Truncate(time.Microsecond)
		d.ID, d.UploadedAt = s.newID(), now
		_, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO documents (`+documentCols+`, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), d.ID, d.Convention, string(d.OwnerKind), d.OwnerKey, d.Name, d.ContentType,
			d.Size, d.SHA256, d.Title, d.UploadedBy, s.d.timestamp(now), content)
		if err != nil {
			return err
		}
		entry.ObjectID, entry.At = d.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
}

// DeleteDocument removes a document of a convention and appends its
// audit entry.
func (s *SQL) DeleteDocument(ctx context.Context, convention, id string, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM documents WHERE convention_slug = ? AND id = ?`), convention, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("document : %w", model.ErrNotFound)
		}
		entry.ObjectID, entry.At = id, s.now()
		return s.appendAudit(ctx, tx, entry)
	})
}
