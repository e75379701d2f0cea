package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrNoSheet is returned by Rows for a sheet the workbook does not have.
var ErrNoSheet = errors.New("xlsx: no such sheet")

// ErrTooManyStrings is returned by Open for a workbook whose table of
// shared strings is longer than Options.MaxSharedStrings.
var ErrTooManyStrings = errors.New("xlsx: too many shared strings")

// Options bound what Open reads.
type Options struct {
	// MaxSharedStrings bounds the workbook's table of shared strings (0: no
	// bound). The size of the file once unzipped is the caller's to check.
	MaxSharedStrings int
}

// Book is a workbook being read.
type Book struct {
	files  map[string]*zip.File
	sheets []sheetRef
	shared []string
}

type sheetRef struct{ name, path string }

// Open reads the structure of a workbook and its shared strings.
func Open(data []byte, opts Options) (*Book, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	b := &Book{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		b.files[f.Name] = f
	}
	workbook := "xl/workbook.xml"
	if rels, err := b.rels("_rels/.rels", ""); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				workbook = r.Target
			}
		}
	}
	var wb struct {
		Sheets []struct {
			Name string     `xml:"name,attr"`
			Attr []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := b.decode(workbook, &wb); err != nil {
		return nil, err
	}
	rels, err := b.rels(path.Join(path.Dir(workbook), "_rels", path.Base(workbook)+".rels"), path.Dir(workbook))
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	shared := ""
	for _, r := range rels {
		targets[r.ID] = r.Target
		if strings.HasSuffix(r.Type, "/sharedStrings") {
			shared = r.Target
		}
	}
	for _, s := range wb.Sheets {
		for _, a := range s.Attr {
			if a.Name.Local == "id" && strings.HasSuffix(a.Name.Space, "/relationships") {
				b.sheets = append(b.sheets, sheetRef{s.Name, targets[a.Value]})
			}
		}
	}
	if shared != "" {
		if b.shared, err = b.sharedStrings(shared, opts.MaxSharedStrings); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Sheets lists the names of the workbook's sheets, in order.
func (b *Book) Sheets() []string {
	names := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		names[i] = s.name
	}
	return names
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

// rels reads a part's relationships, their targets resolved from dir.
func (b *Book) rels(name, dir string) ([]relationship, error) {
	var rels struct {
		Rels []relationship `xml:"Relationship"`
	}
	if err := b.decode(name, &rels); err != nil {
		return nil, err
	}
	for i, r := range rels.Rels {
		if strings.HasPrefix(r.Target, "/") {
			rels.Rels[i].Target = strings.TrimPrefix(r.Target, "/")
		} else {
			rels.Rels[i].Target = path.Join(dir, r.Target)
		}
	}
	return rels.Rels, nil
}

func (b *Book) open(name string) (io.ReadCloser, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, fmt.Errorf("xlsx: %s missing", name)
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{&shortTags{r: r}, r}, nil
}

func (b *Book) decode(name string, v any) error {
	r, err := b.open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	return xml.NewDecoder(r).Decode(v)
}

// The parts of a workbook nest a few elements deep and carry a few
// attributes each; a hostile part may nest millions of elements, or give
// one element millions of attributes, which the XML decoder would keep in
// memory. maxDepth bounds the nesting, maxTag the bytes of a tag.
const (
	maxDepth = 32
	maxTag   = 64 << 10
)

// ErrTooDeep and ErrTagTooLong refuse a part beyond those bounds.
var (
	ErrTooDeep    = errors.New("xlsx: elements nested too deep")
	ErrTagTooLong = errors.New("xlsx: tag too long")
)

// shortTags reads a part, refusing a tag (from "<" to ">") longer than
// maxTag before the decoder reads it whole.
type shortTags struct {
	r     io.Reader
	inTag bool
	n     int
}

func (t *shortTags) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for _, c := range p[:n] {
		switch {
		case c == '<':
			t.inTag, t.n = true, 0
		case c == '>':
			t.inTag = false
		case t.inTag:
			if t.n++; t.n > maxTag {
				return 0, ErrTagTooLong
			}
		}
	}
	return n, err
}

// decoder is an XML decoder refusing elements nested deeper than
// maxDepth.
type decoder struct {
	*xml.Decoder
	depth int
}

func newDecoder(r io.Reader) *decoder { return &decoder{Decoder: xml.NewDecoder(r)} }

// Token is the decoder's, with the nesting counted.
func (d *decoder) Token() (xml.Token, error) {
	tok, err := d.Decoder.Token()
	switch tok.(type) {
	case xml.StartElement:
		if d.depth++; d.depth > maxDepth {
			return nil, ErrTooDeep
		}
	case xml.EndElement:
		d.depth--
	}
	return tok, err
}

// Skip reads up to the end of the element just started, through Token.
func (d *decoder) Skip() error {
	_, err := readUntilEnd(d, func(string, int) {}, func() bool { return false })
	return err
}

// sharedStrings reads the table of shared strings: the text of each item,
// its runs joined, phonetic guides left out.
func (b *Book) sharedStrings(name string, limit int) ([]string, error) {
	r, err := b.open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	d := newDecoder(r)
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if start, ok := tok.(xml.StartElement); ok && start.Name.Local == "si" {
			if limit > 0 && len(out) >= limit {
				return nil, ErrTooManyStrings
			}
			s, err := readText(d)
			if err != nil {
				return nil, err
			}
			out = append(out, unmarshalText(s))
		}
	}
}

// readText reads up to the end of the current element and returns the
// text of its <t> elements, except those of phonetic runs (<rPh>).
func readText(d *decoder) (string, error) {
	phonetic, inT := 0, 0
	return readUntilEnd(d, func(name string, by int) {
		switch name {
		case "rPh":
			phonetic += by
		case "t":
			inT += by
		}
	}, func() bool { return inT > 0 && phonetic == 0 })
}

// readUntilEnd reads up to the end of the current element and returns the
// character data that keep accepts; nested is told of each element
// entered (by 1) and left (by -1) within it.
func readUntilEnd(d *decoder, nested func(name string, by int), keep func() bool) (string, error) {
	var text strings.Builder
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", unexpected(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			nested(t.Name.Local, 1)
		case xml.EndElement:
			if depth == 0 {
				return text.String(), nil
			}
			depth--
			nested(t.Name.Local, -1)
		case xml.CharData:
			if keep() {
				text.Write(t)
			}
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Rows calls fn with each row of a sheet, in order: its number (from 1)
// and the raw values of its cells from column A, blank cells as "",
// without the blank cells after the last one that holds something. Rows
// absent from the file are skipped. Strings are given as written; numbers,
// dates and booleans as stored ("254", "0.5", "1"), whatever their display
// format; a formula's last computed value. An error from fn stops the
// reading and is returned.
func (b *Book) Rows(sheet string, fn func(row int, cells []string) error) error {
	name := ""
	for _, s := range b.sheets {
		if s.name == sheet {
			name = s.path
		}
	}
	if name == "" {
		return ErrNoSheet
	}
	r, err := b.open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	d := newDecoder(r)
	row := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		start, ok := tok.(xml.StartElement)
		if !ok || start.Name.Local != "row" {
			continue
		}
		next := row + 1
		if ref := attr(start, "r"); ref != "" {
			if next, err = strconv.Atoi(ref); err != nil || next <= row || next > MaxRows {
				return fmt.Errorf("xlsx: row %q out of order", ref)
			}
		} else if next > MaxRows {
			return fmt.Errorf("xlsx: too many rows")
		}
		row = next
		cells, err := b.readRow(d)
		if err != nil {
			return err
		}
		if err := fn(row, cells); err != nil {
			return err
		}
	}
}

func attr(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// readRow reads the cells of a <row> element, up to its end.
func (b *Book) readRow(d *decoder) ([]string, error) {
	var cells []string
	col := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, unexpected(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return cells, nil
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := d.Skip(); err != nil {
					return nil, err
				}
				continue
			}
			next := col + 1
			if ref := attr(t, "r"); ref != "" {
				c, _, ok := parseRef(ref)
				if !ok || c <= col {
					return nil, fmt.Errorf("xlsx: cell %q out of order", ref)
				}
				next = c
			} else if next > MaxColumns {
				return nil, fmt.Errorf("xlsx: too many columns")
			}
			col = next
			value, formula, err := b.readCell(d, attr(t, "t"))
			if err != nil {
				return nil, err
			}
			if value != "" || formula {
				for len(cells) < col-1 {
					cells = append(cells, "")
				}
				cells = append(cells, value)
			}
		}
	}
}

// readCell reads a <c> element of type typ, up to its end: its raw value,
// and whether it holds a formula.
func (b *Book) readCell(d *decoder, typ string) (string, bool, error) {
	var v strings.Builder
	inline, formula := "", false
	for {
		tok, err := d.Token()
		if err != nil {
			return "", false, unexpected(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			switch typ {
			case "s":
				if v.Len() == 0 {
					return "", formula, nil
				}
				i, err := strconv.Atoi(strings.TrimSpace(v.String()))
				if err != nil || i < 0 || i >= len(b.shared) {
					return "", false, fmt.Errorf("xlsx: shared string %q missing", v.String())
				}
				return b.shared[i], formula, nil
			case "inlineStr":
				if inline != "" || v.Len() == 0 {
					return unmarshalText(inline), formula, nil
				}
			}
			return v.String(), formula, nil
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				s, err := readChars(d)
				if err != nil {
					return "", false, err
				}
				v.WriteString(s)
			case "is":
				if inline, err = readText(d); err != nil {
					return "", false, err
				}
			case "f":
				formula = true
				if err := d.Skip(); err != nil {
					return "", false, err
				}
			default:
				if err := d.Skip(); err != nil {
					return "", false, err
				}
			}
		}
	}
}

// readChars reads the character data of the current element, up to its
// end.
func readChars(d *decoder) (string, error) {
	return readUntilEnd(d, func(string, int) {}, func() bool { return true })
}

// unmarshalText decodes the "_xHHHH_" escapes of a text (characters that
// XML cannot hold, and "_x005F_" for an underscore).
func unmarshalText(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if !escaped(s[i:]) {
			out.WriteByte(s[i])
			i++
			continue
		}
		u, _ := strconv.ParseUint(s[i+2:i+6], 16, 16)
		i += 7
		r := rune(u)
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
			if u >= 0xD800 && u < 0xDC00 && escaped(s[i:]) {
				if low, _ := strconv.ParseUint(s[i+2:i+6], 16, 16); low >= 0xDC00 && low < 0xE000 {
					r = utf16.DecodeRune(rune(u), rune(low))
					i += 7
				}
			}
		}
		out.WriteRune(r)
	}
	return out.String()
}
