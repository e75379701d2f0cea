package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestCellNames(t *testing.T) {
	for col, name := range map[int]string{1: "A", 26: "Z", 27: "AA", 52: "AZ", 703: "AAA", MaxColumns: "XFD"} {
		if got := ColumnName(col); got != name {
			t.Errorf("ColumnName(%d) = %s, %s attendu", col, got, name)
		}
		if c, r, ok := parseRef(name + "12"); !ok || c != col || r != 12 {
			t.Errorf("parseRef(%s12) = %d, %d, %v", name, c, r, ok)
		}
	}
	for _, bad := range []string{"", "A", "12", "A0", "XFE1", "A1048577", "A1B", "É1"} {
		if _, _, ok := parseRef(bad); ok {
			t.Errorf("parseRef(%q) accepté", bad)
		}
	}
}

// book writes a workbook with what ctg's exports use.
func book(t *testing.T) []byte {
	t.Helper()
	w := New()
	w.Title, w.Creator, w.Language = "Collecte 2024 — Caf", "ctg", "fr-FR"
	header := w.AddStyle(Style{Bold: true, Fill: "DDDDDD"})
	open := w.AddStyle(Style{Fill: "FFF8DC", Unlocked: true, Wrap: true})
	s := w.AddSheet("Saisie")
	s.SetRow(1, "Code", "Valeur", "Texte", "Source", "Vide", "Booléen")
	s.SetRow(2, "2.2-1", 254, `=HYPERLINK("http://exemple.invalid";"Cliquez")`, "@SUM(1+1)", "", true)
	s.SetRow(3, "2.2-2", 12.5, "  deux lignes\net une espace  ", "+1", nil, false)
	s.SetRow(5, "2.2-3", -0.1, "_x0041_ reste _x005F_x0042_ tel quel", "<&>\"'", "", 0.30000000000000004)
	s.SetStyle(1, 1, 6, 1, header)
	s.SetStyle(2, 2, 4, 6, open)
	s.SetColWidth(1, 1, 9)
	s.SetColWidth(2, 3, 60)
	s.FreezeRows(1)
	s.Protect()
	s.AddValidation(Validation{Ref: "B2", Whole: true, Max: 1e9, ErrorTitle: "Valeur refusée", Error: "Saisissez un nombre entier positif."})
	s.AddValidation(Validation{Ref: "B3:B5", Max: 100, ErrorTitle: "Valeur refusée", Error: "Saisissez un pourcentage entre 0 et 100."})
	w.AddSheet("À lire").SetRow(1, "Année", 2024)
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// What the writer produces is read back by another XLSX library: sheets,
// values and their types, styles, protection, validations, panes, widths
// and properties.
func TestWrittenWorkbookReadByExcelize(t *testing.T) {
	data := book(t)
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(x.GetSheetList(), ","); got != "Saisie,À lire" {
		t.Errorf("feuilles : %s", got)
	}
	for cell, want := range map[string]string{
		"A1": "Code", "B2": "254", "C2": `=HYPERLINK("http://exemple.invalid";"Cliquez")`, "D2": "@SUM(1+1)", "F2": "1",
		"B3": "12.5", "C3": "  deux lignes\net une espace  ", "D3": "+1", "F3": "0",
		"B5": "-0.1", "C5": "_x0041_ reste _x005F_x0042_ tel quel", "D5": "<&>\"'", "F5": "0.30000000000000004", "E2": "", "A4": "",
	} {
		value, err := x.GetCellValue("Saisie", cell, excelize.Options{RawCellValue: true})
		formula, _ := x.GetCellFormula("Saisie", cell)
		if err != nil || value != want || formula != "" {
			t.Errorf("%s : valeur %q, formule %q (%v), %q attendu", cell, value, formula, err, want)
		}
	}
	for cell, want := range map[string]excelize.CellType{"A1": excelize.CellTypeInlineString, "B2": excelize.CellTypeUnset, "C2": excelize.CellTypeInlineString, "F2": excelize.CellTypeBool} {
		if got, _ := x.GetCellType("Saisie", cell); got != want {
			t.Errorf("%s : type %v, %v attendu", cell, got, want)
		}
	}
	if v, _ := x.GetCellValue("À lire", "B1"); v != "2024" {
		t.Errorf("À lire!B1 = %q", v)
	}
	style := func(cell string) *excelize.Style {
		id, err := x.GetCellStyle("Saisie", cell)
		if err != nil {
			t.Fatal(err)
		}
		s, err := x.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := style("F1"); !s.Font.Bold || s.Fill.Pattern != 1 || s.Protection == nil || !s.Protection.Locked {
		t.Errorf("style de l'en-tête : %+v %+v %+v", s.Font, s.Fill, s.Protection)
	}
	// A blank cell of the range is styled too, so that it can be typed in.
	if s := style("D6"); s.Font != nil && s.Font.Bold || s.Fill.Pattern != 1 || s.Protection == nil || s.Protection.Locked || s.Alignment == nil || !s.Alignment.WrapText {
		t.Errorf("style d'une cellule ouverte : %+v %+v %+v", s.Fill, s.Protection, s.Alignment)
	}
	if s := style("A2"); s.Fill.Pattern != 0 || s.Font != nil && s.Font.Bold {
		t.Errorf("style par défaut : %+v %+v", s.Fill, s.Font)
	}
	// excelize gives colours only with a theme: read them in the file.
	styles := part(t, data, "xl/styles.xml")
	for _, rgb := range []string{`<fgColor rgb="FFDDDDDD"/>`, `<fgColor rgb="FFFFF8DC"/>`} {
		if !strings.Contains(styles, rgb) {
			t.Errorf("%s absent des styles", rgb)
		}
	}
	p, err := x.GetSheetProtection("Saisie")
	if err != nil || !p.SelectLockedCells || !p.SelectUnlockedCells || !p.FormatColumns || p.FormatCells || p.InsertRows || p.DeleteRows {
		t.Errorf("protection : %+v %v", p, err)
	}
	if strings.Contains(part(t, data, "xl/worksheets/sheet2.xml"), "sheetProtection") {
		t.Error("la feuille « À lire » ne devrait pas être protégée")
	}
	dvs, err := x.GetDataValidations("Saisie")
	if err != nil || len(dvs) != 2 {
		t.Fatalf("validations : %v %v", dvs, err)
	}
	if dv := dvs[0]; dv.Sqref != "B2" || dv.Type != "whole" || dv.Operator != "between" || dv.Formula1 != "0" || dv.Formula2 != "1000000000" ||
		!dv.AllowBlank || !dv.ShowErrorMessage || *dv.ErrorStyle != "stop" || *dv.ErrorTitle != "Valeur refusée" || *dv.Error != "Saisissez un nombre entier positif." {
		t.Errorf("validation d'un entier : %+v", dv)
	}
	if dv := dvs[1]; dv.Sqref != "B3:B5" || dv.Type != "decimal" || dv.Formula2 != "100" || *dv.Error != "Saisissez un pourcentage entre 0 et 100." {
		t.Errorf("validation d'un pourcentage : %+v", dv)
	}
	panes, err := x.GetPanes("Saisie")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("volets : %+v %v", panes, err)
	}
	for col, want := range map[string]float64{"A": 9, "B": 60, "C": 60} {
		if w, _ := x.GetColWidth("Saisie", col); w != want {
			t.Errorf("largeur de %s : %v, %v attendu", col, w, want)
		}
	}
	props, err := x.GetDocProps()
	if err != nil || props.Title != "Collecte 2024 — Caf" || props.Creator != "ctg" || props.Language != "fr-FR" {
		t.Errorf("propriétés : %+v %v", props, err)
	}
}

func rowsOf(t *testing.T, data []byte, sheet string) map[int][]string {
	t.Helper()
	b, err := Open(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int][]string{}
	if err := b.Rows(sheet, func(row int, cells []string) error { rows[row] = cells; return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

// The reader gives back what the writer wrote, texts unchanged.
func TestWrittenWorkbookReadBack(t *testing.T) {
	data := book(t)
	b, err := Open(data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(b.Sheets(), ","); got != "Saisie,À lire" {
		t.Errorf("feuilles : %s", got)
	}
	want := map[int][]string{
		1: {"Code", "Valeur", "Texte", "Source", "Vide", "Booléen"},
		2: {"2.2-1", "254", `=HYPERLINK("http://exemple.invalid";"Cliquez")`, "@SUM(1+1)", "", "1"},
		3: {"2.2-2", "12.5", "  deux lignes\net une espace  ", "+1", "", "0"},
		5: {"2.2-3", "-0.1", "_x0041_ reste _x005F_x0042_ tel quel", "<&>\"'", "", "0.30000000000000004"},
		// Rows 4 and 6 hold styled blank cells only.
		4: nil, 6: nil,
	}
	if got := rowsOf(t, data, "Saisie"); !reflect.DeepEqual(got, want) {
		t.Errorf("lignes lues :\n%v\nattendues :\n%v", got, want)
	}
	if err := b.Rows("Absente", func(int, []string) error { return nil }); !errors.Is(err, ErrNoSheet) {
		t.Errorf("feuille absente : %v", err)
	}
}

// Texts that look like escapes, hold characters XML cannot, or are
// longer than a cell are written so that they read back as a spreadsheet
// would show them.
func TestTextsSurviveTheirEscapes(t *testing.T) {
	long := strings.Repeat("é", MaxCellLength+5)
	texts := []string{"_x0041_x0042_", "_x005F_", "a_x00_b", "_xD83D__xDE00_", "_X0041_", "x\x00y", "😀" + strings.Repeat("a", MaxCellLength)}
	w := New()
	s := w.AddSheet("Feuille")
	for i, text := range texts {
		s.SetRow(i+1, text)
	}
	s.SetRow(len(texts)+1, long)
	data, err := w.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows := rowsOf(t, data, "Feuille")
	for i, text := range texts {
		want := text
		switch {
		case strings.Contains(text, "\x00"):
			want = "x\uFFFDy" // what XML cannot hold is replaced
		case len(text) > MaxCellLength:
			want = text[:len(text)-2] // the emoji counts for two
		}
		excel, _ := x.GetCellValue("Feuille", CellName(1, i+1))
		if got := rows[i+1]; len(got) != 1 || got[0] != want || excel != want {
			t.Errorf("%.20q : relu %.20q, par excelize %.20q", text, got, excel)
		}
	}
	if got := rows[len(texts)+1]; len(got) != 1 || got[0] != long[:2*MaxCellLength] {
		t.Errorf("texte trop long relu sur %d octets", len(got[0]))
	}
}

// The reader reads what another XLSX library writes: shared strings
// (plain and rich), inline strings, numbers, booleans, formulas, blank and
// skipped cells and rows.
func TestReadsExcelizeFiles(t *testing.T) {
	x := excelize.NewFile()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(x.SetCellStr("Sheet1", "A1", "partagé"))
	must(x.SetCellStr("Sheet1", "B1", "partagé"))
	must(x.SetCellInt("Sheet1", "C1", 42))
	must(x.SetCellFloat("Sheet1", "D1", 3.25, -1, 64))
	must(x.SetCellBool("Sheet1", "E1", true))
	must(x.SetCellStr("Sheet1", "C5", "seule en C5"))
	must(x.SetCellStr("Sheet1", "F5", "x\x00y_x0041_"))
	must(x.SetCellRichText("Sheet1", "A7", []excelize.RichTextRun{{Text: "gras ", Font: &excelize.Font{Bold: true}}, {Text: "et maigre"}}))
	must(x.SetCellFormula("Sheet1", "B7", "C1*2"))
	must(x.SetCellValue("Sheet1", "C7", "=1+1"))
	must(x.SetCellStyle("Sheet1", "A8", "D8", 0))
	style, err := x.NewStyle(&excelize.Style{NumFmt: 10})
	must(err)
	must(x.SetCellFloat("Sheet1", "D8", 0.125, -1, 64))
	must(x.SetCellStyle("Sheet1", "D8", "D8", style))
	must(x.SetSheetName("Sheet1", "Données"))
	sw, err := func() (*excelize.StreamWriter, error) {
		_, err := x.NewSheet("Flux")
		must(err)
		return x.NewStreamWriter("Flux")
	}()
	must(err)
	must(sw.SetRow("A1", []any{"en ligne", 7, nil, "après un blanc"}))
	must(sw.SetRow("B3", []any{true, "  espacé  "}))
	must(sw.Flush())
	var buf bytes.Buffer
	must(x.Write(&buf))
	data := buf.Bytes()

	want := map[int][]string{
		1: {"partagé", "partagé", "42", "3.25", "1"},
		// excelize writes what XML cannot hold as U+FFFD, and "_x0041_"
		// without escaping it: read back, it is an "A".
		5: {"", "", "seule en C5", "", "", "x\uFFFDyA"},
		7: {"gras et maigre", "", "=1+1"},
		8: {"", "", "", "0.125"},
	}
	got := rowsOf(t, data, "Données")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("lignes lues :\n%v\nattendues :\n%v", got, want)
	}
	if got := rowsOf(t, data, "Flux"); !reflect.DeepEqual(got, map[int][]string{1: {"en ligne", "7", "", "après un blanc"}, 3: {"", "1", "  espacé  "}}) {
		t.Errorf("feuille écrite en flux : %v", got)
	}
	// The same values as excelize's own reading of raw values.
	x, err = excelize.OpenReader(bytes.NewReader(data))
	must(err)
	for _, sheet := range []string{"Données", "Flux"} {
		rows, err := x.GetRows(sheet, excelize.Options{RawCellValue: true})
		must(err)
		ours := rowsOf(t, data, sheet)
		for i, row := range rows {
			if len(row) > 0 && !reflect.DeepEqual(ours[i+1], row) {
				t.Errorf("%s, ligne %d : %q, excelize lit %q", sheet, i+1, ours[i+1], row)
			}
		}
	}
}

func TestUnreadableWorkbooks(t *testing.T) {
	sheet := func(rows string) []byte {
		return rezip(t, book(t), "xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+rows+`</sheetData></worksheet>`)
	}
	for name, data := range map[string][]byte{
		"lignes dans le désordre":      sheet(`<row r="3"/><row r="2"/>`),
		"cellules dans le désordre":    sheet(`<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>`),
		"référence hors de la feuille": sheet(`<row r="1"><c r="XFE1"><v>1</v></c></row>`),
		"ligne hors de la feuille":     sheet(`<row r="1048577"/>`),
		"texte partagé absent":         sheet(`<row r="1"><c r="A1" t="s"><v>99</v></c></row>`),
		"XML tronqué":                  sheet(`<row r="1"><c r="A1"><v>1</v>`),
	} {
		b, err := Open(data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Rows("Saisie", func(int, []string) error { return nil }); err == nil {
			t.Errorf("%s : accepté", name)
		}
	}
	if _, err := Open([]byte("PK pas un zip"), Options{}); err == nil {
		t.Error("un fichier qui n'est pas un zip est ouvert")
	}
	x := excelize.NewFile()
	for i := range 5 {
		_ = x.SetCellStr("Sheet1", CellName(1, i+1), strings.Repeat("a", i+1))
	}
	var buf bytes.Buffer
	_ = x.Write(&buf)
	if _, err := Open(buf.Bytes(), Options{MaxSharedStrings: 4}); !errors.Is(err, ErrTooManyStrings) {
		t.Errorf("5 textes partagés pour 4 au plus : %v", err)
	}
	if _, err := Open(buf.Bytes(), Options{MaxSharedStrings: 5}); err != nil {
		t.Errorf("5 textes partagés pour 5 au plus : %v", err)
	}
}

// An error of the caller stops the reading and is returned as is.
func TestRowsStopsOnTheCallersError(t *testing.T) {
	b, err := Open(book(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop, seen := errors.New("assez"), 0
	err = b.Rows("Saisie", func(row int, _ []string) error {
		seen++
		if row == 2 {
			return stop
		}
		return nil
	})
	if err != stop || seen != 2 {
		t.Errorf("%d ligne(s) lue(s), erreur %v", seen, err)
	}
}

func TestInvalidSheetNamesRefused(t *testing.T) {
	for _, names := range [][]string{{""}, {"a/b"}, {"Trente-deux caractères, c'est trop"}, {"Saisie", "SAISIE"}} {
		w := New()
		for _, n := range names {
			w.AddSheet(n).SetRow(1, "x")
		}
		if _, err := w.Bytes(); err == nil {
			t.Errorf("%q accepté", names)
		}
	}
	if _, err := New().Bytes(); err == nil {
		t.Error("classeur sans feuille accepté")
	}
}

// part returns the content of an entry of a workbook.
func part(t *testing.T, data []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := zr.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	content, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(content)
}

// rezip copies a workbook, replacing the content of one entry.
func rezip(t *testing.T, data []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			_, _ = io.WriteString(w, content)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// A part nesting elements deeper than a workbook does, or holding a tag
// longer than any a workbook writes, is refused before the decoder keeps
// it in memory: within a row, within a skipped element, and in the shared
// strings.
func TestDeepOrLongMarkupRefused(t *testing.T) {
	sheet := func(rows string) []byte {
		return rezip(t, book(t), "xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+rows+`</sheetData></worksheet>`)
	}
	deep := strings.Repeat("<a>", 10*maxDepth)
	x := excelize.NewFile()
	_ = x.SetCellStr("Sheet1", "A1", "texte partagé")
	var shared bytes.Buffer
	_ = x.Write(&shared)
	long := `<row r="1"` + strings.Repeat(` a=""`, maxTag/4) + `/>`
	for name, tc := range map[string]struct {
		data []byte
		want error
	}{
		"imbrication dans les lignes":     {sheet(deep), ErrTooDeep},
		"imbrication dans une cellule":    {sheet(`<row r="1"><c r="A1"><extLst>` + deep + `</extLst></c></row>`), ErrTooDeep},
		"balise interminable":             {sheet(long), ErrTagTooLong},
		"imbrication des textes partagés": {rezip(t, shared.Bytes(), "xl/sharedStrings.xml", `<sst>`+deep+`</sst>`), ErrTooDeep},
	} {
		b, err := Open(tc.data, Options{})
		if err == nil {
			err = b.Rows("Saisie", func(int, []string) error { return nil })
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s : %v, attendu %v", name, err, tc.want)
		}
	}
	// At the bound, a workbook's own depth and tags still read.
	if _, err := Open(sheet(`<row r="1"><c r="A1"><v>1</v></c></row>`), Options{}); err != nil {
		t.Error(err)
	}
}
