package collection

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

func form() Form {
	return Form{Convention: "ctg", Organization: "caf", OrganizationName: "Caf", Year: 2024, Entries: []indicators.Entry{
		{Indicator: model.Indicator{Code: "2.2-1", Label: "Personnes contactées", Unit: "count", Periodicity: "year"}, Fiche: "2.2"},
		{Indicator: model.Indicator{Code: "2.1-4", Label: "La carte", Unit: "text"}, Fiche: "2.1"},
		{Indicator: model.Indicator{Code: "2.1-3", Label: "Rdv téléphoniques", Unit: "count", Periodicity: "quarter"}, Fiche: "2.1"},
	}}
}

func TestTemplateFilledAndReadBack(t *testing.T) {
	data, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(Sheet)
	// Title, header, 1 yearly line, 1 text line, 4 quarterly lines.
	if len(rows) != 8 || rows[2][0] != "2.2-1" || rows[4][3] != "2024-T1" || rows[7][3] != "2024-T4" {
		t.Fatalf("lignes du formulaire : %v", rows)
	}
	if locked, err := x.GetSheetProtection(Sheet); err != nil || !locked.SelectUnlockedCells {
		t.Errorf("feuille non protégée : %v %+v", err, locked)
	}
	dvs, _ := x.GetDataValidations(Sheet)
	if len(dvs) != 5 {
		t.Errorf("%d validations de données, 5 attendues (une par valeur numérique)", len(dvs))
	}
	_ = x.SetCellValue(Sheet, "F3", 254)
	_ = x.SetCellValue(Sheet, "G4", "Carte publiée")
	_ = x.SetCellValue(Sheet, "F5", 31)
	_ = x.SetCellValue(Sheet, "H5", "agenda")
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	read, err := ReadXLSX(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 3 || read[0].Get("Valeur") != "254" || read[1].Get("Texte") != "Carte publiée" || read[2].Get("Source") != "agenda" || read[2].Line != 5 {
		t.Errorf("lignes lues : %+v", read)
	}
	if CellOf(5, "Valeur") != "cellule F5 (Valeur)" {
		t.Errorf("CellOf = %s", CellOf(5, "Valeur"))
	}
}

func TestUnreadableFiles(t *testing.T) {
	for name, data := range map[string][]byte{
		"pas un classeur": []byte("bonjour"),
		"autre classeur":  func() []byte { x := excelize.NewFile(); var b bytes.Buffer; _ = x.Write(&b); return b.Bytes() }(),
	} {
		_, err := ReadXLSX(data)
		var ve *model.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Error(), "fichier") {
			t.Errorf("%s : %v", name, err)
		}
	}
}

func FuzzReadXLSX(f *testing.F) {
	data, _ := form().XLSX()
	f.Add(data)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ReadXLSX(data)
		var ve *model.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("erreur non structurée : %v", err)
		}
		for _, r := range rows {
			if r.Line < 3 {
				t.Fatalf("ligne %d", r.Line)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("Code;Période;Ventilation;Valeur;Texte;Source;Commentaire\r\n2.2-1;2024;;12;;;\r\n"))
	f.Add([]byte("\"a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ReadCSV(data)
		var ve *model.ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("erreur non structurée : %v", err)
		}
	})
}

func TestCSVWithInvalidTextIsRefused(t *testing.T) {
	for name, data := range map[string]string{
		"Latin-1": "Code;Période;Valeur\n2.2-1;2024;\xe9t\xe9\n",
		"NUL":     "Code;Période;Valeur\n2.2-1;2024;1\x00\n",
	} {
		_, err := ReadCSV([]byte(data))
		if err == nil || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("%s : %v", name, err)
		}
	}
}

func TestCSVProblemsAreSaidInFrench(t *testing.T) {
	_, err := ReadCSV([]byte("Code;Période;Valeur\n2.2-1;2024;1\"2\n"))
	if err == nil || !strings.Contains(err.Error(), "guillemet") || strings.Contains(err.Error(), "bare") {
		t.Errorf("guillemet isolé : %v", err)
	}
	long := "Code;Période;Valeur\n" + strings.Repeat("2.2-1;2024;1\n", MaxFormRows+1)
	if _, err := ReadCSV([]byte(long)); err == nil || !strings.Contains(err.Error(), "trop long") {
		t.Errorf("fichier de %d lignes : %v", MaxFormRows+1, err)
	}
}

// A values file too wide — a line longer than any a spreadsheet writes,
// or with more columns than a form has — is refused by its line before
// the reader holds its fields; a file too long at its first line too many.
func TestCSVTooWideRefusedByLine(t *testing.T) {
	header := strings.Join(Columns, ";") + "\n"
	for name, tc := range map[string]struct {
		data, want string
	}{
		"ligne interminable":    {header + "4.1-1;2024;;" + strings.Repeat("1", maxCSVLine) + "\n", "ligne 2 : ligne trop longue"},
		"trop de colonnes":      {header + strings.Repeat(";", maxCSVFields) + "\n", "ligne 2 : trop de colonnes"},
		"trop de lignes":        {header + strings.Repeat("x\n", MaxFormRows), "fichier : fichier trop long"},
		"caractère de contrôle": {header + "4.1-1;2024;;54;;;cloche\a\n", "ligne 2 : colonne 7 : caractère de contrôle"},
	} {
		_, err := ReadCSV([]byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s : %v, attendu « %s »", name, err, tc.want)
		}
	}
}
