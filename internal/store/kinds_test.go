package store

import (
	"context"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/edit"
	"github.com/ctg-territoires/ctg/internal/model"
)

// sampleText returns a form value for a field, different from what the
// bundled convention holds.
func sampleText(c *model.Convention, f edit.Field) string {
	switch f.Name {
	case "targets":
		return "2024 = 12,5"
	case "composition":
		return "Pour la Caf : caf04 = le directeur"
	}
	switch f.Widget {
	case edit.Date:
		return "2023-04-05"
	case edit.Number:
		return "7"
	case edit.Lines:
		return "un\ndeux"
	case edit.Select, edit.OrgList:
		opts := f.Options(c)
		return opts[len(opts)-1].Value
	}
	return "valeur modifiée é " + f.Name
}

// Every field of every editable kind is written by the store and read
// back as it was set, through an update and through a creation, on both
// databases.
func TestEveryEditableFieldRoundTrips(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range edit.Kinds {
			rk, err := kindNamed(k.Name)
			if err != nil {
				t.Fatal(err)
			}
			var id string
			if err := s.read.QueryRowContext(ctx, "SELECT id FROM "+rk.table+" ORDER BY position, id LIMIT 1").Scan(&id); err != nil {
				if k.Name != "convention" && k.Name != "authorization" {
					t.Fatalf("%s : %v", k.Name, err)
				}
				id = c.ID
				if k.Name == "authorization" {
					id = c.Parties[0].Authorization.ID
				}
			}
			tg, ok := k.Find(c, id)
			if !ok {
				t.Fatalf("%s %s introuvable", k.Name, id)
			}
			values := map[string]string{}
			for _, f := range k.Fields {
				values[f.Name] = sampleText(c, f)
			}
			ch, verr := k.Apply(tg, values)
			if verr != nil {
				t.Fatalf("%s : %v", k.Name, verr)
			}
			want := k.Snapshot(tg)
			if _, err := s.UpdateRecord(ctx, k.Name, id, tg.Meta.Version, ch.Fields, model.AuditEntry{Action: "update"}, ch.CopyIDs...); err != nil {
				t.Fatalf("%s : %v", k.Name, err)
			}
			c, err = s.Convention(ctx, c.Slug)
			if err != nil {
				t.Fatal(err)
			}
			back, _ := k.Find(c, id)
			got := k.Snapshot(back)
			for name, v := range want {
				if got[name] != v {
					t.Errorf("%s.%s : relu %q, écrit %q", k.Name, name, got[name], v)
				}
			}
			if k.Create != nil {
				created := createSample(t, s, c, k)
				c, _ = s.Convention(ctx, c.Slug)
				back, ok := k.Find(c, created.id)
				if !ok {
					t.Fatalf("%s créé introuvable", k.Name)
				}
				for name, v := range created.values {
					if got := k.SnapshotNew(back)[name]; got != v {
						t.Errorf("%s créé, %s : relu %q, écrit %q", k.Name, name, got, v)
					}
				}
			}
		}
	})
}

type created struct {
	id     string
	values map[string]string
}

// createSample adds a record of kind k under the first parent record of
// its parent kind, with every field set.
func createSample(t *testing.T, s *SQL, c *model.Convention, k *edit.Kind) created {
	t.Helper()
	ctx := context.Background()
	parentKind, _ := edit.Lookup(k.Create.Parent)
	pk, _ := kindNamed(parentKind.Name)
	parentID := c.ID
	if parentKind.Name != "convention" {
		if err := s.read.QueryRowContext(ctx, "SELECT id FROM "+pk.table+" ORDER BY position, id LIMIT 1").Scan(&parentID); err != nil {
			t.Fatal(err)
		}
	}
	parent, _ := parentKind.Find(c, parentID)
	tg, err := k.Add(c, parent)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, f := range k.CreateFields() {
		values[f.Name] = sampleText(c, f)
	}
	// A code, key or number not yet used.
	if first := k.CreateFields()[0]; first.Widget == edit.Number {
		values[first.Name] = "99"
	} else {
		values[first.Name] = "9.9"
	}
	if verr := k.ApplyNew(tg, values); verr != nil {
		t.Fatalf("%s : %v", k.Name, verr)
	}
	fields := map[string]any{}
	for _, f := range k.CreateFields() {
		fields[f.Name] = f.Value(tg.Object)
	}
	id, err := s.InsertRecord(ctx, k.Name, parentID, fields, model.AuditEntry{Action: "create"})
	if err != nil {
		t.Fatalf("%s : %v", k.Name, err)
	}
	return created{id, k.SnapshotNew(tg)}
}

// Two requests creating an indicator with the same code, even at the same
// time, leave one indicator with that code: the schema refuses the second.
func TestIndicatorCodeIsUniqueInTheSchema(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		fiches := []string{c.Axes[0].Fiches[0].ID, c.Axes[1].Fiches[0].ID}
		errs := make(chan error, 6)
		for i := range 6 {
			go func() {
				_, err := s.InsertRecord(ctx, "indicator", fiches[i%2], map[string]any{"code": "9.9-1", "label": "Nouvel indicateur"},
					model.AuditEntry{Action: "create"})
				errs <- err
			}()
		}
		ok := 0
		for range 6 {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case !strings.Contains(err.Error(), model.ErrConflict.Error()):
				t.Errorf("erreur inattendue : %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d créations réussies, 1 attendue", ok)
		}
		// The mentions of one indicator in the text keep sharing a code.
		if _, err := s.Convention(ctx, c.Slug); err != nil {
			t.Fatal(err)
		}
	})
}
