package app

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ctg-territoires/ctg/internal/store"
)

// Beyond the sign-ins being checked at once, the next is told to come back
// at once instead of waiting behind costly password checks.
func TestSignInBeyondCapacityIsToldToComeBack(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "ctg.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := New(st)
	if err != nil {
		t.Fatal(err)
	}
	for range cap(svc.signingIn) {
		svc.signingIn <- struct{}{}
	}
	if _, _, err := svc.SignIn(ctx, "personne@exemple.fr", "mot de passe", "127.0.0.1"); !errors.Is(err, ErrBusy) {
		t.Fatalf("erreur %v, ErrBusy attendue", err)
	}
	<-svc.signingIn
	if _, _, err := svc.SignIn(ctx, "personne@exemple.fr", "mot de passe", "127.0.0.1"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("erreur %v, ErrBadCredentials attendue", err)
	}
}

func TestAsRoleElidesBeforeAVowel(t *testing.T) {
	for label, want := range map[string]string{"éditeur·rice": "en tant qu'éditeur·rice", "administrateur·rice": "en tant qu'administrateur·rice",
		"lecteur·rice": "en tant que lecteur·rice", "délégué·e à la protection des données": "en tant que délégué·e à la protection des données"} {
		if got := asRole(label); got != want {
			t.Errorf("%s : %q", label, got)
		}
	}
}
