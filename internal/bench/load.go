package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// AdminEmail is the platform administrator the benchmark signs in as.
const AdminEmail = "admin@ctg.localhost"

// DB is an open benchmark database: the store and the service over it.
type DB struct {
	Store   store.Store
	Service *app.Service
	close   func() error
}

// OpenDB opens (and migrates) the database at dsn.
func OpenDB(ctx context.Context, dsn string) (*DB, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	svc, err := app.New(st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &DB{Store: st, Service: svc, close: st.Close}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.close() }

// EnsureAdmin creates the platform administrator with that password,
// unless an account with its address exists.
func (d *DB) EnsureAdmin(ctx context.Context, password string) error {
	if _, err := d.Store.UserByEmail(ctx, AdminEmail); !errors.Is(err, model.ErrNotFound) {
		return err
	}
	_, err := d.Service.AddUser(ctx, app.NewUser{Email: AdminEmail, Name: "Administration de la mesure", Password: password, PlatformAdmin: true})
	return err
}

// Token creates an API token of the platform administrator.
func (d *DB) Token(ctx context.Context) (string, error) {
	a, err := d.Service.ActorByEmail(ctx, AdminEmail)
	if err != nil {
		return "", err
	}
	token, _, err := d.Service.CreateToken(ctx, a, "mesure")
	return token, err
}

// Load writes the conventions [from, to) of ds through the service's
// import, as `ctg import` does, then their synthetic values (one audit
// entry per convention, as `ctg demo`), the account of each coordinator
// (administrator of the convention, waiting for its invitation) and the
// role of the Caf adviser of its département.
func (d *DB) Load(ctx context.Context, ds *Dataset, from, to int) error {
	for i := from; i < to && i < len(ds.Conventions); i++ {
		g := ds.Conventions[i]
		data, err := interchange.Encode(g.Convention)
		if err != nil {
			return err
		}
		if _, err := d.Service.Import(ctx, data, false); err != nil {
			return fmt.Errorf("convention %s : %w", g.Convention.Slug, err)
		}
		entry := model.AuditEntry{Convention: g.Convention.Slug, Actor: auth.System.Name, Action: "demo", ObjectType: "values",
			ObjectID: g.Convention.Slug, ObjectLabel: "Valeurs d'indicateurs fictives (jeu national de mesure)",
			After: map[string]string{"values": fmt.Sprint(len(g.Values))}}
		if _, err := d.Store.InsertValues(ctx, g.Values, entry); err != nil {
			return fmt.Errorf("valeurs de %s : %w", g.Convention.Slug, err)
		}
		if err := d.account(ctx, g.Coordinator, auth.Membership{Convention: g.Convention.Slug, Role: auth.RoleAdmin}); err != nil {
			return err
		}
		if err := d.account(ctx, Adviser(g.Departement), auth.Membership{Convention: g.Convention.Slug, Role: auth.RoleEditor}); err != nil {
			return err
		}
	}
	return nil
}

// account gives the account with that e-mail a role, creating it first
// (waiting for its invitation) when it does not exist.
func (d *DB) account(ctx context.Context, email string, m auth.Membership) error {
	if _, err := d.Store.UserByEmail(ctx, email); errors.Is(err, model.ErrNotFound) {
		if _, err := d.Service.CreateAccount(ctx, auth.System, app.NewAccount{Email: email}); err != nil {
			return fmt.Errorf("compte %s : %w", email, err)
		}
	} else if err != nil {
		return err
	}
	if err := d.Service.Grant(ctx, auth.System, email, m); err != nil {
		return fmt.Errorf("rôle de %s dans %s : %w", email, m.Convention, err)
	}
	return nil
}

// WriteFiles writes each convention of ds in the interchange format to
// dir, as SLUG.yaml, and returns how many it wrote.
func WriteFiles(ds *Dataset, dir string) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	for i, g := range ds.Conventions {
		data, err := interchange.Encode(g.Convention)
		if err != nil {
			return i, err
		}
		if err := os.WriteFile(filepath.Join(dir, g.Convention.Slug+".yaml"), data, 0o644); err != nil {
			return i, err
		}
	}
	return len(ds.Conventions), nil
}
