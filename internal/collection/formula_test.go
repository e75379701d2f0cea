package collection

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/internal/model"
)

// Texts already entered come back in the form as text cells: one that
// looks like a formula is shown, never computed.
func TestFormWritesTextsAsText(t *testing.T) {
	f := form()
	hyperlink := `=HYPERLINK("http://exemple.invalid";"Cliquez")`
	f.Values = []model.Value{{Indicator: "2.1-4", Period: "2024", Text: hyperlink, Source: "@SUM(1+1)"}}
	data, err := f.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for cell, want := range map[string]string{"G4": hyperlink, "H4": "@SUM(1+1)"} {
		formula, _ := x.GetCellFormula(Sheet, cell)
		value, _ := x.GetCellValue(Sheet, cell)
		if formula != "" || value != want {
			t.Errorf("%s : formule %q, valeur %q", cell, formula, value)
		}
	}
}
