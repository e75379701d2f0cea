package document

import (
	"archive/zip"
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// archive writes a ZIP file holding the named entries, each stored
// (uncompressed) when its name is in stored.
func archive(t *testing.T, entries [][2]string, stored ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e[0], Method: zip.Deflate}
		for _, s := range stored {
			if s == e[0] {
				h.Method = zip.Store
			}
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func realXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	_ = f.SetCellValue("Sheet1", "A1", "Indicateur")
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSniffDecidesFromTheBytes(t *testing.T) {
	odt := archive(t, [][2]string{{"mimetype", ODT}, {"content.xml", "<office:document-content/>"}, {"META-INF/manifest.xml", "<m/>"}}, "mimetype")
	docx := archive(t, [][2]string{{"[Content_Types].xml", "<Types/>"}, {"_rels/.rels", "<r/>"}, {"word/document.xml", "<w:document/>"}})
	ok := []struct {
		name string
		data []byte
		want string
	}{
		{"PDF", []byte("%PDF-1.7\n1 0 obj\n"), PDF},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), PNG},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), JPEG},
		{"ODT", odt, ODT},
		{"DOCX", docx, DOCX},
		{"XLSX", realXLSX(t), XLSX},
	}
	for _, c := range ok {
		if got, err := Sniff(c.data); err != nil || got != c.want {
			t.Errorf("%s : %q %v", c.name, got, err)
		}
	}
	refused := []struct {
		name string
		data []byte
	}{
		{"HTML nommé .pdf", []byte("<!doctype html><html><script>alert(1)</script>%PDF-")},
		{"vide", nil},
		{"texte", []byte("Délibération n° 2022-99")},
		{"ZIP quelconque", archive(t, [][2]string{{"photo.txt", "bonjour"}})},
		{"ZIP avec word/ sans [Content_Types].xml", archive(t, [][2]string{{"word/document.xml", "<w/>"}})},
		{"ODT dont mimetype est compressé", archive(t, [][2]string{{"mimetype", ODT}, {"content.xml", "<c/>"}})},
		{"OpenDocument tableur", archive(t, [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}}, "mimetype")},
		{"ZIP tronqué", odt[:len(odt)/2]},
	}
	for _, c := range refused {
		if got, err := Sniff(c.data); !errors.Is(err, ErrUnknownType) {
			t.Errorf("%s : accepté comme %q (%v)", c.name, got, err)
		}
	}
}

// An archive whose entries expand to far more than its size is recognized
// (or refused) without being expanded.
func TestSniffNeverExpandsAnArchive(t *testing.T) {
	zeros := strings.Repeat("\x00", 64<<20)
	bombs := map[string][]byte{
		DOCX: archive(t, [][2]string{{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", zeros}}),
		"":   archive(t, [][2]string{{"mimetype", zeros}}),
	}
	for want, data := range bombs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got, err := Sniff(data)
		runtime.ReadMemStats(&after)
		if got != want || (want == "" && !errors.Is(err, ErrUnknownType)) {
			t.Errorf("archive de %d octets : %q %v, %q attendu", len(data), got, err, want)
		}
		if grown := after.TotalAlloc - before.TotalAlloc; grown > 4<<20 {
			t.Errorf("archive de %d octets : %d octets alloués pour la reconnaître", len(data), grown)
		}
	}
}

// An archive declaring more entries than a document has is refused before
// its directory is read.
func TestSniffRefusesAnArchiveOfTooManyEntries(t *testing.T) {
	entries := [][2]string{{"[Content_Types].xml", "<Types/>"}, {"word/document.xml", "<w/>"}}
	for i := 0; i < maxEntries; i++ {
		entries = append(entries, [2]string{"word/media/" + strings.Repeat("x", 3) + string(rune('a'+i%26)) + itoa(i), ""})
	}
	if got, err := Sniff(archive(t, entries)); !errors.Is(err, ErrUnknownType) {
		t.Errorf("archive de %d entrées : %q %v", len(entries), got, err)
	}
}

func itoa(i int) string {
	var b []byte
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		if i /= 10; i == 0 {
			return string(b)
		}
	}
}

func TestCleanName(t *testing.T) {
	cases := map[string]string{
		"délibération.pdf":                     "délibération.pdf",
		"../../etc/passwd":                     "passwd",
		`C:\Users\coord\Mes documents\ctg.pdf`: "ctg.pdf",
		"rapport\x00\r\n.pdf":                  "rapport.pdf",
		"facture\u202efdp.exe":                 "facturefdp.exe",
		"  .cache  ":                           "cache",
		"":                                     "document",
		"/":                                    "document",
		"convention\tsignée.pdf":               "convention signée.pdf",
	}
	for in, want := range cases {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, %q attendu", in, got, want)
		}
	}
	long := CleanName(strings.Repeat("é", 300) + ".pdf")
	if n := len([]rune(long)); n != maxNameLength || !strings.HasSuffix(long, ".pdf") {
		t.Errorf("nom long : %d caractères, %q", n, long)
	}
}

func TestSizeText(t *testing.T) {
	cases := map[int64]string{0: "0 octet", 850: "850 octets", 1024: "1 ko", 12697: "12,4 ko", 3355443: "3,2 Mo", 10 << 20: "10 Mo"}
	for n, want := range cases {
		if got := SizeText(n); got != want {
			t.Errorf("SizeText(%d) = %q, %q attendu", n, got, want)
		}
	}
}
