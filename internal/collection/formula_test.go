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

// The form locks what ctg filled in and leaves the organization's cells
// open, each value cell checked as its unit requires, in French.
func TestFormLocksTheStructureAndChecksTheValues(t *testing.T) {
	data, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for cell, locked := range map[string]bool{"A1": true, "B2": true, "A3": true, "D8": true, "E3": false, "F3": false, "I8": false} {
		id, _ := x.GetCellStyle(Sheet, cell)
		style, err := x.GetStyle(id)
		if err != nil || style.Protection == nil || style.Protection.Locked != locked {
			t.Errorf("%s : verrouillée %v attendu, style %+v (%v)", cell, locked, style, err)
		}
	}
	dvs, err := x.GetDataValidations(Sheet)
	if err != nil {
		t.Fatal(err)
	}
	messages := map[string]string{}
	for _, dv := range dvs {
		messages[dv.Sqref] = dv.Type + " " + dv.Formula1 + "–" + dv.Formula2 + " " + *dv.Error
	}
	if messages["F3"] != "whole 0–1000000000 Saisissez un nombre entier positif." || messages["F4"] != "" {
		t.Errorf("validations : %v", messages)
	}
	if p, _ := x.GetPanes(Sheet); !p.Freeze || p.YSplit != 2 {
		t.Errorf("volets : %+v", p)
	}
}
