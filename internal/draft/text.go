package draft

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// bulletChars are the list markers text extraction leaves at the start of
// a line (some fonts' bullets come out as private-use characters).
const bulletChars = "-•▪◦●○■□➢➤✓\uf0b7\uf0a7\uf0d8\uf076\uf0fc"

// clean trims a line and collapses its inner spaces.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// unbullet removes a list marker at the start of a trimmed line.
func unbullet(s string) (string, bool) {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) > 0 && strings.ContainsRune(bulletChars, r[0]) {
		// "-" only counts as a marker when a space follows ("-1" is not one).
		if r[0] == '-' && (len(r) == 1 || !unicode.IsSpace(r[1])) {
			return s, false
		}
		return strings.TrimSpace(string(r[1:])), true
	}
	return s, false
}

// indented reports whether a raw line starts with a space or a marker:
// where the extraction lost a bullet, the space it stood before remains.
func indented(raw string) bool {
	if raw == "" {
		return false
	}
	if _, ok := unbullet(raw); ok {
		return true
	}
	return raw[0] == ' ' || raw[0] == '\t'
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

var (
	pageNumber = textutil.LazyRegexp(`^\s*\d{1,3}\s*$`)
	ackLine    = textutil.LazyRegexp(`^\s*(Accusé de réception en préfecture|\d{3}-\d{9}-\d{8}-.+|Date de (réception|télétransmission|publication).*)\s*$`)
)

// noise reports lines that the page layout adds to the text: page numbers
// and the prefecture's stamp.
func noise(s string) bool { return pageNumber.MatchString(s) || ackLine.MatchString(s) }

// para is a paragraph of consecutive lines and the line it starts on.
type para struct {
	text     string
	line     int
	indented bool
}

// paragraphs joins consecutive lines of lines[from:to] (0-based) into
// paragraphs; a blank line or a list marker starts a new one.
func paragraphs(lines []string, from, to int) []para {
	var out []para
	var cur []string
	start, ind := 0, false
	flush := func() {
		if len(cur) > 0 {
			out = append(out, para{text: strings.Join(cur, " "), line: start + 1, indented: ind})
		}
		cur = nil
	}
	for i := from; i < to && i < len(lines); i++ {
		raw := lines[i]
		if blank(raw) || noise(raw) {
			flush()
			continue
		}
		text, bullet := unbullet(raw)
		if bullet {
			flush()
		}
		if len(cur) == 0 {
			start, ind = i, indented(raw)
			if bullet {
				text = "- " + text
			}
		}
		cur = append(cur, clean(text))
	}
	flush()
	return out
}

func joinParas(ps []para) string {
	var b []string
	for _, p := range ps {
		b = append(b, p.text)
	}
	return strings.Join(b, "\n\n")
}

var months = map[string]time.Month{
	"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
	"aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12,
}

const frenchDatePattern = `(1er|[0-3]?\d)\s+(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)\s+(\d{4})`

var (
	frenchDate  = textutil.LazyRegexp(`(?i)` + frenchDatePattern)
	numericDate = textutil.LazyRegexp(`\b([0-3]?\d)/([01]?\d)/(\d{4})\b`)
)

// parseDate reads the first French date of s ("1er janvier 2022",
// "09/11/2022") and returns it with the text as written.
func parseDate(s string) (*model.Date, string) {
	if m := frenchDate.FindStringSubmatch(s); m != nil {
		day := 1
		if m[1] != "1er" {
			day, _ = strconv.Atoi(m[1])
		}
		year, _ := strconv.Atoi(m[3])
		d := model.Date{Year: year, Month: months[textutil.Fold(m[2])], Day: day}
		if real(d) {
			return &d, m[0]
		}
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		day, _ := strconv.Atoi(m[1])
		month, _ := strconv.Atoi(m[2])
		year, _ := strconv.Atoi(m[3])
		d := model.Date{Year: year, Month: time.Month(month), Day: day}
		if real(d) {
			return &d, m[0]
		}
	}
	return nil, ""
}

// real rejects impossible days (31 février).
func real(d model.Date) bool {
	if d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return model.DateOf(d.Time()) == d
}

// tokens returns the significant words of a name, folded, for comparing
// names written differently ("CC Pays Forcalquier et Montagne de Lure",
// "Communauté de Communes Pays de Forcalquier Montagne de Lure").
func tokens(s string) map[string]bool {
	s = textutil.Fold(s)
	s = strings.NewReplacer("communaute de communes", " ", "communaute d'agglomeration", " ", "communaute urbaine", " ", "commune de ", " ", "ville de ", " ").Replace(s)
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "de", "du", "des", "la", "le", "les", "l", "d", "et", "en", "sur", "sous", "aux", "a", "cc", "ca", "cu":
			continue
		case "st":
			w = "saint"
		case "ste":
			w = "sainte"
		}
		out[w] = true
	}
	return out
}

// similarity is the share of words two names have in common.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

// slugify makes a key from a name: lower case, digits and dashes.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range textutil.Fold(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 60 {
		out = strings.TrimSuffix(out[:60], "-")
	}
	return out
}
