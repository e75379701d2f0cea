package report

import (
	"strings"
	"sync"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// pdf is the document every PDF of ctg is drawn on. Its methods that take
// a text pass it through printable before fpdf sees it: fpdf stops a
// whole document on a character beyond U+FFFF ("character outside the
// supported range") and draws an empty glyph for one the fonts lack, so a
// single emoji typed in a name or an agenda would otherwise cost the
// convocation, the minutes or the register. Draw text only through these
// methods.
type pdf struct{ *fpdf.Fpdf }

func (p *pdf) CellFormat(w, h float64, text, border string, ln int, align string, fill bool, link int, linkURL string) {
	p.Fpdf.CellFormat(w, h, printable(text), border, ln, align, fill, link, linkURL)
}

func (p *pdf) Cell(w, h float64, text string) { p.Fpdf.Cell(w, h, printable(text)) }

func (p *pdf) MultiCell(w, h float64, text, border, align string, fill bool) {
	p.Fpdf.MultiCell(w, h, printable(text), border, align, fill)
}

func (p *pdf) Text(x, y float64, text string) { p.Fpdf.Text(x, y, printable(text)) }

func (p *pdf) Write(h float64, text string) { p.Fpdf.Write(h, printable(text)) }

func (p *pdf) SplitText(text string, w float64) []string { return p.Fpdf.SplitText(printable(text), w) }

func (p *pdf) GetStringWidth(text string) float64 { return p.Fpdf.GetStringWidth(printable(text)) }

func (p *pdf) Bookmark(text string, level int, y float64) { p.Fpdf.Bookmark(printable(text), level, y) }

// SetTitle sets the document's title, which fpdf cannot encode beyond U+FFFF either.
func (p *pdf) SetTitle(text string, isUTF8 bool) { p.Fpdf.SetTitle(printable(text), isUTF8) }

// missing stands for a character the fonts cannot draw: a white square,
// as a reader knows it from screens, rather than a silent gap.
const missing = '□'

// printable returns text as the embedded fonts can draw it: composed
// (NFC, so that a letter typed with a combining accent keeps its accent),
// a tab as a space, other control and invisible formatting characters
// the fonts lack left out, a character the fonts lack replaced by its
// compatibility equivalent when they draw that (a full-width letter, a
// mathematical letter), otherwise by a white square. French typography
// (œ, «», narrow no-break spaces, curly quotes, dashes, …, €) is in the
// fonts and kept as is.
func printable(text string) string {
	text = norm.NFC.String(text)
	ok := true
	for _, r := range text {
		if !drawable(r) {
			ok = false
			break
		}
	}
	if ok {
		return text
	}
	var b strings.Builder
	for _, r := range text {
		switch {
		case drawable(r):
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) || isEmojiModifier(r):
			// Nothing to draw: a control character, or an invisible mark
			// acting on a neighbour (a joiner, an emoji's skin tone).
		default:
			if alt := norm.NFKC.String(string(r)); alt != string(r) && allDrawable(alt) {
				b.WriteString(alt)
			} else {
				b.WriteRune(missing)
			}
		}
	}
	return b.String()
}

func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

func allDrawable(s string) bool {
	for _, r := range s {
		if !drawable(r) {
			return false
		}
	}
	return true
}

// drawable reports whether both embedded fonts, the regular and the bold,
// have a glyph for r, and fpdf can write it (it stops at U+FFFF). A line
// break is drawable: MultiCell breaks the line there.
func drawable(r rune) bool {
	if r == '\n' {
		return true
	}
	if r < 0 || r > 0xFFFF {
		return false
	}
	return glyphs()[r/64]&(1<<(r%64)) != 0
}

// glyphs is the set of the characters up to U+FFFF both fonts draw, one
// bit each, read once from their character maps.
var glyphs = sync.OnceValue(func() *[1024]uint64 {
	var set [1024]uint64
	for i := range set {
		set[i] = ^uint64(0)
	}
	var buf sfnt.Buffer
	for _, data := range [][]byte{fontRegular, fontBold} {
		f, err := sfnt.Parse(data)
		if err != nil {
			panic("report: police embarquée illisible : " + err.Error())
		}
		for r := rune(0); r <= 0xFFFF; r++ {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				set[r/64] &^= 1 << (r % 64)
			}
		}
	}
	// Control characters, but for the line break, are not text to draw;
	// nor are variation selectors, which ask for a presentation (an
	// emoji's colour) fpdf cannot give.
	for r := rune(0); r <= 0xFFFF; r++ {
		if unicode.IsControl(r) && r != '\n' || unicode.Is(unicode.Variation_Selector, r) {
			set[r/64] &^= 1 << (r % 64)
		}
	}
	return &set
})
