package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/store"
)

func TestExportAtADateWritesTheVersionThenInForce(t *testing.T) {
	for name, db := range databases(t) {
		t.Run(name, func(t *testing.T) {
			if code, _, errs := run(t, "", "import", "--db", db, exampleFile(t)); code != 0 {
				t.Fatal(errs)
			}
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			svc, err := app.New(st)
			if err != nil {
				t.Fatal(err)
			}
			x, err := svc.PrepareAmendment(ctx, auth.System, examples.ForcalquierSlug, "Durée")
			if err != nil {
				t.Fatal(err)
			}
			wc, err := svc.Convention(ctx, auth.System, x.WorkingCopy)
			if err != nil {
				t.Fatal(err)
			}
			art := wc.Articles[9]
			if _, _, err := svc.Edit(ctx, auth.System, x.WorkingCopy, "article", art.ID, art.Version, map[string]string{"text": "Durée prolongée jusqu'en 2025."}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.SignAmendment(ctx, auth.System, examples.ForcalquierSlug, 1, app.SignatureInput{SignedOn: "2023-03-01", EffectiveOn: "2023-04-01"}); err != nil {
				t.Fatal(err)
			}
			st.Close()
			for at, amended := range map[string]bool{"2023-03-31": false, "2023-04-01": true} {
				code, out, errs := run(t, "", "export", "--db", db, "--at", at)
				if code != 0 || strings.Contains(out, "Durée prolongée") != amended {
					t.Errorf("export au %s : code %d, texte de l'avenant %v, %v attendu %s", at, code, !amended, amended, errs)
				}
			}
			if code, _, errs := run(t, "", "export", "--db", db, "--at", "2023-02-30"); code == 0 || !strings.Contains(errs, "AAAA-MM-JJ") {
				t.Errorf("date invalide : code %d, %q", code, errs)
			}
		})
	}
}
