package store

import (
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/ctg-territoires/ctg/internal/model"
)

// auditRowsJSON writes rows as encoding/json writes them (the same bytes:
// fields in order, empty maps left out, keys sorted, the same escapes),
// without its reflection, into a buffer of their size given once: an
// import of 100,000 values lists them all, in tens of megabytes.
func auditRowsJSON(rows []model.AuditRow) string {
	size := 2
	for _, r := range rows {
		size += 48 + len(r.Action) + len(r.ObjectID) + len(r.Label)
		for _, m := range []map[string]string{r.Before, r.After} {
			size += 12
			for k, v := range m {
				size += len(k) + len(v) + 6
			}
		}
	}
	b := appendAuditRows(make([]byte, 0, size), rows)
	// b is not written again: the string shares its bytes instead of
	// copying tens of megabytes.
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendAuditRows appends rows as encoding/json writes them.
func appendAuditRows(b []byte, rows []model.AuditRow) []byte {
	b = append(b, '[')
	var keys []string
	for i, r := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"action":`...)
		b = appendJSONString(b, r.Action)
		b = append(b, `,"object_id":`...)
		b = appendJSONString(b, r.ObjectID)
		b = append(b, `,"label":`...)
		b = appendJSONString(b, r.Label)
		for _, f := range []struct {
			name string
			m    map[string]string
		}{{`,"before":`, r.Before}, {`,"after":`, r.After}} {
			if len(f.m) == 0 {
				continue
			}
			b = append(b, f.name...)
			keys = keys[:0]
			for k := range f.m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			b = append(b, '{')
			for k, key := range keys {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendJSONString(b, key)
				b = append(b, ':')
				b = appendJSONString(b, f.m[key])
			}
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString appends s quoted as encoding/json quotes it, HTML
// characters escaped and invalid UTF-8 replaced.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
