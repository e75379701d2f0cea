package collection

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Sheet is the sheet of a collection form that holds the values.
const Sheet = "Saisie"

// formColumns are the columns of the form, in order; the first four are
// filled by ctg and locked, the others are for the organization.
var formColumns = []string{"Code", "Indicateur", "Unité", "Période", "Ventilation", "Valeur", "Texte", "Source", "Commentaire"}

// Form describes a collection form: whose it is and which lines it asks for.
type Form struct {
	Convention       string
	Organization     string
	OrganizationName string
	Year             int
	// Entries are the indicators asked for; Values the values already
	// entered, shown in the form so that the organization completes them.
	Entries []indicators.Entry
	Values  []model.Value
}

// XLSX writes the form: one line per indicator and period, the structure
// locked (sheet protection without password: it guards against slips, not
// against intent), the value cells checked as the unit requires.
func (f Form) XLSX() ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName("Sheet1", Sheet); err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Collecte %d — %s", f.Year, f.OrganizationName)
	header, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDDDDD"}, Pattern: 1},
		Protection: &excelize.Protection{Locked: true}})
	if err != nil {
		return nil, err
	}
	open, err := x.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{"FFF8DC"}, Pattern: 1},
		Protection: &excelize.Protection{Locked: false}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	locked, err := x.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: true}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	existing := map[string]model.Value{}
	for _, v := range f.Values {
		existing[v.Indicator+"|"+v.Period+"|"+v.Breakdown] = v
	}
	if err := x.SetSheetRow(Sheet, "A1", &[]any{title}); err != nil {
		return nil, err
	}
	cols := make([]any, len(formColumns))
	for i, c := range formColumns {
		cols[i] = c
	}
	if err := x.SetSheetRow(Sheet, "A2", &cols); err != nil {
		return nil, err
	}
	row := 3
	for _, e := range f.Entries {
		for _, p := range e.Periodicity.Periods(f.Year) {
			line := []any{e.Code, e.Label, e.Unit.Label(), p, "", "", "", "", ""}
			if v, ok := existing[e.Code+"|"+p+"|"]; ok {
				if v.Number != nil {
					line[5] = *v.Number
				}
				line[6], line[7], line[8] = v.Text, v.Source, v.Comment
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := x.SetSheetRow(Sheet, cell, &line); err != nil {
				return nil, err
			}
			if err := validate(x, row, e.Unit); err != nil {
				return nil, err
			}
			row++
		}
	}
	last := row - 1
	steps := []struct {
		from, to string
		style    int
	}{
		{"A1", "I2", header},
		{"A3", fmt.Sprintf("D%d", max(last, 3)), locked},
		{"E3", fmt.Sprintf("I%d", max(last, 3)), open},
	}
	for _, s := range steps {
		if err := x.SetCellStyle(Sheet, s.from, s.to, s.style); err != nil {
			return nil, err
		}
	}
	for col, width := range map[string]float64{"A": 9, "B": 60, "C": 9, "D": 10, "E": 18, "F": 12, "G": 30, "H": 24, "I": 30} {
		if err := x.SetColWidth(Sheet, col, col, width); err != nil {
			return nil, err
		}
	}
	if err := x.SetPanes(Sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := x.ProtectSheet(Sheet, &excelize.SheetProtectionOptions{SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true}); err != nil {
		return nil, err
	}
	// A second sheet says what the form is, for whoever opens it.
	if _, err := x.NewSheet("À lire"); err != nil {
		return nil, err
	}
	notes := [][]any{
		{title},
		{"Convention", f.Convention},
		{"Organisation", f.OrganizationName},
		{"Année", f.Year},
		{"Mode d'emploi", "Remplissez les cellules jaunes de la feuille « Saisie » (Valeur, ou Texte pour un indicateur qualitatif ; Source et Commentaire facultatifs), puis déposez le fichier dans ctg, page Indicateurs › Collecte. Les valeurs entrent en brouillon, à soumettre pour validation. Si une cellule est fautive, rien n'est importé et chaque erreur est signalée avec sa cellule."},
	}
	for i, n := range notes {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("À lire", cell, &n); err != nil {
			return nil, err
		}
	}
	if err := x.SetColWidth("À lire", "B", "B", 100); err != nil {
		return nil, err
	}
	x.SetDocProps(&excelize.DocProperties{Title: title, Creator: "ctg", Language: "fr-FR"})
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// validate adds the data validation of a value cell.
func validate(x *excelize.File, row int, unit model.Unit) error {
	cell := fmt.Sprintf("F%d", row)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(cell)
	dv.SetError(excelize.DataValidationErrorStyleStop, "Valeur refusée", "Saisissez un nombre positif.")
	var err error
	switch {
	case unit.Qualitative():
		return nil
	case unit.IsCount():
		err = dv.SetRange(0, 1e9, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Valeur refusée", "Saisissez un nombre entier positif.")
	case unit == model.UnitPercent:
		err = dv.SetRange(0, 100, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Valeur refusée", "Saisissez un pourcentage entre 0 et 100.")
	default:
		err = dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween)
	}
	if err != nil {
		return err
	}
	return x.AddDataValidation(Sheet, dv)
}

// ReadXLSX reads the value lines of a filled collection form. Each row's
// Line is its row number in the sheet, for messages that name the cell.
func ReadXLSX(data []byte) ([]Row, error) {
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, single("fichier", "ce fichier n'est pas un classeur XLSX lisible")
	}
	defer x.Close()
	rows, err := x.GetRows(Sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, single("fichier", fmt.Sprintf("feuille « %s » absente : déposez le formulaire de collecte téléchargé depuis ctg", Sheet))
	}
	if len(rows) < 2 {
		return nil, single("fichier", "formulaire vide")
	}
	index := map[string]int{}
	for i, h := range rows[1] {
		index[strings.TrimSpace(h)] = i
	}
	for _, col := range Columns {
		if _, ok := index[col]; !ok {
			return nil, single("fichier", fmt.Sprintf("colonne « %s » absente de la ligne 2 de la feuille « %s »", col, Sheet))
		}
	}
	var out []Row
	for n, rec := range rows[2:] {
		r := Row{Line: n + 3, Fields: map[string]string{}}
		for col, i := range index {
			if i < len(rec) {
				r.Fields[col] = rec[i]
			}
		}
		// Lines the organization left blank are not values.
		if r.Get("Valeur") == "" && r.Get("Texte") == "" {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// CellOf names a cell of the form for messages: "cellule F12 (Valeur)".
func CellOf(line int, column string) string {
	for i, c := range formColumns {
		if c == column {
			name, _ := excelize.CoordinatesToCellName(i+1, line)
			return fmt.Sprintf("cellule %s (%s)", name, column)
		}
	}
	return fmt.Sprintf("ligne %d (%s)", line, column)
}
