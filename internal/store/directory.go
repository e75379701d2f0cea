package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Directory is the platform's directory of organizations: one entry per
// organization across conventions, which accounts belong to.
type Directory interface {
	// DirectoryEntries lists the directory (its organizations of those
	// kinds, when given), by name, with the conventions each entry is
	// named in and the number of its accounts.
	DirectoryEntries(ctx context.Context, kinds ...model.OrganizationKind) ([]model.DirectoryEntry, error)
	// DirectoryEntry returns one entry by id, or ErrNotFound.
	DirectoryEntry(ctx context.Context, id string) (*model.DirectoryEntry, error)
	// CreateDirectoryEntry adds an organization no convention names yet
	// (ErrConflict when its SIREN, INSEE code or kind and name are taken)
	// with its audit entry.
	CreateDirectoryEntry(ctx context.Context, e *model.DirectoryEntry, entry model.AuditEntry) error
	// SetUserOrganization makes an account belong to an entry (none when
	// id is empty) with a role in every convention it is party to (none
	// when role is empty), with its audit entry.
	SetUserOrganization(ctx context.Context, userID, id string, role auth.Role, entry model.AuditEntry) error
}

// directoryKey is how an organization is recognised across conventions:
// its SIREN, else its INSEE code, else its kind and folded name.
func directoryKey(kind, name, siren, insee string) string {
	switch {
	case siren != "":
		return "siren:" + siren
	case insee != "":
		return "insee:" + insee
	}
	return "name:" + kind + ":" + textutil.Fold(name)
}

// linkOrganizations links each organization of a convention to its entry
// of the directory, creating the entries missing, inside the transaction
// that wrote them. An organization keeps the entry it was linked to when
// only its name changes (a typo fixed in one convention does not take it
// out of its Caf's portfolio); a SIREN or INSEE code given since links it
// to that identifier's entry, which its former entry becomes when it had
// none.
func (s *SQL) linkOrganizations(ctx context.Context, tx *sql.Tx, slug string) error {
	type org struct{ key, kind, name, short, siren, insee string }
	orgs, err := txRowsOf(ctx, s, tx, `SELECT o.key, o.kind, o.name, o.short_name, o.siren, o.insee
		FROM organizations o JOIN conventions c ON c.id = o.convention_id WHERE c.slug = ? ORDER BY o.position`, []any{slug},
		func(o *org) []any { return []any{&o.key, &o.kind, &o.name, &o.short, &o.siren, &o.insee} })
	if err != nil {
		return err
	}
	type link struct{ key, id, match string }
	links, err := txRowsOf(ctx, s, tx, `SELECT l.organization_key, d.id, d.match_key FROM organization_links l
		JOIN directory_organizations d ON d.id = l.directory_id WHERE l.convention_slug = ?`, []any{slug},
		func(l *link) []any { return []any{&l.key, &l.id, &l.match} })
	if err != nil {
		return err
	}
	linked := map[string][2]string{} // organization key → entry id, match key
	for _, l := range links {
		linked[l.key] = [2]string{l.id, l.match}
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind(`DELETE FROM organization_links WHERE convention_slug = ?`), slug); err != nil {
		return err
	}
	for _, o := range orgs {
		want := directoryKey(o.kind, o.name, o.siren, o.insee)
		e := model.DirectoryEntry{Kind: model.OrganizationKind(o.kind), Name: o.name, ShortName: o.short, SIREN: o.siren, INSEE: o.insee}
		id, err := s.directoryEntryFor(ctx, tx, want, linked[o.key], e)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO organization_links (convention_slug, organization_key, directory_id) VALUES (?, ?, ?)`),
			slug, o.key, id); err != nil {
			return err
		}
	}
	return nil
}

// directoryEntryFor returns the id of the entry an organization links to,
// given the key it is recognised by and the entry it was linked to.
func (s *SQL) directoryEntryFor(ctx context.Context, tx *sql.Tx, want string, was [2]string, e model.DirectoryEntry) (string, error) {
	if was[0] != "" && (was[1] == want || strings.HasPrefix(want, "name:")) {
		return was[0], nil
	}
	var id string
	err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT id FROM directory_organizations WHERE match_key = ?`), want).Scan(&id)
	switch {
	case err == nil:
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	now := s.d.timestamp(s.now())
	if was[0] != "" && strings.HasPrefix(was[1], "name:") {
		_, err := tx.ExecContext(ctx, s.d.rebind(`UPDATE directory_organizations SET match_key = ?, siren = ?, insee = ?, updated_at = ?, version = version + 1
			WHERE id = ?`), want, e.SIREN, e.INSEE, now, was[0])
		return was[0], err
	}
	id = s.newID()
	_, err = tx.ExecContext(ctx, s.d.rebind(`INSERT INTO directory_organizations (id, match_key, kind, name, short_name, siren, insee, created_at, updated_at, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`), id, want, string(e.Kind), e.Name, e.ShortName, e.SIREN, e.INSEE, now, now)
	return id, err
}

// linkAllOrganizations links the organizations of every stored
// convention: the data step of the migration that made the directory.
func (s *SQL) linkAllOrganizations(ctx context.Context, tx *sql.Tx) error {
	slugs, err := txRowsOf(ctx, s, tx, `SELECT slug FROM conventions ORDER BY slug`, nil, func(slug *string) []any { return []any{slug} })
	if err != nil {
		return err
	}
	for _, slug := range slugs {
		if err := s.linkOrganizations(ctx, tx, slug); err != nil {
			return fmt.Errorf("convention %s : %w", slug, err)
		}
	}
	return nil
}

const directoryCols = "d.id, d.kind, d.name, d.short_name, d.siren, d.insee"

func directoryDest(e *model.DirectoryEntry) []any {
	return []any{&e.ID, &e.Kind, &e.Name, &e.ShortName, &e.SIREN, &e.INSEE}
}

// DirectoryEntries lists the directory by name, of some kinds only when
// they are given.
func (s *SQL) DirectoryEntries(ctx context.Context, kinds ...model.OrganizationKind) ([]model.DirectoryEntry, error) {
	if len(kinds) == 0 {
		return s.directory(ctx, "", nil)
	}
	args := make([]any, len(kinds))
	for i, k := range kinds {
		args[i] = string(k)
	}
	return s.directory(ctx, "WHERE d.kind IN ("+strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ")+")", args)
}

// DirectoryEntry returns one entry of the directory.
func (s *SQL) DirectoryEntry(ctx context.Context, id string) (*model.DirectoryEntry, error) {
	list, err := s.directory(ctx, "WHERE d.id = ?", []any{id})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("organisation %s : %w", id, model.ErrNotFound)
	}
	return &list[0], nil
}

// directory reads entries with the conventions that name them (working
// copies of avenants left out) and their accounts, in three queries.
func (s *SQL) directory(ctx context.Context, where string, args []any) ([]model.DirectoryEntry, error) {
	out, err := rowsOf(ctx, s, "SELECT "+directoryCols+" FROM directory_organizations d "+where+" ORDER BY d.name, d.id", args, directoryDest)
	if err != nil {
		return nil, err
	}
	byID := map[string]*model.DirectoryEntry{}
	for i := range out {
		byID[out[i].ID] = &out[i]
	}
	// The links and accounts of the entries read only.
	only := ""
	if where != "" {
		only = " WHERE l.directory_id IN (SELECT d.id FROM directory_organizations d " + where + ")"
	}
	err = s.each(ctx, `SELECT l.directory_id, l.convention_slug, p.id FROM organization_links l
		JOIN conventions c ON c.slug = l.convention_slug
		LEFT JOIN parties p ON p.convention_id = c.id AND p.organization_key = l.organization_key`+only+`
		ORDER BY l.convention_slug`, args, func(scan func(...any) error) error {
		var id, slug string
		var party sql.NullString
		if err := scan(&id, &slug, &party); err != nil {
			return err
		}
		e := byID[id]
		if _, _, copy := model.WorkingCopyOf(slug); e == nil || copy {
			return nil
		}
		if party.Valid {
			e.Parties = append(e.Parties, slug)
		} else {
			e.Named = append(e.Named, slug)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = s.each(ctx, `SELECT organization_id, COUNT(*) FROM users WHERE organization_id <> '' GROUP BY organization_id`, nil,
		func(scan func(...any) error) error {
			var id string
			var n int
			if err := scan(&id, &n); err != nil {
				return err
			}
			if e := byID[id]; e != nil {
				e.Accounts = n
			}
			return nil
		})
	for i := range out {
		if out[i].Parties == nil {
			out[i].Parties = []string{}
		}
	}
	return out, err
}

// CreateDirectoryEntry adds an organization to the directory.
func (s *SQL) CreateDirectoryEntry(ctx context.Context, e *model.DirectoryEntry, entry model.AuditEntry) error {
	e.ID = s.newID()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.d.rebind(`INSERT INTO directory_organizations (id, match_key, kind, name, short_name, siren, insee, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`), e.ID, directoryKey(string(e.Kind), e.Name, e.SIREN, e.INSEE), string(e.Kind), e.Name, e.ShortName,
			e.SIREN, e.INSEE, s.d.timestamp(now), s.d.timestamp(now)); err != nil {
			return err
		}
		entry.ObjectID, entry.At = e.ID, now
		return s.appendAudit(ctx, tx, entry)
	})
	if isUniqueViolation(err) {
		return fmt.Errorf("l'organisation « %s » est déjà dans l'annuaire : %w", e.Name, model.ErrConflict)
	}
	return err
}

// SetUserOrganization makes an account belong to an entry of the
// directory, with a role in the conventions it is party to; the
// account's organization name becomes the entry's.
func (s *SQL) SetUserOrganization(ctx context.Context, userID, id string, role auth.Role, entry model.AuditEntry) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		name := ""
		if id != "" {
			err := tx.QueryRowContext(ctx, s.d.rebind(`SELECT name FROM directory_organizations WHERE id = ?`), id).Scan(&name)
			if err != nil {
				return notFoundIfNoRows(err)
			}
		}
		now := s.now()
		q := `UPDATE users SET organization_id = ?, organization_role = ?, updated_at = ?, version = version + 1`
		args := []any{id, string(role), s.d.timestamp(now)}
		if id != "" {
			q += ", organization = ?"
			args = append(args, name)
		}
		res, err := tx.ExecContext(ctx, s.d.rebind(q+" WHERE id = ?"), append(args, userID)...)
		if err := mustAffect(res, err); err != nil {
			return err
		}
		entry.At = now
		return s.appendAudit(ctx, tx, entry)
	})
}

// partyLinks lists the conventions an entry of the directory is party to,
// with its key in each; working copies of avenants are left out.
func (s *SQL) partyLinks(ctx context.Context, id string) ([]model.PartyLink, error) {
	links, err := rowsOf(ctx, s, `SELECT l.convention_slug, l.organization_key FROM organization_links l
		JOIN conventions c ON c.slug = l.convention_slug
		JOIN parties p ON p.convention_id = c.id AND p.organization_key = l.organization_key
		WHERE l.directory_id = ? ORDER BY l.convention_slug`, []any{id},
		func(l *model.PartyLink) []any { return []any{&l.Convention, &l.Key} })
	return slices.DeleteFunc(links, func(l model.PartyLink) bool {
		_, _, copy := model.WorkingCopyOf(l.Convention)
		return copy
	}), err
}

// relink links a convention's organizations again after one of them was
// added, changed or removed.
func (s *SQL) relink(ctx context.Context, tx *sql.Tx, kind, slug string) error {
	if kind != "organization" || slug == "" {
		return nil
	}
	return s.linkOrganizations(ctx, tx, slug)
}
