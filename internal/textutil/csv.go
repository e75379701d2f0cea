package textutil

import (
	"encoding/csv"
	"io"
	"strings"
	"unicode/utf8"
)

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula (or, for tab and line breaks, hide what follows), in
// their ASCII and full-width forms.
const formulaStarts = "=+-@\t\r\n＝＋－＠"

// number matches the numbers ctg writes: "-3", "1254", "-3,5", "312.50".
var number = LazyRegexp(`^[+-]?[0-9]+([.,][0-9]+)?$`)

// CSVCell returns a cell as a CSV file may carry it to a spreadsheet: a
// text that would be read as a formula ("=HYPERLINK(…)", "@SUM(…)", "-2+3")
// gets a leading single quote, which spreadsheets show as text; numbers
// are left as they are.
func CSVCell(s string) string {
	t := strings.TrimLeft(s, " \u00a0")
	first, _ := utf8.DecodeRuneInString(t)
	if t == "" || !strings.ContainsRune(formulaStarts, first) || number.MatchString(t) {
		return s
	}
	return "'" + s
}

// FromCSVCell undoes CSVCell on a cell read back from a CSV file, so that
// a file exported by ctg imports the texts it was exported from.
func FromCSVCell(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && CSVCell(rest) == s {
		return rest
	}
	return s
}

// WriteCSV writes a table for Excel in French: a UTF-8 byte order mark,
// ";" separators and CRLF line ends. Every cell goes through CSVCell: this
// is the one place where ctg writes CSV.
func WriteCSV(w io.Writer, header []string, rows [][]string) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma, cw.UseCRLF = ';', true
	for _, row := range append([][]string{header}, rows...) {
		safe := make([]string, len(row))
		for i, cell := range row {
			safe[i] = CSVCell(cell)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
