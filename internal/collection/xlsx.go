package collection

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/xlsx"
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
	x := xlsx.New()
	title := fmt.Sprintf("Collecte %d — %s", f.Year, f.OrganizationName)
	header := x.AddStyle(xlsx.Style{Bold: true, Fill: "DDDDDD"})
	open := x.AddStyle(xlsx.Style{Fill: "FFF8DC", Unlocked: true, Wrap: true})
	locked := x.AddStyle(xlsx.Style{Wrap: true})
	existing := map[string]model.Value{}
	for _, v := range f.Values {
		existing[v.Indicator+"|"+v.Period+"|"+v.Breakdown] = v
	}
	sheet := x.AddSheet(Sheet)
	sheet.SetRow(1, title)
	cols := make([]any, len(formColumns))
	for i, c := range formColumns {
		cols[i] = c
	}
	sheet.SetRow(2, cols...)
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
			sheet.SetRow(row, line...)
			validate(sheet, row, e.Unit)
			row++
		}
	}
	last := max(row-1, 3)
	sheet.SetStyle(1, 1, 9, 2, header)
	sheet.SetStyle(1, 3, 4, last, locked)
	sheet.SetStyle(5, 3, 9, last, open)
	for i, width := range []float64{9, 60, 9, 10, 18, 12, 30, 24, 30} {
		sheet.SetColWidth(i+1, i+1, width)
	}
	sheet.FreezeRows(2)
	sheet.Protect()
	// A second sheet says what the form is, for whoever opens it.
	notes := x.AddSheet("À lire")
	for i, n := range [][]any{
		{title},
		{"Convention", f.Convention},
		{"Organisation", f.OrganizationName},
		{"Année", f.Year},
		{"Mode d'emploi", "Remplissez les cellules jaunes de la feuille « Saisie » (Valeur, ou Texte pour un indicateur qualitatif ; Source et Commentaire facultatifs), puis déposez le fichier dans ctg, page Indicateurs › Collecte. Les valeurs entrent en brouillon, à soumettre pour validation. Si une cellule est fautive, rien n'est importé et chaque erreur est signalée avec sa cellule."},
	} {
		notes.SetRow(i+1, n...)
	}
	notes.SetColWidth(2, 2, 100)
	x.Title, x.Creator, x.Language = title, "ctg", "fr-FR"
	return x.Bytes()
}

// validate adds the data validation of a value cell.
func validate(s *xlsx.Sheet, row int, unit model.Unit) {
	v := xlsx.Validation{Ref: fmt.Sprintf("F%d", row), Max: 1e12, ErrorTitle: "Valeur refusée", Error: "Saisissez un nombre positif."}
	switch {
	case unit.Qualitative():
		return
	case unit.IsCount():
		v.Whole, v.Max, v.Error = true, 1e9, "Saisissez un nombre entier positif."
	case unit == model.UnitPercent:
		v.Max, v.Error = 100, "Saisissez un pourcentage entre 0 et 100."
	}
	s.AddValidation(v)
}

// Bounds of a collection form read back (and of the lines of a values
// file). A form of 100,000 lines weighs about 40 Mo once unzipped; the
// bounds refuse a zip bomb (a small file that unzips to gigabytes) before
// it is read.
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
	book, err := xlsx.Open(data, xlsx.Options{MaxSharedStrings: maxFormCells})
	if errors.Is(err, xlsx.ErrTooManyStrings) {
		return nil, tooManyCells()
	}
	if err != nil {
		return nil, unreadable()
	}
	index := map[string]int{}
	var out []Row
	line, cells := 0, 0
	// header reads the column names of line 2 (nil when the line is blank).
	header := func(rec []string) error {
		for i, h := range rec {
			index[strings.TrimSpace(h)] = i
		}
		for _, col := range Columns {
			if _, ok := index[col]; !ok {
				return single("fichier", fmt.Sprintf("colonne « %s » absente de la ligne 2 de la feuille « %s »", col, Sheet))
			}
		}
		return nil
	}
	var refused error
	err = book.Rows(Sheet, func(row int, rec []string) error {
		// Rows left blank in the file are not given: line 2 must still
		// be the header, and row numbers count towards the bound.
		if row > MaxFormRows {
			refused = single("fichier", fmt.Sprintf("formulaire trop long : la feuille « %s » dépasse %s lignes", Sheet, indicators.FormatNumber(MaxFormRows)))
			return refused
		}
		if line < 2 && row > 2 {
			if refused = header(nil); refused != nil {
				return refused
			}
		}
		line = row
		if cells += len(rec); cells > maxFormCells {
			refused = tooManyCells()
			return refused
		}
		for i, cell := range rec {
			if len(cell) > 4*maxCellLength || utf8.RuneCountInString(cell) > maxCellLength {
				refused = single("fichier", fmt.Sprintf("cellule %s : texte trop long (%s caractères au plus)", xlsx.CellName(i+1, line), indicators.FormatNumber(maxCellLength)))
				return refused
			}
			if strings.ContainsFunc(cell, isControl) {
				refused = single("fichier", fmt.Sprintf("cellule %s : caractère de contrôle (invisible) dans le texte ; retapez la cellule", xlsx.CellName(i+1, line)))
				return refused
			}
		}
		switch line {
		case 1:
			return nil
		case 2:
			refused = header(rec)
			return refused
		}
		r := Row{Line: line, Fields: map[string]string{}}
		for col, i := range index {
			if i < len(rec) {
				r.Fields[col] = rec[i]
			}
		}
		// Lines the organization left blank are not values.
		if r.Get("Valeur") == "" && r.Get("Texte") == "" {
			return nil
		}
		out = append(out, r)
		return nil
	})
	switch {
	case refused != nil:
		return nil, refused
	case errors.Is(err, xlsx.ErrNoSheet):
		return nil, single("fichier", fmt.Sprintf("feuille « %s » absente : déposez le formulaire de collecte téléchargé depuis ctg", Sheet))
	case err != nil:
		return nil, unreadable()
	case line < 2:
		return nil, single("fichier", "formulaire vide")
	}
	return out, nil
}

func tooManyCells() error {
	return single("fichier", fmt.Sprintf("formulaire trop long : la feuille « %s » dépasse %s cellules", Sheet, indicators.FormatNumber(maxFormCells)))
}

// CellOf names a cell of the form for messages: "cellule F12 (Valeur)".
func CellOf(line int, column string) string {
	for i, c := range formColumns {
		if c == column {
			return fmt.Sprintf("cellule %s (%s)", xlsx.CellName(i+1, line), column)
		}
	}
	return fmt.Sprintf("ligne %d (%s)", line, column)
}

// isControl reports a control character other than a tab or a line break,
// which a typed cell never holds (XLSX writes them as _x0000_ escapes).
func isControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}
