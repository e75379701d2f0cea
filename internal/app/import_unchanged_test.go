package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/collection"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Sending back the downloaded collection form unchanged writes nothing:
// a validated value stays validated and the audit log does not grow.
// Changed lines are written, labelled with the kind of file they came from.
func TestReimportedFormChangesOnlyWhatChanged(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	value := func(code string) model.Value {
		t.Helper()
		values, err := st.Values(ctx, slug, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if v.Period == "2023" && v.Breakdown == "" {
				return v
			}
		}
		t.Fatalf("pas de valeur %s 2023", code)
		return model.Value{}
	}
	if _, err := svc.LoadDemo(ctx, slug, 1); err != nil {
		t.Fatal(err)
	}
	// The demo values are synthetic: a real value equal to one replaces it.
	demo := value("2.2-1")
	if !demo.Synthetic || demo.Number == nil {
		t.Fatalf("valeur de démonstration attendue : %+v", demo)
	}
	if strings.ContainsAny(demo.Source+demo.Comment, ";\"\n") {
		t.Fatalf("valeur de démonstration à citer dans un CSV : %+v", demo)
	}
	csv := header + fmt.Sprintf("2.2-1;;2023;;%s;;;;%s;%s;\r\n", strings.ReplaceAll(indicators.FormatNumber(*demo.Number), "\u202f", ""), demo.Source, demo.Comment) +
		"2.1-4;;2023;;;Carte publiée;;;;;\r\n"
	if n, err := svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(csv)); err != nil || n != 2 {
		t.Fatalf("import CSV : %d %v", n, err)
	}
	counted := value("2.2-1")
	if counted.Synthetic {
		t.Fatal("la valeur réelle n'a pas remplacé la valeur fictive")
	}
	if h, _ := st.History(ctx, slug, []string{counted.ID}, 1); len(h) != 1 || !strings.HasSuffix(h[0].ObjectLabel, "(import CSV)") {
		t.Errorf("journal de l'import CSV : %+v", h)
	}
	validated, err := svc.ValueAction(ctx, auth.System, slug, counted.ID, counted.Version, app.ActionValidate, "")
	if err != nil {
		t.Fatal(err)
	}

	c, values, err := svc.Values(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	form, err := app.CollectionForm(auth.System, c, values, "", 2023)
	if err != nil {
		t.Fatal(err)
	}
	data, err := form.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Count(ctx)
	if n, err := svc.ImportValuesXLSX(ctx, auth.System, slug, bytes.NewReader(data)); err != nil || n != 0 {
		t.Fatalf("formulaire renvoyé tel quel : %d valeur(s) écrite(s), %v", n, err)
	}
	if after, _ := st.Count(ctx); !maps.Equal(before, after) {
		t.Errorf("le formulaire renvoyé tel quel a écrit : %v → %v", before, after)
	}
	if v := value("2.2-1"); v.State != model.ValueValidated || v.Version != validated.Version {
		t.Errorf("valeur validée après le renvoi du formulaire : %s, version %d", v.State, v.Version)
	}

	// One line changed: only that line is written.
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows(collection.Sheet)
	for i, r := range rows {
		if len(r) > 3 && r[0] == "2.1-4" && r[3] == "2023" {
			if err := book.SetCellValue(collection.Sheet, fmt.Sprintf("G%d", i+1), "Carte publiée et diffusée"); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.ImportValuesXLSX(ctx, auth.System, slug, &buf); err != nil || n != 1 {
		t.Fatalf("formulaire modifié : %d valeur(s) écrite(s), %v", n, err)
	}
	text := value("2.1-4")
	if text.Text != "Carte publiée et diffusée" {
		t.Errorf("texte après import : %q", text.Text)
	}
	if h, _ := st.History(ctx, slug, []string{text.ID}, 1); len(h) != 1 || !strings.HasSuffix(h[0].ObjectLabel, "(formulaire XLSX)") {
		t.Errorf("journal de l'import du formulaire : %+v", h)
	}
	if v := value("2.2-1"); v.State != model.ValueValidated {
		t.Errorf("valeur validée après un formulaire modifié ailleurs : %s", v.State)
	}
}

// A file wrong on every line is told so in a hundred errors and a count of
// the others, not in a page listing every line.
func TestImportListsAHundredErrorsAndCountsTheRest(t *testing.T) {
	svc := apptest.New(t)
	data := "Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\n" + strings.Repeat("9.9-9;2024;;1;;;\n", 300)
	_, err := svc.ImportValuesCSV(context.Background(), auth.System, examples.ForcalquierSlug, strings.NewReader(data))
	var ve *model.ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) != 101 || !strings.Contains(ve.Errors[100].Message, "et 200 autres erreurs") {
		t.Fatalf("erreurs : %v", err)
	}
}
