package interchange

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ctg-territoires/ctg/internal/document"
	"github.com/ctg-territoires/ctg/internal/model"
)

// The archive of a convention is a ZIP holding ArchiveYAML, the
// convention file (EncodeFile), and one entry documents/<sha256> for the
// content of each document it describes.
const (
	ArchiveYAML      = "convention.yaml"
	archiveDocuments = "documents/"
	// MaxArchiveEntries bounds the entries of an archive: the file and
	// its documents.
	MaxArchiveEntries = 10000
	// MaxArchiveTotal bounds what an archive's entries hold once
	// decompressed, all together.
	MaxArchiveTotal = 256 << 20
	// MaxArchiveSize bounds an archive as read: its entries, stored
	// compressed or not, and their headers.
	MaxArchiveSize = MaxArchiveTotal + 8<<20
)

// archiveEpoch is the modification time written on every entry, so that
// the same convention always gives the same archive.
var archiveEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// WriteArchive writes the archive of a convention: its file, then the
// contents, by checksum, in the order of the checksums.
func WriteArchive(file []byte, contents map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, data []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: archiveEpoch})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := put(ArchiveYAML, file); err != nil {
		return nil, err
	}
	sums := make([]string, 0, len(contents))
	for sum := range contents {
		sums = append(sums, sum)
	}
	slices.Sort(sums)
	for _, sum := range sums {
		if err := put(archiveDocuments+sum, contents[sum]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadArchive reads an archive: the convention file and the contents by
// checksum, each checked against its name. It refuses, with a French
// message naming the entry, an archive of more than MaxArchiveEntries
// entries, an entry other than convention.yaml and documents/<sha256>, a
// file over MaxSize, a document over maxDocument bytes, entries that hold
// more than MaxArchiveTotal bytes together (all checked from what the
// archive declares before anything is decompressed, and again while
// reading), and content that does not match its checksum.
func ReadArchive(data []byte, maxDocument int64) ([]byte, map[string][]byte, error) {
	if len(data) > MaxArchiveSize {
		return nil, nil, archiveError("", "archive trop volumineuse (%d Mo au plus)", MaxArchiveSize>>20)
	}
	zr, err := document.OpenZip(data, MaxArchiveEntries)
	switch {
	case errors.Is(err, document.ErrTooManyEntries):
		return nil, nil, archiveError("", "l'archive compte trop d'entrées : %d au plus (le fichier convention.yaml et un fichier par document)", MaxArchiveEntries)
	case err != nil:
		return nil, nil, archiveError("", "archive ZIP illisible ou d'un format non pris en charge")
	}
	var declared uint64
	seen := map[string]bool{}
	for _, f := range zr.File {
		if f.Name != ArchiveYAML && !isDocumentEntry(f.Name) {
			return nil, nil, archiveError(f.Name, "entrée inattendue : une archive ctg ne contient que convention.yaml et documents/<empreinte SHA-256>")
		}
		if seen[f.Name] {
			return nil, nil, archiveError(f.Name, "entrée présente deux fois")
		}
		seen[f.Name] = true
		if f.UncompressedSize64 > MaxArchiveTotal-declared {
			return nil, nil, archiveError("", "les entrées de l'archive dépassent ensemble %d Mo une fois décompressées", MaxArchiveTotal>>20)
		}
		declared += f.UncompressedSize64
	}
	if !seen[ArchiveYAML] {
		return nil, nil, archiveError(ArchiveYAML, "entrée absente : l'archive doit contenir le fichier de la convention")
	}
	var file []byte
	contents := map[string][]byte{}
	for _, f := range zr.File {
		limit := maxDocument
		if f.Name == ArchiveYAML {
			limit = MaxSize
		}
		content, err := document.ReadEntry(f, limit)
		if errors.Is(err, document.ErrEntryTooLarge) {
			return nil, nil, archiveError(f.Name, "entrée trop volumineuse une fois décompressée (%d Mo au plus)", limit>>20)
		}
		if err != nil {
			return nil, nil, archiveError(f.Name, "entrée illisible")
		}
		if f.Name == ArchiveYAML {
			file = content
			continue
		}
		sum := strings.TrimPrefix(f.Name, archiveDocuments)
		if got := sha256.Sum256(content); hex.EncodeToString(got[:]) != sum {
			return nil, nil, archiveError(f.Name, "le contenu ne correspond pas à son empreinte SHA-256 (fichier altéré ou tronqué)")
		}
		contents[sum] = content
	}
	return file, contents, nil
}

func isDocumentEntry(name string) bool {
	sum, ok := strings.CutPrefix(name, archiveDocuments)
	return ok && sha256Pattern.MatchString(sum)
}

// CheckArchiveDocuments checks the documents a file describes against the
// contents of its archive: each has its content, of its size and of its
// type read from the bytes, and every content belongs to a document.
func CheckArchiveDocuments(docs []model.Document, contents map[string][]byte) error {
	ve := &model.ValidationError{}
	used := map[string]bool{}
	for i, d := range docs {
		p := fmt.Sprintf("documents[%d]", i)
		content, ok := contents[d.SHA256]
		used[d.SHA256] = true
		switch {
		case !ok:
			ve.Add(p+".sha256", "« %s » : le contenu de ce document manque dans l'archive (%s%s)", d.Name, archiveDocuments, d.SHA256)
		case int64(len(content)) != d.Size:
			ve.Add(p+".size", "« %s » : %d octets annoncés, %d dans l'archive", d.Name, d.Size, len(content))
		default:
			if typ, err := document.Sniff(content); err != nil || typ != d.ContentType {
				ve.Add(p+".content_type", "« %s » : le contenu n'est pas du type annoncé (%s) ; types acceptés : %s", d.Name, document.TypeName(d.ContentType), document.Accepted)
			}
		}
	}
	sums := make([]string, 0, len(contents))
	for sum := range contents {
		if !used[sum] {
			sums = append(sums, sum)
		}
	}
	slices.Sort(sums)
	for _, sum := range sums {
		ve.Add(archiveDocuments+sum, "contenu qu'aucun document de convention.yaml ne décrit")
	}
	return ve.OrNil()
}

func archiveError(entry, format string, args ...any) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: entry, Message: "archive : " + fmt.Sprintf(format, args...)}}}
}
