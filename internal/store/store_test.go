package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func forcalquier(t *testing.T) *model.Convention {
	t.Helper()
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMigrateIsIdempotent(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Errorf("migrations rejouées : %v", applied)
		}
	})
}

func TestStoreAndReadBackWholeConvention(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		in := forcalquier(t)
		created, err := s.CreateConvention(ctx, in, model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		if created.ID == "" || created.Version != 1 || created.CreatedAt.IsZero() {
			t.Errorf("métadonnées absentes : %+v", created.Meta)
		}
		if in.ID != "" {
			t.Error("la convention d'entrée a été modifiée")
		}
		got, err := s.Convention(ctx, examples.ForcalquierSlug)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := interchange.Encode(in)
		have, _ := interchange.Encode(got)
		if !bytes.Equal(want, have) {
			t.Fatalf("la convention relue diffère de l'originale :\n%s", firstDiff(string(want), string(have)))
		}
		if got.ID != created.ID || got.Axes[1].Fiches[1].ID != created.Axes[1].Fiches[1].ID {
			t.Error("identifiants instables entre écriture et lecture")
		}
		counts, err := s.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want2 := map[string]int{"conventions": 1, "parties": 6, "representatives": 8, "authorizations": 6, "legal_bases": 11,
			"articles": 14, "annexes": 6, "findings": 22, "axes": 7, "fiches": 7, "equipments": 15, "committees": 2, "contacts": 2}
		for table, n := range want2 {
			if counts[table] != n {
				t.Errorf("%s : %d lignes, %d attendues", table, counts[table], n)
			}
		}
	})
}

func TestDuplicateSlugIsAConflictAndWritesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		if _, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"}); err != nil {
			t.Fatal(err)
		}
		unchangedBy(t, s, func() {
			_, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
			if !errors.Is(err, model.ErrConflict) {
				t.Fatalf("erreur = %v, conflit attendu", err)
			}
		})
	})
}

func TestFailedWriteLeavesDatabaseUnchanged(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		// A party whose organization does not exist violates a foreign key
		// after many rows were already written in the transaction.
		c.Parties = append(c.Parties, model.Party{Organization: "absente", Representatives: []model.Representative{{Name: "X", Title: "Maire"}}})
		unchangedBy(t, s, func() {
			if _, err := s.CreateConvention(ctx, c, model.AuditEntry{Action: "import"}); err == nil {
				t.Fatal("écriture acceptée malgré une référence cassée")
			}
		})
	})
}

func TestReplaceAndList(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		first, err := s.CreateConvention(ctx, forcalquier(t), model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		c := forcalquier(t)
		c.Title = "Titre modifié"
		second, err := s.ReplaceConvention(ctx, c, model.AuditEntry{Action: "import"})
		if err != nil {
			t.Fatal(err)
		}
		if second.ID == first.ID {
			t.Error("le remplacement a gardé l'ancien enregistrement")
		}
		list, err := s.Conventions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Title != "Titre modifié" || list[0].EPCI != "240400440" || list[0].Period.End != model.MustDate("2024-12-31") {
			t.Errorf("liste = %+v", list)
		}
		counts, _ := s.Count(ctx)
		if counts["fiches"] != 7 {
			t.Errorf("%d fiches après remplacement", counts["fiches"])
		}
	})
}

func TestUnknownSlugIsNotFound(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		_, err := s.Convention(context.Background(), "inconnue")
		if !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("erreur = %v", err)
		}
	})
}

// unchangedBy checks that fn leaves every table with the same row count.
func unchangedBy(t *testing.T, s *SQL, fn func()) {
	t.Helper()
	before, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	fn()
	after, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(before, after) {
		t.Errorf("des lignes ont été écrites : %v → %v", before, after)
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("ligne %d :\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return "longueurs différentes"
}

// TestListCarriesWhatTheStateNeeds checks that the list of conventions
// holds the signature date and each party's authorization date, so that
// the list page computes every convention's state without reading each.
func TestListCarriesWhatTheStateNeeds(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		c := forcalquier(t)
		if _, err := s.CreateConvention(ctx, c, model.AuditEntry{Action: "import"}); err != nil {
			t.Fatal(err)
		}
		draft := forcalquier(t)
		draft.Slug, draft.Signature.Date, draft.Parties = "projet", nil, draft.Parties[:2]
		draft.Parties[0].Authorization = nil
		if _, err := s.CreateConvention(ctx, draft, model.AuditEntry{Action: "import"}); err != nil {
			t.Fatal(err)
		}
		list, err := s.Conventions(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("liste = %+v, %v", list, err)
		}
		signed, unsigned := list[0], list[1]
		if signed.SignedOn == nil || *signed.SignedOn != model.MustDate("2022-11-09") {
			t.Errorf("date de signature = %v", signed.SignedOn)
		}
		if len(signed.Authorizations) != 6 || signed.Authorizations[0] == nil || *signed.Authorizations[0] != model.MustDate("2022-12-06") || signed.Authorizations[1] != nil {
			t.Errorf("délibérations = %v", signed.Authorizations)
		}
		if unsigned.SignedOn != nil || len(unsigned.Authorizations) != 2 || unsigned.Authorizations[0] != nil || unsigned.Authorizations[1] != nil {
			t.Errorf("projet : signature %v, délibérations %v", unsigned.SignedOn, unsigned.Authorizations)
		}
	})
}

// A server starting on a database already up to date reads the applied
// migrations once rather than checking each in a transaction of its own.
func TestMigrateAnUpToDateDatabaseInOneQuery(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ctg.db")
	first := openTest(t, path)
	first.Close()
	var n atomic.Int64
	s, err := OpenCounting(ctx, path, &n)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := n.Load()
	applied, err := s.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("migrations rejouées : %v %v", applied, err)
	}
	if got := n.Load() - before; got > 2 {
		t.Errorf("%d requêtes pour vérifier une base à jour, 2 au plus attendues (création de la table si absente, lecture des versions)", got)
	}
}
