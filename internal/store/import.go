package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Life is what an import stores beside a convention's text, each part
// keyed by the convention's slug. A part left nil keeps what the database
// holds of it: a file without avenants, acts or documents leaves those
// recorded untouched.
type Life struct {
	// Amendments, when not nil, replace the convention's avenants with
	// their authorizations, their changes (JSON), their applied mark, the
	// working copies of those in draft (by number) and the stored
	// versions of the text.
	Amendments    []model.Amendment
	WorkingCopies map[int]*model.Convention
	Versions      []model.ConventionVersion
	// Acts, when not nil, replace the renewal and the termination.
	Acts *model.LifecycleActs
	// Documents, when not nil, replace the documents, content included.
	Documents []DocumentContent
	// Meetings, when not nil, replace the meetings with their attendance,
	// decisions and actions.
	Meetings []model.Meeting
	// Admins are the accounts (ids) given the administrator role of the
	// convention: the creator of a new convention.
	Admins []string
}

// DocumentContent is a document with its bytes.
type DocumentContent struct {
	model.Document
	Content []byte
}

// ImportConvention stores c (replacing the convention of its slug when
// replace is set, else ErrConflict if the slug is taken) and the parts
// of its life that life carries, with the audit entry of the import, all
// in one transaction.
func (s *SQL) ImportConvention(ctx context.Context, c *model.Convention, life *Life, replace bool, entry model.AuditEntry) (*model.Convention, error) {
	var out *model.Convention
	err := s.inConnTx(ctx, func(tx *sql.Tx, conn *sql.Conn) error {
		if replace {
			if err := s.deleteConvention(ctx, tx, c.Slug); err != nil {
				return err
			}
		}
		var err error
		if out, err = s.insertConvention(ctx, tx, conn, c, entry); err != nil {
			return err
		}
		if life == nil {
			return nil
		}
		now := s.now()
		if life.Amendments != nil {
			if err := s.replaceAmendments(ctx, tx, c.Slug, life, entry, now); err != nil {
				return err
			}
		}
		if life.Acts != nil {
			if err := s.replaceActs(ctx, tx, c.Slug, life.Acts); err != nil {
				return err
			}
		}
		if life.Meetings != nil {
			if err := s.replaceMeetings(ctx, tx, c.Slug, life.Meetings, now); err != nil {
				return err
			}
		}
		for _, user := range life.Admins {
			ts := s.d.timestamp(now)
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO memberships (id, user_id, convention_slug, role, organization_key, created_at, updated_at, version)
				VALUES (?, ?, ?, ?, ?, ?, ?, 1)`), s.newID(), user, c.Slug, string(auth.RoleAdmin), "", ts, ts); err != nil {
				return err
			}
		}
		if life.Documents != nil {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM documents WHERE convention_slug = ?`), c.Slug); err != nil {
				return err
			}
			for _, d := range life.Documents {
				content := d.Content
				if content == nil {
					content = []byte{}
				}
				if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO documents (`+documentCols+`, content)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), s.newID(), c.Slug, string(d.OwnerKind), d.OwnerKey, d.Name, d.ContentType,
					d.Size, d.SHA256, d.Title, d.UploadedBy, s.d.timestamp(d.UploadedAt.UTC().Truncate(time.Microsecond)), content); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if isUniqueViolation(err) {
		return nil, fmt.Errorf("la convention « %s » existe déjà : %w", c.Slug, model.ErrConflict)
	}
	return out, err
}

// replaceAmendments deletes the convention's avenants, authorizations,
// versions and working copies, and writes those of life.
func (s *SQL) replaceAmendments(ctx context.Context, tx *sql.Tx, slug string, life *Life, entry model.AuditEntry, now time.Time) error {
	var copies []string
	rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT working_copy FROM amendments WHERE convention_slug = ? AND working_copy <> ''`), slug)
	if err != nil {
		return err
	}
	for rows.Next() {
		var wc string
		if err := rows.Scan(&wc); err != nil {
			rows.Close()
			return err
		}
		copies = append(copies, wc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for n := range life.WorkingCopies {
		copies = append(copies, model.WorkingCopySlug(slug, n))
	}
	for _, wc := range copies {
		if err := s.deleteConvention(ctx, tx, wc); err != nil {
			return err
		}
	}
	for _, table := range []string{"amendments", "amendment_authorizations", "convention_versions"} {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM `+table+` WHERE convention_slug = ?`), slug); err != nil {
			return err
		}
	}
	ts := s.d.timestamp(now)
	for _, x := range life.Amendments {
		var applied any
		if x.AppliedAt != nil {
			applied = s.d.timestamp(*x.AppliedAt)
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO amendments (`+amendmentCols+`, `+metaCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), slug, x.Number, x.Object, x.State, x.WorkingCopy, x.CreatedBy,
			dateArg(x.SignedOn), x.SignaturePlace, dateArg(x.EffectiveOn), string(x.Changes), applied, s.newID(), ts, ts, 1); err != nil {
			return err
		}
		for _, a := range x.Authorizations {
			if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO amendment_authorizations (`+authorizationCols+`, `+metaCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), slug, x.Number, a.Organization, a.Body, dateArg(a.DecidedOn), a.Reference,
				a.PrefectureAcknowledgement, s.newID(), ts, ts, 1); err != nil {
				return err
			}
		}
		if wc := life.WorkingCopies[x.Number]; wc != nil {
			copyEntry := entry
			copyEntry.ObjectLabel = fmt.Sprintf("Copie de travail de l'avenant n° %d importée", x.Number)
			if _, err := s.insertConvention(ctx, tx, nil, wc, copyEntry); err != nil {
				return err
			}
		}
	}
	for _, v := range life.Versions {
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO convention_versions (id, convention_slug, number, effective_on, content, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), s.newID(), slug, v.Number, dateArg(v.EffectiveOn), string(v.Content), ts); err != nil {
			return err
		}
	}
	return nil
}

// replaceActs deletes the convention's renewal and termination and
// writes those of acts. The predecessor is the predecessor's own act.
func (s *SQL) replaceActs(ctx context.Context, tx *sql.Tx, slug string, acts *model.LifecycleActs) error {
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM lifecycle_acts WHERE convention_slug = ?`), slug); err != nil {
		return err
	}
	if r := acts.Renewal; r != nil {
		if err := s.insertAct(ctx, tx, slug, actRenewal, r.DecidedOn, nil, nil, "", "", r.Acts, r.Successor, r.RecordedBy, &r.Meta); err != nil {
			return err
		}
	}
	if t := acts.Termination; t != nil {
		if err := s.insertAct(ctx, tx, slug, actTermination, t.LetterOn, &t.ReceivedOn, &t.EffectiveOn, string(t.Mode), t.Sender,
			t.References, "", t.RecordedBy, &t.Meta); err != nil {
			return err
		}
	}
	return nil
}
