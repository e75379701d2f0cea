// Package collection reads and writes the files through which partner
// structures report indicator values: CSV in Excel-French conventions and
// XLSX collection forms. It knows nothing of SQL or HTTP.
package collection

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// Columns are the columns a values file must have, as ctg exports them;
// other columns (Indicateur, État, Organisation, Fictive) are ignored.
var Columns = []string{"Code", "Période", "Ventilation", "Valeur", "Texte", "Source", "Commentaire"}

func single(path, msg string) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: path, Message: msg}}}
}

// Row is a line of a values file: its number and its cells by column name.
type Row struct {
	Line   int
	Fields map[string]string
}

// Get returns a cell of the row, trimmed.
func (r Row) Get(col string) string { return strings.TrimSpace(r.Fields[col]) }

// maxCSVFields bounds the columns of a line of a values file, and
// maxCSVLine the bytes of a line: a file has a few columns of a few
// thousand characters at most.
const (
	maxCSVFields = 64
	maxCSVLine   = 1 << 20
)

// shortLines refuses a file one of whose lines is longer than maxCSVLine,
// before the CSV reader holds its fields.
func shortLines(data []byte) error {
	for line := 1; len(data) > 0; line++ {
		n := bytes.IndexByte(data, '\n')
		if n < 0 {
			n = len(data)
		}
		if n > maxCSVLine {
			return single(fmt.Sprintf("ligne %d", line), fmt.Sprintf("ligne trop longue (%d Mo au plus)", maxCSVLine>>20))
		}
		data = data[min(n+1, len(data)):]
	}
	return nil
}

// ReadCSV reads a values file in Excel-French conventions (";" or ",",
// UTF-8 with or without BOM): its header and its non-empty rows. The
// quote ctg puts before a text that looks like a formula is removed.
func ReadCSV(data []byte) ([]Row, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, single("fichier", "caractères invalides : enregistrez le fichier au format « CSV UTF-8 » depuis votre tableur")
	}
	if err := shortLines(data); err != nil {
		return nil, err
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ';'
	if bytes.Count(first, []byte(",")) > bytes.Count(first, []byte(";")) {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1
	// Read record by record, so that a file too long or too wide is
	// refused at its first line too many, before it is all in memory.
	var records [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &model.ValidationError{Errors: []model.FieldError{{Line: pe.Line, Path: fmt.Sprintf("ligne %d", pe.Line), Message: "CSV mal formé : " + csvProblem(pe.Err)}}}
			}
			return nil, err
		}
		if len(rec) > maxCSVFields {
			line, _ := cr.FieldPos(0)
			return nil, single(fmt.Sprintf("ligne %d", line), fmt.Sprintf("trop de colonnes (%d au plus)", maxCSVFields))
		}
		for i, cell := range rec {
			if strings.ContainsFunc(cell, isControl) {
				line, _ := cr.FieldPos(i)
				return nil, single(fmt.Sprintf("ligne %d", line), fmt.Sprintf("colonne %d : caractère de contrôle (invisible) dans le texte ; retapez la cellule", i+1))
			}
		}
		if records = append(records, rec); len(records) > MaxFormRows {
			return nil, single("fichier", fmt.Sprintf("fichier trop long : %s lignes au plus", indicators.FormatNumber(MaxFormRows)))
		}
	}
	if len(records) == 0 {
		return nil, single("fichier", "fichier vide")
	}
	index := map[string]int{}
	for i, h := range records[0] {
		index[strings.TrimSpace(h)] = i
	}
	ve := &model.ValidationError{}
	for _, col := range Columns {
		if _, ok := index[col]; !ok {
			ve.Errors = append(ve.Errors, model.FieldError{Line: 1, Path: "ligne 1", Message: fmt.Sprintf("colonne « %s » absente (attendu : %s)", col, strings.Join(Columns, ";"))})
		}
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	var rows []Row
	for n, rec := range records[1:] {
		row := Row{Line: n + 2, Fields: map[string]string{}}
		empty := true
		for col, i := range index {
			if i < len(rec) {
				row.Fields[col] = textutil.FromCSVCell(rec[i])
				empty = empty && strings.TrimSpace(rec[i]) == ""
			}
		}
		if !empty {
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// csvProblem says in French what is wrong with a line of CSV.
func csvProblem(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return "guillemet « \" » au milieu d'une cellule sans guillemets (doublez-le, ou entourez la cellule de guillemets)"
	case errors.Is(err, csv.ErrQuote):
		return "guillemet « \" » mal placé ou non refermé dans une cellule"
	case errors.Is(err, csv.ErrFieldCount):
		return "nombre de colonnes différent de l'en-tête"
	}
	return "ligne illisible"
}
