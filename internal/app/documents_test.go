package app_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

var pdf = []byte("%PDF-1.4\n%%EOF\n")

// Each kind of owner is checked before anything is written: a party must
// be one of the convention's, an avenant or an act one that is recorded.
func TestDocumentOwnersAreChecked(t *testing.T) {
	ctx := context.Background()
	svc, st := apptest.NewWithStore(t)
	const slug = examples.ForcalquierSlug
	cases := []struct {
		kind model.OwnerKind
		key  string
		ok   bool
	}{
		{model.OwnerConvention, "", true},
		{model.OwnerConvention, "limans", false},
		{"", "", true},
		{model.OwnerAuthorization, "limans", true},
		{model.OwnerAuthorization, "cordeliere", false},
		{model.OwnerAuthorization, "", false},
		{model.OwnerAmendment, "1", false},
		{model.OwnerAmendment, "0", false},
		{model.OwnerAmendment, "01", false},
		{model.OwnerAmendment, "un", false},
		{model.OwnerAct, "9f86d081884c7d65", false},
		{model.OwnerAct, app.ActTermination, false},
		{model.OwnerAct, "", false},
		{model.OwnerAct, "../x", false},
		{"annexe", "2", false},
	}
	written := 0
	for _, c := range cases {
		_, err := svc.AttachDocument(ctx, auth.System, slug, app.DocumentInput{OwnerKind: c.kind, OwnerKey: c.key, Name: "piece.pdf", Content: bytes.NewReader(pdf)})
		var ve *model.ValidationError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s « %s » : %v", c.kind, c.key, err)
		case c.ok:
			written++
		case !errors.As(err, &ve) || !strings.HasPrefix(ve.Errors[0].Path, "owner_"):
			t.Errorf("%s « %s » : %v, refus attendu", c.kind, c.key, err)
		}
	}
	if n, _ := st.Count(ctx); n["documents"] != written {
		t.Errorf("%d document(s) enregistré(s), %d attendu(s)", n["documents"], written)
	}
	// Once avenant n° 1 is prepared, the signed avenant can be attached to it.
	if _, err := svc.PrepareAmendment(ctx, auth.System, slug, "Fiches des axes 5 et 6"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachDocument(ctx, auth.System, slug, app.DocumentInput{OwnerKind: model.OwnerAmendment, OwnerKey: "1",
		Name: "avenant-1.pdf", Content: bytes.NewReader(pdf)}); err != nil {
		t.Errorf("avenant signé refusé : %v", err)
	}
	// Once a termination is recorded, its letters can be attached to it.
	if _, err := svc.RecordTermination(ctx, auth.System, slug, app.TerminationInput{Mode: string(model.TerminationMutualConsent),
		Sender: "cc-pflm", LetterOn: "2023-03-01", ReceivedOn: "2023-03-03"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachDocument(ctx, auth.System, slug, app.DocumentInput{OwnerKind: model.OwnerAct, OwnerKey: app.ActTermination,
		Name: "lettre.pdf", Content: bytes.NewReader(pdf)}); err != nil {
		t.Errorf("lettre de résiliation refusée : %v", err)
	}
	long := strings.Repeat("t", app.MaxDocumentTitle+1)
	if _, err := svc.AttachDocument(ctx, auth.System, slug, app.DocumentInput{Name: "a.pdf", Title: long, Content: bytes.NewReader(pdf)}); err == nil {
		t.Error("titre trop long accepté")
	}
	if _, err := svc.AttachDocument(ctx, auth.System, slug, app.DocumentInput{Name: "vide.pdf", Content: bytes.NewReader(nil)}); err == nil {
		t.Error("fichier vide accepté")
	}
}
