package collection

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

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

// Bounds of a collection form read back (and of the lines of a values
// file). A form of 100,000 lines weighs about 40 Mo once unzipped; the
// bounds refuse a zip bomb (a small file that unzips to gigabytes) before
// excelize loads it.
const (
	// MaxUnzippedSize bounds the total size of a form's zip entries, as
	// declared and as actually read.
	MaxUnzippedSize = 64 << 20
	// MaxFormRows bounds the lines of the form's sheet.
	MaxFormRows   = 200000
	maxZipEntries = 1000
	maxFormCells  = 2000000
	// maxCellLength is Excel's own limit on a cell's text.
	maxCellLength = 32767
)

func unreadable() error {
	return single("fichier", "ce fichier n'est pas un classeur XLSX lisible")
}

func tooBig() error {
	return single("fichier", fmt.Sprintf("classeur trop volumineux une fois décompressé (%d Mo au plus) : déposez le formulaire de collecte téléchargé depuis ctg, sans feuille ni image ajoutée", MaxUnzippedSize>>20))
}

// checkZip refuses a workbook whose entries would unzip past
// MaxUnzippedSize. Declared sizes are checked first, then every entry is
// inflated to nowhere, within the same bound, since a zip can declare
// sizes smaller than its content.
func checkZip(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return unreadable()
	}
	if len(zr.File) > maxZipEntries {
		return tooBig()
	}
	var declared uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > MaxUnzippedSize-declared {
			return tooBig()
		}
		declared += f.UncompressedSize64
	}
	remaining := int64(MaxUnzippedSize)
	for _, f := range zr.File {
		raw, err := f.OpenRaw()
		if err != nil {
			return unreadable()
		}
		var content io.ReadCloser
		switch f.Method {
		case zip.Store:
			content = io.NopCloser(raw)
		case zip.Deflate:
			content = flate.NewReader(raw)
		default:
			return unreadable()
		}
		n, err := io.Copy(io.Discard, io.LimitReader(content, remaining+1))
		content.Close()
		if remaining -= n; remaining < 0 {
			return tooBig()
		}
		if err != nil {
			return unreadable()
		}
	}
	return nil
}

// ReadXLSX reads the value lines of a filled collection form. Each row's
// Line is its row number in the sheet, for messages that name the cell.
// The workbook's unzipped size, its lines and its cells are bounded.
func ReadXLSX(data []byte) ([]Row, error) {
	if err := checkZip(data); err != nil {
		return nil, err
	}
	x, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedSize, UnzipXMLSizeLimit: 16 << 20})
	if err != nil {
		return nil, unreadable()
	}
	defer x.Close()
	rows, err := x.Rows(Sheet)
	if err != nil {
		return nil, single("fichier", fmt.Sprintf("feuille « %s » absente : déposez le formulaire de collecte téléchargé depuis ctg", Sheet))
	}
	defer rows.Close()
	index := map[string]int{}
	var out []Row
	line, cells := 0, 0
	for rows.Next() {
		// Next walks every row number, blank rows included: line is the
		// row number of the sheet.
		line++
		if line > MaxFormRows {
			return nil, single("fichier", fmt.Sprintf("formulaire trop long : la feuille « %s » dépasse %s lignes", Sheet, indicators.FormatNumber(MaxFormRows)))
		}
		rec, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, unreadable()
		}
		if cells += len(rec); cells > maxFormCells {
			return nil, single("fichier", fmt.Sprintf("formulaire trop long : la feuille « %s » dépasse %s cellules", Sheet, indicators.FormatNumber(maxFormCells)))
		}
		for i, cell := range rec {
			if len(cell) > 4*maxCellLength || utf8.RuneCountInString(cell) > maxCellLength {
				name, _ := excelize.CoordinatesToCellName(i+1, line)
				return nil, single("fichier", fmt.Sprintf("cellule %s : texte trop long (%s caractères au plus)", name, indicators.FormatNumber(maxCellLength)))
			}
			if strings.ContainsFunc(cell, isControl) {
				name, _ := excelize.CoordinatesToCellName(i+1, line)
				return nil, single("fichier", fmt.Sprintf("cellule %s : caractère de contrôle (invisible) dans le texte ; retapez la cellule", name))
			}
		}
		switch {
		case line == 1:
			continue
		case line == 2:
			for i, h := range rec {
				index[strings.TrimSpace(h)] = i
			}
			for _, col := range Columns {
				if _, ok := index[col]; !ok {
					return nil, single("fichier", fmt.Sprintf("colonne « %s » absente de la ligne 2 de la feuille « %s »", col, Sheet))
				}
			}
			continue
		}
		r := Row{Line: line, Fields: map[string]string{}}
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
	if rows.Error() != nil {
		return nil, unreadable()
	}
	if line < 2 {
		return nil, single("fichier", "formulaire vide")
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

// isControl reports a control character other than a tab or a line break,
// which a typed cell never holds (XLSX writes them as _x0000_ escapes).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}
