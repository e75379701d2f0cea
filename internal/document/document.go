// Package document decides what a file attached to a convention is: its
// content type, read from its bytes and never from its name, and a name
// safe to store and to send back.
package document

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The content types accepted.
const (
	PDF  = "application/pdf"
	PNG  = "image/png"
	JPEG = "image/jpeg"
	ODT  = "application/vnd.oasis.opendocument.text"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// Accepted names the accepted types in French, for the messages.
const Accepted = "PDF, ODT, DOCX, XLSX, PNG ou JPEG"

// typeNames are the short names of the accepted types.
var typeNames = map[string]string{PDF: "PDF", PNG: "PNG", JPEG: "JPEG", ODT: "ODT", DOCX: "DOCX", XLSX: "XLSX"}

// Known reports whether contentType is one of the accepted types.
func Known(contentType string) bool {
	_, ok := typeNames[contentType]
	return ok
}

// TypeName is the short name of a content type ("PDF"), or the type itself.
func TypeName(contentType string) string {
	if n, ok := typeNames[contentType]; ok {
		return n
	}
	return contentType
}

// maxEntries bounds the entries of an archive: a text or a workbook has
// a few dozen, a few hundred with many images.
const maxEntries = 2000

// ErrUnknownType is returned for content that is none of the accepted types.
var ErrUnknownType = errors.New("type de fichier non accepté")

// Sniff returns the content type of data, decided from its bytes alone,
// or ErrUnknownType. An archive (ODT, DOCX, XLSX) is recognized from its
// directory of entries; nothing is decompressed but the few bytes of the
// ODT's "mimetype" entry, so that an archive bomb is never expanded.
func Sniff(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return PDF, nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return JPEG, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return sniffArchive(data)
	}
	return "", ErrUnknownType
}

func sniffArchive(data []byte) (string, error) {
	zr, err := OpenZip(data, maxEntries)
	if err != nil || len(zr.File) == 0 {
		return "", ErrUnknownType
	}
	// An OpenDocument text starts with its uncompressed "mimetype" entry.
	if first := zr.File[0]; first.Name == "mimetype" {
		if first.Method != zip.Store || first.UncompressedSize64 != uint64(len(ODT)) {
			return "", ErrUnknownType
		}
		rc, err := first.Open()
		if err != nil {
			return "", ErrUnknownType
		}
		defer rc.Close()
		head, err := io.ReadAll(io.LimitReader(rc, int64(len(ODT))+1))
		if err != nil || string(head) != ODT {
			return "", ErrUnknownType
		}
		return ODT, nil
	}
	contentTypes, word, xl := false, false, false
	for _, f := range zr.File {
		switch {
		case f.Name == "[Content_Types].xml":
			contentTypes = true
		case strings.HasPrefix(f.Name, "word/"):
			word = true
		case strings.HasPrefix(f.Name, "xl/"):
			xl = true
		}
	}
	switch {
	case contentTypes && word && !xl:
		return DOCX, nil
	case contentTypes && xl && !word:
		return XLSX, nil
	}
	return "", ErrUnknownType
}

// The errors of OpenZip and ReadEntry.
var (
	// ErrNotZip: the data is not a ZIP archive ctg reads (or is ZIP64).
	ErrNotZip = errors.New("archive ZIP illisible")
	// ErrTooManyEntries: the archive declares more entries than allowed.
	ErrTooManyEntries = errors.New("trop d'entrées dans l'archive")
	// ErrEntryTooLarge: an entry would decompress past its limit.
	ErrEntryTooLarge = errors.New("entrée trop volumineuse une fois décompressée")
)

// IsZip reports whether data starts like a ZIP archive.
func IsZip(data []byte) bool { return bytes.HasPrefix(data, []byte("PK\x03\x04")) }

// OpenZip reads the directory of a ZIP archive once its end record alone
// says it holds at most max entries: an archive declaring many thousands
// is refused (ErrTooManyEntries) before its directory is parsed.
func OpenZip(data []byte, max int) (*zip.Reader, error) {
	n, ok := entryCount(data)
	if !ok {
		return nil, ErrNotZip
	}
	if n > max {
		return nil, fmt.Errorf("%w : %d, %d au plus", ErrTooManyEntries, n, max)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, ErrNotZip
	}
	if len(zr.File) > max {
		return nil, fmt.Errorf("%w : %d, %d au plus", ErrTooManyEntries, len(zr.File), max)
	}
	return zr, nil
}

// ReadEntry decompresses an entry of at most limit bytes. The size the
// entry declares is checked before anything is inflated, and the reading
// stops past limit whatever it declared, so that an archive bomb (a few
// kilobytes that inflate to gigabytes) is never expanded.
func ReadEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, ErrEntryTooLarge
	}
	rc, err := f.Open()
	if err != nil {
		return nil, ErrNotZip
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	switch {
	case int64(len(data)) > limit:
		return nil, ErrEntryTooLarge
	case err != nil:
		return nil, ErrNotZip
	}
	return data, nil
}

// entryCount reads the number of entries an archive declares in its end
// of central directory record, before anything else of it is read. An
// archive in the ZIP64 format (more than 65 534 entries, or larger than
// 4 Gio) is not one a text or a workbook needs: it is reported as not ok.
func entryCount(data []byte) (int, bool) {
	const eocdSize, maxComment = 22, 0xffff
	start := max(0, len(data)-eocdSize-maxComment)
	i := bytes.LastIndex(data[start:], []byte("PK\x05\x06"))
	if i < 0 || start+i+eocdSize > len(data) {
		return 0, false
	}
	rec := data[start+i:]
	n := binary.LittleEndian.Uint16(rec[10:12])
	if n == 0xffff || binary.LittleEndian.Uint32(rec[16:20]) == 0xffffffff {
		return 0, false
	}
	return int(n), true
}

// maxNameLength bounds a file name, in characters.
const maxNameLength = 120

// CleanName returns a file name safe to store and show: its last path
// element only (either slash), without control or invisible formatting
// characters (which could disguise its extension), without leading dots,
// at most maxNameLength characters with its extension kept; "document"
// when nothing is left.
func CleanName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\u00a0':
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, name)
	name = strings.TrimLeft(strings.TrimSpace(name), ". ")
	if utf8.RuneCountInString(name) > maxNameLength {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		runes := []rune(strings.TrimSuffix(name, ext))
		name = strings.TrimSpace(string(runes[:maxNameLength-utf8.RuneCountInString(ext)])) + ext
	}
	if name == "" {
		return "document"
	}
	return name
}

// SizeText writes a size in French units: "850 octets", "12,4 ko", "3,2 Mo".
func SizeText(n int64) string {
	const k = 1024
	switch {
	case n < k:
		if n <= 1 {
			return fmt.Sprintf("%d octet", n)
		}
		return fmt.Sprintf("%d octets", n)
	case n < k*k:
		return decimal(float64(n)/k) + " ko"
	}
	return decimal(float64(n)/(k*k)) + " Mo"
}

// decimal writes x with one decimal, the French way, without ",0".
func decimal(x float64) string {
	s := fmt.Sprintf("%.1f", x)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1)
}
