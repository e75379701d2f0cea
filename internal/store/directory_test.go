package store

import (
	"context"
	"slices"
	"testing"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// storeVariant stores the example under another slug, with its Caf
// renamed when caf is set.
func storeVariant(t *testing.T, s *SQL, slug, caf string) {
	t.Helper()
	c := forcalquier(t)
	c.Slug = slug
	if caf != "" {
		c.Organizations[0].Name = caf
	}
	if _, err := s.CreateConvention(context.Background(), c, model.AuditEntry{Action: "import"}); err != nil {
		t.Fatal(err)
	}
}

func entryNamed(t *testing.T, s *SQL, name string) model.DirectoryEntry {
	t.Helper()
	list, err := s.DirectoryEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("« %s » absente de l'annuaire (%d organisations)", name, len(list))
	return model.DirectoryEntry{}
}

const caf04 = "Caisse d’Allocations Familiales des Alpes de Haute-Provence"

// Conventions stored before the directory existed join it when the
// migration that made it is applied: the same Caf, EPCI and communes are
// one organization across conventions.
func TestMigrationPutsExistingConventionsInTheDirectory(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		storeVariant(t, s, "ctg-a-2022", "")
		storeVariant(t, s, "ctg-b-2022", "")
		storeVariant(t, s, "ctg-c-2022", "Caisse d'Allocations Familiales des Hautes-Alpes")
		// Back to the schema before the directory, with the data it held.
		for _, q := range []string{`DROP TABLE directory_organizations`, `DROP TABLE organization_links`,
			`ALTER TABLE users DROP COLUMN organization_id`, `ALTER TABLE users DROP COLUMN organization_role`,
			`DELETE FROM schema_migrations WHERE version = 27`} {
			if _, err := s.write.ExecContext(ctx, q); err != nil {
				t.Fatal(q, err)
			}
		}
		applied, err := s.Migrate(ctx)
		if err != nil || !slices.Contains(applied, "0027_directory") {
			t.Fatalf("migration : %v %v", applied, err)
		}
		list, err := s.DirectoryEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The example names 10 organizations; the third convention's Caf
		// is another one.
		if len(list) != 11 {
			t.Fatalf("annuaire : %d organisations, attendu 11 : %+v", len(list), list)
		}
		if e := entryNamed(t, s, caf04); !slices.Equal(e.Parties, []string{"ctg-a-2022", "ctg-b-2022"}) {
			t.Errorf("Caf 04 partie à %v", e.Parties)
		}
		epci := entryNamed(t, s, "Communauté de Communes Pays de Forcalquier Montagne de Lure")
		if epci.SIREN != "240400440" || len(epci.Parties) != 3 {
			t.Errorf("EPCI : %+v", epci)
		}
		if e := entryNamed(t, s, "Conseil Départemental"); len(e.Parties) != 0 || len(e.Named) != 3 {
			t.Errorf("le département, nommé sans signer : %+v", e)
		}
		var links int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM organization_links`).Scan(&links); err != nil || links != 30 {
			t.Errorf("%d liens, attendu 30 (%v)", links, err)
		}
	})
}

// An account of an organization holding a role there reads every
// convention its organization is party to, without a grant in each; an
// account of another Caf reads none of them.
func TestOrganizationRoleOpensItsConventionsOnly(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		storeVariant(t, s, "ctg-a-2022", "")
		storeVariant(t, s, "ctg-b-2022", "")
		storeVariant(t, s, "ctg-c-2022", "Caisse d'Allocations Familiales des Hautes-Alpes")
		adviser := &auth.User{Email: "conseillere@caf04.fr", Name: "Conseillère"}
		other := &auth.User{Email: "conseiller@caf05.fr", Name: "Conseiller"}
		for _, u := range []*auth.User{adviser, other} {
			if err := s.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		mine, theirs := entryNamed(t, s, caf04), entryNamed(t, s, "Caisse d'Allocations Familiales des Hautes-Alpes")
		if err := s.SetUserOrganization(ctx, adviser.ID, mine.ID, auth.RoleReader, model.AuditEntry{Action: "set_organization"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetUserOrganization(ctx, other.ID, theirs.ID, auth.RoleContributor, model.AuditEntry{Action: "set_organization"}); err != nil {
			t.Fatal(err)
		}
		// A role granted in one convention prevails over the organization's.
		if err := s.SetMembership(ctx, adviser.ID, auth.Membership{Convention: "ctg-b-2022", Role: auth.RoleEditor}); err != nil {
			t.Fatal(err)
		}
		actor := func(u *auth.User) *auth.Actor {
			t.Helper()
			got, err := s.UserByEmail(ctx, u.Email)
			if err != nil {
				t.Fatal(err)
			}
			if got.Organization == "" || got.OrganizationID == "" {
				t.Errorf("%s : organisation non enregistrée (%+v)", u.Email, got)
			}
			a, err := s.Actor(ctx, got)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		a := actor(adviser)
		if !a.CanRead("ctg-a-2022") || !a.CanRead("ctg-b-2022") || a.CanRead("ctg-c-2022") {
			t.Errorf("conseillère de la Caf 04 : %+v", a.Memberships)
		}
		if m := a.Memberships["ctg-a-2022"]; m.Role != auth.RoleReader || !m.ViaOrganization || m.Organization != "caf04" {
			t.Errorf("rôle tenu de l'organisation : %+v", m)
		}
		if m := a.Memberships["ctg-b-2022"]; m.Role != auth.RoleEditor || m.ViaOrganization {
			t.Errorf("rôle donné dans la convention : %+v", m)
		}
		o := actor(other)
		if o.CanRead("ctg-a-2022") || o.CanRead("ctg-b-2022") || !o.CanRead("ctg-c-2022") {
			t.Errorf("conseiller d'une autre Caf : %+v", o.Memberships)
		}
		if !o.CanEdit("ctg-c-2022", []string{"caf04"}) || o.CanEdit("ctg-c-2022", []string{"cc-pflm"}) {
			t.Error("un contributeur par son organisation agit pour elle seule")
		}
		members, err := s.Members(ctx, "ctg-a-2022")
		if err != nil || len(members) != 1 || members[0].Email != adviser.Email || !members[0].ViaOrganization {
			t.Errorf("membres de ctg-a-2022 : %+v %v", members, err)
		}
		// Without a role, the account belongs to its organization and
		// reads nothing through it.
		if err := s.SetUserOrganization(ctx, other.ID, theirs.ID, "", model.AuditEntry{Action: "set_organization"}); err != nil {
			t.Fatal(err)
		}
		if o := actor(other); len(o.Memberships) != 0 {
			t.Errorf("sans rôle : %+v", o.Memberships)
		}
		if e, err := s.DirectoryEntry(ctx, theirs.ID); err != nil || e.Accounts != 1 {
			t.Errorf("comptes de l'organisation : %+v %v", e, err)
		}
	})
}

// A name corrected in one convention keeps the organization in the
// directory; a SIREN given since identifies it; a re-import keeps it.
func TestOrganizationKeepsItsEntryThroughEdits(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		storeVariant(t, s, "ctg-a-2022", "")
		before := entryNamed(t, s, caf04)
		c, err := s.Convention(ctx, "ctg-a-2022")
		if err != nil {
			t.Fatal(err)
		}
		caf := c.Organizations[0]
		entry := model.AuditEntry{Convention: c.Slug, Action: "update"}
		v, err := s.UpdateRecord(ctx, "organization", caf.ID, caf.Version, map[string]any{"name": "Caf des Alpes-de-Haute-Provence"}, entry)
		if err != nil {
			t.Fatal(err)
		}
		if e := entryNamed(t, s, caf04); e.ID != before.ID || len(e.Parties) != 1 {
			t.Errorf("après correction du nom : %+v (avant %+v)", e, before)
		}
		if _, err := s.UpdateRecord(ctx, "organization", caf.ID, v, map[string]any{"siren": "534086533"}, entry); err != nil {
			t.Fatal(err)
		}
		if e := entryNamed(t, s, caf04); e.ID != before.ID || e.SIREN != "534086533" {
			t.Errorf("après ajout du SIREN : %+v", e)
		}
		c, err = s.Convention(ctx, "ctg-a-2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplaceConvention(ctx, c, model.AuditEntry{Action: "import"}); err != nil {
			t.Fatal(err)
		}
		list, err := s.DirectoryEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 10 {
			t.Errorf("après réimport : %d organisations, attendu 10", len(list))
		}
		if e := entryNamed(t, s, caf04); e.ID != before.ID || !slices.Equal(e.Parties, []string{"ctg-a-2022"}) {
			t.Errorf("après réimport : %+v", e)
		}
	})
}

// The directory read for some kinds holds those only, each with its
// conventions as the whole directory gives them.
func TestDirectoryOfSomeKinds(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		storeVariant(t, s, "ctg-a-2022", "")
		storeVariant(t, s, "ctg-c-2022", "Caisse d'Allocations Familiales des Hautes-Alpes")
		list, err := s.DirectoryEntries(ctx, model.KindCaf, model.KindMSA)
		if err != nil || len(list) != 3 {
			t.Fatalf("Caf et MSA : %+v %v", list, err)
		}
		for _, e := range list {
			if all := entryNamed(t, s, e.Name); e.Kind != model.KindCaf && e.Kind != model.KindMSA || !slices.Equal(e.Parties, all.Parties) {
				t.Errorf("%s (%s) : parties %v, l'annuaire entier dit %v", e.Name, e.Kind, e.Parties, all.Parties)
			}
		}
	})
}
