package collection

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
)

const sheetPath = "xl/worksheets/sheet1.xml"

// rezip copies a workbook, replacing the content of one entry by what
// write produces.
func rezip(t *testing.T, book []byte, name string, write func(io.Writer)) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			write(w)
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// sheet writes a form sheet: the title, the header, then what rows writes.
func sheet(w io.Writer, rows func(io.Writer)) {
	cell := func(ref, text string) string {
		return fmt.Sprintf(`<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, text)
	}
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	io.WriteString(w, `<row r="1">`+cell("A1", "Collecte")+`</row><row r="2">`)
	for i, c := range formColumns {
		io.WriteString(w, cell(fmt.Sprintf("%c2", 'A'+i), c))
	}
	io.WriteString(w, `</row>`)
	rows(w)
	io.WriteString(w, `</sheetData></worksheet>`)
}

// repeat yields n bytes "A".
func repeat(n int64) io.Reader { return io.LimitReader(aReader{}, n) }

type aReader struct{}

func (aReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

// bigText is a form line whose Texte cell holds n letters.
func bigText(n int64) func(io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is><t>2.1-4</t></is></c><c r="G3" t="inlineStr"><is><t>`)
		io.Copy(w, repeat(n))
		io.WriteString(w, `</t></is></c></row>`)
	}
}

func refusal(t *testing.T, data []byte, want string) {
	t.Helper()
	rows, err := ReadXLSX(data)
	var ve *model.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Error(), want) {
		t.Fatalf("classeur accepté ou mal refusé (%d ligne(s)) : %v ; attendu : %q", len(rows), err, want)
	}
}

// A small file that unzips to far more than a form is refused before it
// is loaded: the size it declares once unzipped is too large.
func TestZipBombRefused(t *testing.T) {
	book, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	bomb := rezip(t, book, sheetPath, func(w io.Writer) { sheet(w, bigText(2*MaxUnzippedSize)) })
	if len(bomb) > 200<<10 {
		t.Fatalf("bombe de %d octets : le test devrait en fabriquer une petite", len(bomb))
	}
	refusal(t, bomb, "trop volumineux une fois décompressé (64 Mo au plus)")
}

// A zip may declare entries smaller than they are: what is actually
// inflated is bounded too.
func TestZipBombWithFalseSizesRefused(t *testing.T) {
	book, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	var sheetXML bytes.Buffer
	sheet(&sheetXML, func(w io.Writer) {}) // the sizes a small sheet would declare
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestSpeed)
	sheet(fw, bigText(2*MaxUnzippedSize))
	fw.Close()
	zr, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == sheetPath {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(sheetXML.Bytes()),
				CompressedSize64: uint64(raw.Len()), UncompressedSize64: uint64(sheetXML.Len())})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(raw.Bytes())
			continue
		}
		w, _ := zw.Create(f.Name)
		rc, _ := f.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	refusal(t, out.Bytes(), "trop volumineux une fois décompressé")
}

// A sheet of more lines than a form can have is refused, even when its
// lines are blank (a single cell far down the sheet).
func TestTooManyLinesRefused(t *testing.T) {
	book, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	many := rezip(t, book, sheetPath, func(w io.Writer) {
		sheet(w, func(w io.Writer) {
			for n := 3; n <= MaxFormRows+10; n++ {
				fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>2.2-1</t></is></c><c r="F%d"><v>%d</v></c></row>`, n, n, n, n)
			}
		})
	})
	refusal(t, many, "dépasse "+indicators.FormatNumber(MaxFormRows)+" lignes")
	far := rezip(t, book, sheetPath, func(w io.Writer) {
		sheet(w, func(w io.Writer) { io.WriteString(w, `<row r="1000000"><c r="F1000000"><v>1</v></c></row>`) })
	})
	refusal(t, far, "dépasse "+indicators.FormatNumber(MaxFormRows)+" lignes")
}

// A cell longer than Excel allows is refused, naming the cell.
func TestOverlongCellRefused(t *testing.T) {
	book, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	refusal(t, rezip(t, book, sheetPath, func(w io.Writer) { sheet(w, bigText(maxCellLength+1)) }), "cellule G3 : texte trop long")
	// Just under the limit, the line is read.
	rows, err := ReadXLSX(rezip(t, book, sheetPath, func(w io.Writer) { sheet(w, bigText(maxCellLength)) }))
	if err != nil || len(rows) != 1 || len(rows[0].Get("Texte")) != maxCellLength {
		t.Fatalf("ligne de %d caractères : %v", maxCellLength, err)
	}
}

// A NUL or an escape hidden in a cell (written _x0000_ in the file) is
// refused: no typed text holds one.
func TestControlCharactersRefused(t *testing.T) {
	book, err := form().XLSX()
	if err != nil {
		t.Fatal(err)
	}
	for _, hidden := range []string{"x_x0000_y", "x_x001B_y"} {
		data := rezip(t, book, sheetPath, func(w io.Writer) {
			sheet(w, func(w io.Writer) {
				io.WriteString(w, `<row r="3"><c r="A3" t="inlineStr"><is><t>2.1-4</t></is></c><c r="G3" t="inlineStr"><is><t>`+hidden+`</t></is></c></row>`)
			})
		})
		refusal(t, data, "cellule G3 : caractère de contrôle")
	}
}
