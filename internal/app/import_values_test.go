package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/app"
	"github.com/ctg-territoires/ctg/internal/app/apptest"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/collection"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

const header = "\uFEFFCode;Indicateur;Période;Ventilation;Valeur;Texte;État;Organisation;Source;Commentaire;Fictive\r\n"

func TestImportValuesCSV(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	if _, err := svc.RemoveDemo(ctx, slug); err != nil {
		t.Fatal(err)
	}
	good := header + "2.2-1;Le nombre de personnes contactées;2023;;1 254;;;;fichier Caf;;\r\n" +
		"2.2-3;Le montant moyen;2023;;312,50;;;;;;\r\n" +
		"2.1-4;La carte;2023;;;Carte publiée en mairie;;;;;\r\n"
	n, err := svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(good))
	if err != nil || n != 3 {
		t.Fatalf("import : %d %v", n, err)
	}
	values, _ := st.Values(ctx, slug, "")
	byCode := map[string]model.Value{}
	for _, v := range values {
		byCode[v.Indicator] = v
	}
	if *byCode["2.2-1"].Number != 1254 || *byCode["2.2-3"].Number != 312.5 || byCode["2.1-4"].Text != "Carte publiée en mairie" || byCode["2.2-1"].State != model.ValueDraft {
		t.Errorf("valeurs importées : %+v", byCode)
	}
	// A second import corrects the existing values instead of duplicating them.
	if n, err := svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(header+"2.2-1;;2023;;1300;;;;;;\r\n")); err != nil || n != 1 {
		t.Fatalf("correction : %d %v", n, err)
	}
	if v, _ := st.Values(ctx, slug, "2.2-1"); len(v) != 1 || *v[0].Number != 1300 {
		t.Errorf("après correction : %+v", v)
	}
	counts, _ := st.Count(ctx)
	bad := header + "2.2-1;;2024;;12;;;;;;\r\n" + // fine, but the file has errors below: nothing is written
		"9.9-9;;2024;;12;;;;;;\r\n" +
		"2.2-2;;2031;;12;;;;;;\r\n" +
		"2.2-1;;2024;;douze;;;;;;\r\n" +
		"2.1-4;;2024;;;;;;;;\r\n" +
		"2.2-1;;2024;commune=04088;3;;;;;;\r\n"
	_, err = svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(bad))
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("fichier fautif accepté : %v", err)
	}
	want := []string{"ligne 3, colonne Code", "ligne 4, colonne Période", "ligne 5, colonne Période", "ligne 6, colonne Texte", "ligne 7, colonne Ventilation"}
	got := map[string]bool{}
	for _, fe := range ve.Errors {
		got[fe.Path] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("%s non signalé ; erreurs : %v", w, ve.Errors)
		}
	}
	after, _ := st.Count(ctx)
	if !maps.Equal(counts, after) {
		t.Errorf("des lignes ont été écrites malgré les erreurs : %v → %v", counts, after)
	}
	if _, err := svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader("Code,Période\n2.2-1,2024\n")); err == nil || !strings.Contains(err.Error(), "Valeur") {
		t.Errorf("colonnes manquantes : %v", err)
	}
}

func FuzzImportValuesCSV(f *testing.F) {
	f.Add([]byte(header + "2.2-1;;2023;;12;;;;;;\r\n"))
	f.Add([]byte("Code,Période,Ventilation,Valeur,Texte,Source,Commentaire\n\"2.2-1\",2023,,\"1,5\",,,\n"))
	f.Add([]byte("\"unterminated"))
	// With -fuzz, every worker is a process of its own that runs this
	// function: each opens its own database, once, at its first input, so
	// workers do not contend for one file and the coordinating process
	// (which runs no input) pays no set-up. No input runs under a deadline.
	dir := f.TempDir()
	var (
		once    sync.Once
		st      *store.SQL
		svc     *app.Service
		openErr error
	)
	f.Cleanup(func() {
		if st != nil {
			st.Close()
		}
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		once.Do(func() { st, svc, openErr = openFuzzService(filepath.Join(dir, "ctg.db")) })
		if openErr != nil {
			t.Fatal(openErr)
		}
		_, err := svc.ImportValuesCSV(context.Background(), auth.System, examples.ForcalquierSlug, strings.NewReader(string(data)))
		var ve *model.ValidationError
		if err != nil && !errors.As(err, &ve) && !errors.Is(err, model.ErrConflict) {
			t.Fatalf("erreur non structurée : %v", err)
		}
	})
}

// openFuzzService is apptest.New without a testing.TB, for a store that
// outlives the input that opened it.
func openFuzzService(path string) (*store.SQL, *app.Service, error) {
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	var svc *app.Service
	_, err = st.Migrate(ctx)
	if err == nil {
		svc, err = app.New(st)
	}
	if err == nil {
		_, err = svc.LoadExampleIfEmpty(ctx)
	}
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, svc, nil
}

func TestCollectionFormRoundTrip(t *testing.T) {
	svc, st := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	c, values, err := svc.Values(ctx, auth.System, slug)
	if err != nil {
		t.Fatal(err)
	}
	form, err := app.CollectionForm(auth.System, c, values, "", 2022)
	if err != nil {
		t.Fatal(err)
	}
	data, err := form.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows(collection.Sheet)
	lineOf := func(code string) int {
		for i, r := range rows {
			if len(r) > 0 && r[0] == code {
				return i + 1
			}
		}
		t.Fatalf("%s absent du formulaire", code)
		return 0
	}
	fill := func(cell string, v any) {
		if err := book.SetCellValue(collection.Sheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	fill(fmt.Sprintf("F%d", lineOf("2.2-1")), 254)
	fill(fmt.Sprintf("G%d", lineOf("2.1-4")), "Carte publiée")
	broken := fmt.Sprintf("F%d", lineOf("2.2-2"))
	fill(broken, "beaucoup")
	var buf bytes.Buffer
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	before, _ := st.Count(ctx)
	_, err = svc.ImportValuesXLSX(ctx, auth.System, slug, bytes.NewReader(buf.Bytes()))
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "cellule "+broken+" (Valeur)") {
		t.Fatalf("cellule fautive non signalée : %v", err)
	}
	if after, _ := st.Count(ctx); !maps.Equal(before, after) {
		t.Error("un formulaire fautif a écrit des lignes")
	}
	fill(broken, 37)
	buf.Reset()
	if err := book.Write(&buf); err != nil {
		t.Fatal(err)
	}
	n, err := svc.ImportValuesXLSX(ctx, auth.System, slug, bytes.NewReader(buf.Bytes()))
	if err != nil || n != 3 {
		t.Fatalf("import : %d %v", n, err)
	}
	values, _ = st.Values(ctx, slug, "2.2-1")
	found := false
	for _, v := range values {
		found = found || (v.Period == "2022" && *v.Number == 254 && v.State == model.ValueDraft && !v.Synthetic)
	}
	if !found {
		t.Errorf("valeur 2.2-1 2022 : %+v", values)
	}
}

// A value's texts are bounded as the convention's fields are, and its
// number to what is kept exactly: by the form and by a file alike.
func TestValueTextsAndNumbersAreBounded(t *testing.T) {
	svc, _ := apptest.NewWithStore(t)
	ctx := context.Background()
	slug := examples.ForcalquierSlug
	for _, c := range []struct {
		in   app.ValueInput
		want string
	}{
		{app.ValueInput{Period: "2023", Number: "12", Comment: strings.Repeat("c", 50001)}, "commentaire : 50000 caractères au plus (50001 saisis)"},
		{app.ValueInput{Period: "2023", Number: "12", Source: strings.Repeat("s", 1001)}, "source : 1000 caractères au plus (1001 saisis)"},
		{app.ValueInput{Period: "2023", Number: "99999999999999999999999"}, "nombre trop grand"},
		{app.ValueInput{Period: "2023", Number: "1e308"}, "nombre trop grand"},
	} {
		if _, err := svc.SaveValue(ctx, auth.System, slug, "2.2-1", c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.40v : %v, attendu « %s »", c.in, err, c.want)
		}
	}
	if _, err := svc.SaveValue(ctx, auth.System, slug, "2.2-1", app.ValueInput{Period: "2023", Number: "1000000000000000", Comment: strings.Repeat("c", 50000)}); err != nil {
		t.Errorf("aux bornes : %v", err)
	}
	_, err := svc.ImportValuesCSV(ctx, auth.System, slug, strings.NewReader(header+"2.2-3;;2023;;12;;;;;"+strings.Repeat("c", 50001)+";\r\n"))
	if err == nil || !strings.Contains(err.Error(), "50000 caractères au plus") {
		t.Errorf("import d'un commentaire trop long : %v", err)
	}
}
