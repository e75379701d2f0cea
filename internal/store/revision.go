package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/ctg-territoires/ctg/internal/model"
)

// ConventionRevision returns what identifies the stored state of a
// convention: its row's id and its revision, which every audited change of
// the convention increases in the change's own transaction (see
// appendAudit). Two reads that return the same revision read the same
// convention and life, whichever server wrote them; an import over the
// convention gives a new id. ErrNotFound when there is no such convention.
func (s *SQL) ConventionRevision(ctx context.Context, slug string) (string, error) {
	var id string
	var revision int64
	err := s.read.QueryRowContext(ctx, s.d.rebind(`SELECT id, revision FROM conventions WHERE slug = ?`), slug).Scan(&id, &revision)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	return id + "/" + strconv.FormatInt(revision, 10), nil
}

// bumped is the convention whose revision a transaction increased last.
type bumped struct {
	tx   *sql.Tx
	slug string
}

// bumpRevision increases the revision of the convention slug within tx,
// once per transaction and convention: a transaction that writes many
// entries for one convention (values saved one by one) bumps it once.
// Keeping tx in s.lastBump keeps it from being collected, so that no
// later transaction can take its address.
func (s *SQL) bumpRevision(ctx context.Context, tx *sql.Tx, slug string) error {
	if slug == "" {
		return nil
	}
	s.changed.Store(tx, true)
	if b := s.lastBump.Load(); b != nil && b.tx == tx && b.slug == slug {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE conventions SET revision = revision + 1 WHERE slug = ?`), slug); err != nil {
		return err
	}
	s.lastBump.Store(&bumped{tx: tx, slug: slug})
	return nil
}

// moveChanges adds one to the count of changes: the last statement of a
// transaction that changed a convention.
const moveChanges = `UPDATE changes SET count = count + 1 WHERE id = 1`

// Changes returns the count of committed transactions that changed a
// convention (see bumpRevision): while it reads the same, no convention
// was changed, added or removed, whichever server wrote. Read it before
// what it vouches for.
func (s *SQL) Changes(ctx context.Context) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count FROM changes WHERE id = 1`).Scan(&n)
	return n, err
}
