package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

func TestArchiveTravelsFromOneDatabaseToAnother(t *testing.T) {
	dir := t.TempDir()
	from, to := filepath.Join(dir, "origine.db"), filepath.Join(dir, "destination.db")
	if code, _, errs := run(t, "", "import", "--db", from, exampleFile(t)); code != 0 {
		t.Fatal(errs)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := app.New(st)
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% original signé\n")
	if _, err := svc.AttachDocument(ctx, auth.System, examples.ForcalquierSlug, app.DocumentInput{OwnerKind: model.OwnerConvention,
		Name: "original.pdf", Content: bytes.NewReader(pdf)}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	if code, _, errs := run(t, "", "export", "--db", from, "--archive"); code == 0 || !strings.Contains(errs, "-o") {
		t.Errorf("archive sans -o : code %d, %q", code, errs)
	}
	if code, _, errs := run(t, "", "export", "--db", from, "--archive", "--at", "2023-01-01", "-o", filepath.Join(dir, "x.zip")); code == 0 || !strings.Contains(errs, "--at") {
		t.Errorf("archive à une date : code %d, %q", code, errs)
	}
	// The archive is told from its bytes, whatever its name.
	archive := filepath.Join(dir, "sauvegarde.ctg")
	if code, _, errs := run(t, "", "export", "--db", from, "--archive", "-o", archive); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := run(t, "", "import", "--db", to, archive)
	if code != 0 || out != examples.ForcalquierSlug+"\n" || !strings.Contains(errs, "1 document(s) importé(s)") {
		t.Fatalf("import de l'archive : code %d, %q, %q", code, out, errs)
	}
	copied := filepath.Join(dir, "copie.zip")
	if code, _, errs := run(t, "", "export", "--db", to, "--archive", "-o", copied); code != 0 {
		t.Fatal(errs)
	}
	a, _ := os.ReadFile(archive)
	b, _ := os.ReadFile(copied)
	if !bytes.Equal(a, b) {
		t.Error("l'archive réexportée diffère de l'archive importée")
	}

	// A YAML file describing documents says it leaves them out.
	yaml := filepath.Join(dir, "convention.yaml")
	if code, _, errs := run(t, "", "export", "--db", from, "-o", yaml); code != 0 {
		t.Fatal(errs)
	}
	code, _, errs = run(t, "", "import", "--db", filepath.Join(dir, "troisieme.db"), yaml)
	if code != 0 || !strings.Contains(errs, "attention : 1 document(s) décrit(s) dans le fichier non importé(s)") {
		t.Errorf("import du YAML avec documents : code %d, %q", code, errs)
	}
}
