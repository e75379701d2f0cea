// Package xlsx writes and reads the subset of Office Open XML workbooks
// that ctg uses: sheets of strings and numbers, a few cell styles (bold,
// fill, wrapped text, locked or not), column widths, frozen header rows,
// sheet protection, number validations and document properties; and the
// raw values of a sheet's cells when reading. It depends on the standard
// library only, so that linking it costs nothing at start.
package xlsx

import "strconv"

// MaxColumns and MaxRows are the limits of a sheet (XFD1048576).
const (
	MaxColumns = 16384
	MaxRows    = 1048576
)

// ColumnName gives the letters of a column: 1 → "A", 27 → "AA".
func ColumnName(col int) string {
	var b [4]byte
	i := len(b)
	for col > 0 && i > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}

// CellName names a cell: CellName(6, 12) = "F12".
func CellName(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}

// parseRef splits a reference such as "C5" into its column and row; ok is
// false when it is not a reference within a sheet's limits.
func parseRef(ref string) (col, row int, ok bool) {
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i]
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A') + 1
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a') + 1
		default:
			goto digits
		}
		if col > MaxColumns {
			return 0, 0, false
		}
	}
digits:
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	for _, c := range ref[i:] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
		if row > MaxRows {
			return 0, 0, false
		}
	}
	return col, row, row > 0
}
