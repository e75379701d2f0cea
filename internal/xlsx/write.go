package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
)

// MaxCellLength is the longest text a cell holds, in UTF-16 code units;
// longer texts are cut, as spreadsheet programs do.
const MaxCellLength = 32767

// Style is the look of a cell. The zero Style is the default one: no fill,
// regular font, locked (which matters only in a protected sheet).
type Style struct {
	Bold bool
	// Fill is a solid background colour, as RGB hexadecimal ("DDDDDD").
	Fill string
	// Wrap wraps the text on several lines within the column's width.
	Wrap bool
	// Unlocked lets the cell be edited in a protected sheet.
	Unlocked bool
}

// Validation restricts what may be typed in cells to numbers between Min
// and Max, with a message that stops anything else.
type Validation struct {
	// Ref is the cells checked: "F3" or "F3:F10".
	Ref string
	// Whole asks for whole numbers, else any decimal number.
	Whole      bool
	Min, Max   float64
	ErrorTitle string
	Error      string
}

// Workbook is a workbook being written.
type Workbook struct {
	// Document properties.
	Title, Creator, Language string

	sheets []*Sheet
	styles []Style
}

// New starts an empty workbook.
func New() *Workbook { return &Workbook{} }

// AddStyle registers a style and returns its id for SetStyle.
func (w *Workbook) AddStyle(s Style) int {
	w.styles = append(w.styles, s)
	return len(w.styles)
}

// AddSheet appends a sheet; the first one is shown when the file opens.
func (w *Workbook) AddSheet(name string) *Sheet {
	s := &Sheet{name: name}
	w.sheets = append(w.sheets, s)
	return s
}

type kind uint8

const (
	blank kind = iota
	text
	number
	boolean
)

type cell struct {
	kind  kind
	value string
	style int
}

// Sheet is a sheet being written.
type Sheet struct {
	name        string
	rows        [][]cell
	widths      []float64
	frozen      int
	protected   bool
	validations []Validation
}

func (s *Sheet) cell(col, row int) *cell {
	for len(s.rows) < row {
		s.rows = append(s.rows, nil)
	}
	r := s.rows[row-1]
	if len(r) < col {
		r = append(r, make([]cell, col-len(r))...)
		s.rows[row-1] = r
	}
	return &r[col-1]
}

// SetRow writes values from column A of a row (numbered from 1). Strings
// are written as text, always, never as formulas: a text typed "=1+1" is
// shown as typed. Integers and floats are numbers; an empty string or nil
// leaves the cell blank.
func (s *Sheet) SetRow(row int, values ...any) {
	for i, v := range values {
		c := s.cell(i+1, row)
		c.kind, c.value = valueOf(v)
	}
}

func valueOf(v any) (kind, string) {
	switch v := v.(type) {
	case nil:
		return blank, ""
	case string:
		if v == "" {
			return blank, ""
		}
		return text, v
	case int:
		return number, strconv.Itoa(v)
	case int64:
		return number, strconv.FormatInt(v, 10)
	case int32:
		return number, strconv.FormatInt(int64(v), 10)
	case uint:
		return number, strconv.FormatUint(uint64(v), 10)
	case float64:
		return floatValue(v, 64)
	case float32:
		return floatValue(float64(v), 32)
	case bool:
		if v {
			return boolean, "1"
		}
		return boolean, "0"
	case fmt.Stringer:
		return valueOf(v.String())
	default:
		return valueOf(fmt.Sprint(v))
	}
}

func floatValue(f float64, bits int) (kind, string) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return text, strconv.FormatFloat(f, 'f', -1, bits)
	}
	return number, strconv.FormatFloat(f, 'f', -1, bits)
}

// SetStyle gives a style to every cell of a rectangle, blank cells
// included (so that blank cells can be unlocked or filled).
func (s *Sheet) SetStyle(fromCol, fromRow, toCol, toRow, style int) {
	for r := fromRow; r <= toRow; r++ {
		for c := fromCol; c <= toCol; c++ {
			s.cell(c, r).style = style
		}
	}
}

// SetColWidth sets the width of columns from to to, in characters.
func (s *Sheet) SetColWidth(from, to int, width float64) {
	for len(s.widths) < to {
		s.widths = append(s.widths, 0)
	}
	for c := from; c <= to; c++ {
		s.widths[c-1] = width
	}
}

// FreezeRows keeps the first n rows in view when scrolling.
func (s *Sheet) FreezeRows(n int) { s.frozen = n }

// Protect protects the sheet without a password: locked cells cannot be
// edited, while every cell can be selected and columns resized.
func (s *Sheet) Protect() { s.protected = true }

// AddValidation adds a check of typed values.
func (s *Sheet) AddValidation(v Validation) { s.validations = append(s.validations, v) }

// Bytes writes the workbook.
func (w *Workbook) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := w.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	header = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// Write writes the workbook as an XLSX file.
func (w *Workbook) Write(out io.Writer) error {
	if len(w.sheets) == 0 {
		return fmt.Errorf("xlsx: no sheet")
	}
	seen := map[string]bool{}
	for _, s := range w.sheets {
		if s.name == "" || utf16Len(s.name) > 31 || strings.ContainsAny(s.name, `[]:*?/\`) || seen[strings.ToLower(s.name)] {
			return fmt.Errorf("xlsx: invalid sheet name %q", s.name)
		}
		seen[strings.ToLower(s.name)] = true
	}
	zw := zip.NewWriter(out)
	parts := []struct {
		name  string
		write func(*bufio.Writer)
	}{
		{"[Content_Types].xml", w.contentTypes},
		{"_rels/.rels", func(b *bufio.Writer) {
			b.WriteString(header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/>` +
				`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
				`<Relationship Id="rId3" Type="` + nsRel + `/extended-properties" Target="docProps/app.xml"/>` +
				`</Relationships>`)
		}},
		{"docProps/core.xml", w.core},
		{"docProps/app.xml", func(b *bufio.Writer) {
			b.WriteString(header + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>`)
			escape(b, w.Creator)
			b.WriteString(`</Application></Properties>`)
		}},
		{"xl/workbook.xml", w.workbook},
		{"xl/_rels/workbook.xml.rels", w.workbookRels},
		{"xl/styles.xml", w.stylesheet},
	}
	for i, s := range w.sheets {
		first := i == 0
		parts = append(parts, struct {
			name  string
			write func(*bufio.Writer)
		}{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), func(b *bufio.Writer) { s.write(b, first) }})
	}
	for _, p := range parts {
		f, err := zw.Create(p.name)
		if err != nil {
			return err
		}
		b := bufio.NewWriter(f)
		p.write(b)
		if err := b.Flush(); err != nil {
			return err
		}
	}
	return zw.Close()
}

func (w *Workbook) contentTypes(b *bufio.Writer) {
	b.WriteString(header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	for i := range w.sheets {
		fmt.Fprintf(b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	b.WriteString(`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
		`<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
		`</Types>`)
}

func (w *Workbook) core(b *bufio.Writer) {
	b.WriteString(header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	for _, p := range []struct{ tag, value string }{{"dc:title", w.Title}, {"dc:creator", w.Creator}, {"dc:language", w.Language}} {
		if p.value != "" {
			b.WriteString("<" + p.tag + ">")
			escape(b, p.value)
			b.WriteString("</" + p.tag + ">")
		}
	}
	b.WriteString(`</cp:coreProperties>`)
}

func (w *Workbook) workbook(b *bufio.Writer) {
	b.WriteString(header + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><bookViews><workbookView activeTab="0"/></bookViews><sheets>`)
	for i, s := range w.sheets {
		b.WriteString(`<sheet name="`)
		escape(b, s.name)
		fmt.Fprintf(b, `" sheetId="%d" r:id="rId%d"/>`, i+1, i+1)
	}
	b.WriteString(`</sheets></workbook>`)
}

func (w *Workbook) workbookRels(b *bufio.Writer) {
	b.WriteString(header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	for i := range w.sheets {
		fmt.Fprintf(b, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, i+1)
	}
	fmt.Fprintf(b, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>`, len(w.sheets)+1, nsRel)
	b.WriteString(`</Relationships>`)
}

// stylesheet writes the styles: font 0 is regular, font 1 bold; fills 0
// and 1 are the two a spreadsheet reserves, then one per style with a
// fill; cell format 0 is the default, then one per style.
func (w *Workbook) stylesheet(b *bufio.Writer) {
	const font = `<sz val="11"/><name val="Calibri"/><family val="2"/>`
	b.WriteString(header + `<styleSheet xmlns="` + nsMain + `">` +
		`<fonts count="2"><font>` + font + `</font><font><b/>` + font + `</font></fonts>`)
	fills := 2
	for _, s := range w.styles {
		if s.Fill != "" {
			fills++
		}
	}
	fmt.Fprintf(b, `<fills count="%d"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>`, fills)
	for _, s := range w.styles {
		if s.Fill != "" {
			b.WriteString(`<fill><patternFill patternType="solid"><fgColor rgb="FF`)
			escape(b, strings.ToUpper(s.Fill))
			b.WriteString(`"/><bgColor indexed="64"/></patternFill></fill>`)
		}
	}
	b.WriteString(`</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`)
	fmt.Fprintf(b, `<cellXfs count="%d"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`, len(w.styles)+1)
	fill := 2
	for _, s := range w.styles {
		fontID, fillID := 0, 0
		if s.Bold {
			fontID = 1
		}
		if s.Fill != "" {
			fillID = fill
			fill++
		}
		fmt.Fprintf(b, `<xf numFmtId="0" fontId="%d" fillId="%d" borderId="0" xfId="0"`, fontID, fillID)
		if s.Bold {
			b.WriteString(` applyFont="1"`)
		}
		if s.Fill != "" {
			b.WriteString(` applyFill="1"`)
		}
		if s.Wrap {
			b.WriteString(` applyAlignment="1"`)
		}
		b.WriteString(` applyProtection="1">`)
		if s.Wrap {
			b.WriteString(`<alignment wrapText="1"/>`)
		}
		if s.Unlocked {
			b.WriteString(`<protection locked="0"/>`)
		} else {
			b.WriteString(`<protection locked="1"/>`)
		}
		b.WriteString(`</xf>`)
	}
	b.WriteString(`</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`)
}

func (s *Sheet) write(b *bufio.Writer, first bool) {
	b.WriteString(header + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	cols := 0
	for _, r := range s.rows {
		cols = max(cols, len(r))
	}
	if cols > 0 {
		fmt.Fprintf(b, `<dimension ref="A1:%s"/>`, CellName(cols, len(s.rows)))
	}
	b.WriteString(`<sheetViews><sheetView workbookViewId="0"`)
	if first {
		b.WriteString(` tabSelected="1"`)
	}
	b.WriteString(`>`)
	if s.frozen > 0 {
		top := CellName(1, s.frozen+1)
		fmt.Fprintf(b, `<pane ySplit="%d" topLeftCell="%s" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="%s" sqref="%s"/>`, s.frozen, top, top, top)
	}
	b.WriteString(`</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`)
	if len(s.widths) > 0 {
		b.WriteString(`<cols>`)
		for c := 0; c < len(s.widths); {
			end := c
			for end+1 < len(s.widths) && s.widths[end+1] == s.widths[c] {
				end++
			}
			if s.widths[c] > 0 {
				fmt.Fprintf(b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, c+1, end+1, strconv.FormatFloat(s.widths[c], 'f', -1, 64))
			}
			c = end + 1
		}
		b.WriteString(`</cols>`)
	}
	b.WriteString(`<sheetData>`)
	for i, r := range s.rows {
		if len(r) == 0 {
			continue
		}
		row := strconv.Itoa(i + 1)
		b.WriteString(`<row r="` + row + `">`)
		for j, c := range r {
			if c.kind == blank && c.style == 0 {
				continue
			}
			b.WriteString(`<c r="` + ColumnName(j+1) + row + `"`)
			if c.style > 0 {
				b.WriteString(` s="` + strconv.Itoa(c.style) + `"`)
			}
			switch c.kind {
			case blank:
				b.WriteString(`/>`)
			case number:
				b.WriteString(`><v>` + c.value + `</v></c>`)
			case boolean:
				b.WriteString(` t="b"><v>` + c.value + `</v></c>`)
			case text:
				b.WriteString(` t="inlineStr"><is><t`)
				if strings.ContainsAny(c.value[:1], " \t\r\n") || strings.ContainsAny(c.value[len(c.value)-1:], " \t\r\n") {
					b.WriteString(` xml:space="preserve"`)
				}
				b.WriteString(`>`)
				escape(b, marshalText(c.value))
				b.WriteString(`</t></is></c>`)
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData>`)
	if s.protected {
		// Every right said, whatever the schema's defaults.
		b.WriteString(`<sheetProtection sheet="1" objects="1" scenarios="1" formatCells="1" formatColumns="0" formatRows="1" ` +
			`insertColumns="1" insertRows="1" insertHyperlinks="1" deleteColumns="1" deleteRows="1" ` +
			`selectLockedCells="0" sort="1" autoFilter="1" pivotTables="1" selectUnlockedCells="0"/>`)
	}
	if len(s.validations) > 0 {
		fmt.Fprintf(b, `<dataValidations count="%d">`, len(s.validations))
		for _, v := range s.validations {
			kind := "decimal"
			if v.Whole {
				kind = "whole"
			}
			fmt.Fprintf(b, `<dataValidation type="%s" errorStyle="stop" operator="between" allowBlank="1" showErrorMessage="1" errorTitle="`, kind)
			escape(b, v.ErrorTitle)
			b.WriteString(`" error="`)
			escape(b, v.Error)
			b.WriteString(`" sqref="`)
			escape(b, v.Ref)
			fmt.Fprintf(b, `"><formula1>%s</formula1><formula2>%s</formula2></dataValidation>`,
				strconv.FormatFloat(v.Min, 'f', -1, 64), strconv.FormatFloat(v.Max, 'f', -1, 64))
		}
		b.WriteString(`</dataValidations>`)
	}
	b.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
}

// escape writes a text as XML character data; characters XML cannot hold
// become U+FFFD.
func escape(b *bufio.Writer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// marshalText cuts a text to what a cell holds, and escapes the underscore
// of any "_xHHHH_" it contains (as "_x005F_"), which a reader would
// otherwise take for an escaped character.
func marshalText(s string) string {
	if utf16Len(s) > MaxCellLength {
		n := 0
		for i, r := range s {
			w := 1
			if r >= 0x10000 {
				w = 2
			}
			if n+w > MaxCellLength {
				s = s[:i]
				break
			}
			n += w
		}
	}
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && escaped(s[i:]) {
			out.WriteString("_x005F_")
			continue
		}
		out.WriteByte(s[i])
	}
	return out.String()
}

// escaped reports whether s starts with "_xHHHH_".
func escaped(s string) bool {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range s[2:6] {
		if !isHex(byte(c)) {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
