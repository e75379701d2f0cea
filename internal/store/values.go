package store

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/internal/model"
)

// newID returns a random 128-bit identifier, hex-encoded: stable for the
// record's life and unguessable.
func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// timestamp writes a time in the dialect's column type: TEXT (RFC 3339,
// UTC, sortable) on SQLite, TIMESTAMPTZ on PostgreSQL.
func (d dialect) timestamp(t time.Time) any {
	if d.numbered {
		return t
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// dateArg writes an optional date: "YYYY-MM-DD" or NULL.
func dateArg(d *model.Date) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// timeCol reads a timestamp written by either dialect.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*c.t = v.UTC()
		return nil
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	}
	return fmt.Errorf("horodatage illisible : %T", src)
}

func (c timeCol) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	*c.t = t.UTC()
	return err
}

// dateCol reads an optional date into a *model.Date (nil for NULL).
type dateCol struct{ d **model.Date }

func (c dateCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c.d = nil
		return nil
	case time.Time:
		d := model.DateOf(v.UTC())
		*c.d = &d
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("date illisible : %T", src)
	}
	d, err := model.ParseDate(s)
	if err != nil {
		return err
	}
	*c.d = &d
	return nil
}

// requiredDateCol reads a NOT NULL date.
type requiredDateCol struct{ d *model.Date }

func (c requiredDateCol) Scan(src any) error {
	var p *model.Date
	if err := (dateCol{&p}).Scan(src); err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("date obligatoire absente")
	}
	*c.d = *p
	return nil
}

// metaCols are the bookkeeping columns every table ends with.
const metaCols = "id, created_at, updated_at, version"

// metaDest returns the scan targets of metaCols.
func metaDest(m *model.Meta) []any {
	return []any{&m.ID, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.Version}
}
