package document

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.DecodeConfig
	_ "image/png"  // registers the PNG decoder for image.DecodeConfig
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/textutil"
)

// SVG is the content type of an SVG logo.
const SVG = "image/svg+xml"

// LogoAccepted names the types a logo may have, in French.
const LogoAccepted = "PNG, JPEG ou SVG"

// MaxLogoPixels bounds each dimension of a PNG or JPEG logo, read from its
// header before anything is decoded: a logo of a few kilobytes cannot make
// the server allocate gigabytes.
const MaxLogoPixels = 4000

// Bounds of an SVG logo's structure.
const (
	maxSVGTokens = 200000
	maxSVGDepth  = 100
)

// LogoInfo is what the bytes of a logo say.
type LogoInfo struct {
	ContentType   string
	Width, Height int
}

// ErrUnsafeLogo is the cause of every refusal of SniffLogo; the message
// says what was refused, in French.
var ErrUnsafeLogo = errors.New("logo refusé")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w : "+format, append([]any{ErrUnsafeLogo}, args...)...)
}

// SniffLogo decides from its bytes whether data is a logo ctg serves: a
// PNG or a JPEG whose declared dimensions are at most MaxLogoPixels, or
// an SVG without anything a browser could run or fetch (scripts, event
// handlers, foreign objects, external references, DOCTYPE and entities).
func SniffLogo(data []byte) (LogoInfo, error) {
	switch t, _ := Sniff(data); t {
	case PNG, JPEG:
		cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil || (format != "png" && format != "jpeg") {
			return LogoInfo{}, refuse("image %s illisible", TypeName(t))
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxLogoPixels || cfg.Height > MaxLogoPixels {
			return LogoInfo{}, refuse("l'image mesure %d × %d pixels, %d × %d au plus", cfg.Width, cfg.Height, MaxLogoPixels, MaxLogoPixels)
		}
		return LogoInfo{ContentType: t, Width: cfg.Width, Height: cfg.Height}, nil
	}
	if looksLikeXML(data) {
		if err := checkSVG(data); err != nil {
			return LogoInfo{}, err
		}
		return LogoInfo{ContentType: SVG}, nil
	}
	return LogoInfo{}, refuse("ce n'est pas une image %s (le type est lu dans le contenu du fichier, pas dans son nom)", LogoAccepted)
}

// looksLikeXML reports whether data starts, after a byte-order mark and
// blanks, with markup.
func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("<"))
}

// cssURL finds the url(…) references of style text, with their target.
var cssURL = textutil.LazyRegexp(`(?i)url\s*\(\s*['"]?\s*([^'")\s]*)`)

// cssFetch finds what in style text fetches or runs anything other than
// a url(#id): @import, the image functions that take an address or a
// string, src() and expression().
var cssFetch = textutil.LazyRegexp(`(?i)@import|(?:image-set|image|cross-fade|src|expression)\s*\(`)

// cssString finds the quoted strings of style text.
var cssString = textutil.LazyRegexp(`"[^"]*"|'[^']*'`)

// MaxSVGSize bounds the width and height an SVG logo declares on its
// root, and the dimensions of its viewBox, in pixels.
const MaxSVGSize = MaxLogoPixels

// svgElements are the elements an SVG logo may hold: shapes, text,
// groups, paint servers, clipping and masking, filters, a few
// animations, and what describes the drawing. Names are lower case.
var svgElements = map[string]bool{
	"svg": true, "g": true, "defs": true, "use": true, "symbol": true, "a": true, "image": true, "marker": true,
	"path": true, "rect": true, "circle": true, "ellipse": true, "line": true, "polyline": true, "polygon": true,
	"text": true, "tspan": true, "textpath": true,
	"lineargradient": true, "radialgradient": true, "stop": true, "clippath": true, "mask": true, "pattern": true,
	"title": true, "desc": true, "style": true, "metadata": true,
	"filter": true, "fegaussianblur": true, "feoffset": true, "feblend": true, "fecolormatrix": true, "fecomposite": true,
	"feflood": true, "femerge": true, "femergenode": true, "femorphology": true, "fedropshadow": true,
	"fecomponenttransfer": true, "fefuncr": true, "fefuncg": true, "fefuncb": true, "fefunca": true,
	"animate": true, "animatetransform": true, "set": true,
}

const svgNamespace = "http://www.w3.org/2000/svg"

// foreignNamespaces are those of documents a browser shows within an SVG,
// whose elements may run or fetch something.
var foreignNamespaces = map[string]bool{"http://www.w3.org/1999/xhtml": true, "http://www.w3.org/1998/Math/MathML": true}

// Namespaces whose elements browsers ignore: an SVG editor's settings.
var editorNamespaces = map[string]bool{
	"http://www.inkscape.org/namespaces/inkscape":        true,
	"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd": true,
}

// inlineImages are the types a data: address may carry in an SVG logo:
// images that cannot hold a script.
var inlineImages = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// urlBlanks are what a browser drops from an address before reading it.
var urlBlanks = strings.NewReplacer("\t", "", "\n", "", "\r", "")

// localRef reports whether a reference stays inside the document ("#id")
// or, when images is true, inlines a PNG, JPEG, GIF or WebP image.
func localRef(ref string, images bool) bool {
	ref = strings.ToLower(strings.TrimSpace(urlBlanks.Replace(ref)))
	if strings.HasPrefix(ref, "#") {
		return true
	}
	rest, ok := strings.CutPrefix(ref, "data:")
	if !ok || !images {
		return false
	}
	i := strings.IndexAny(rest, ";,")
	return i > 0 && inlineImages[strings.TrimSpace(rest[:i])]
}

// checkStyle refuses style text that fetches or runs anything: only
// url(#id) may refer to something, and no quoted string may hold an
// address.
func checkStyle(text string) error {
	if strings.Contains(text, `\`) {
		// A CSS escape could spell url( or @import in disguise.
		return refuse("le SVG contient un style avec des caractères échappés")
	}
	if m := cssFetch.FindString(text); m != "" {
		return refuse("le SVG charge une ressource externe dans un style (%s)", strings.TrimSpace(m))
	}
	for _, m := range cssURL.FindAllStringSubmatch(text, -1) {
		if !localRef(m[1], false) {
			return refuse("le SVG charge une ressource externe dans un style (%s)", strings.TrimSpace(m[0]))
		}
	}
	for _, q := range cssString.FindAllString(text, -1) {
		if strings.Contains(q, ":") || strings.Contains(q, "//") {
			return refuse("le SVG contient une adresse dans un style (%s)", q)
		}
	}
	return nil
}

// svgUnits gives the pixels of each absolute CSS unit.
var svgUnits = map[string]float64{"": 1, "px": 1, "in": 96, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6, "pt": 96.0 / 72, "pc": 16}

// svgLength reads a length ("120", "3in", "50%") in pixels; relative
// lengths (a percentage) are not a size of their own and give ok false.
func svgLength(v string) (px float64, ok bool, err error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" || v == "auto" || strings.HasSuffix(v, "%") {
		return 0, false, nil
	}
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' && r != '-' && r != '+' && r != 'e' })
	num, unit := v, ""
	if i >= 0 {
		num, unit = v[:i], strings.TrimSpace(v[i:])
	}
	// "1e9" keeps its exponent; a unit starting with e (em, ex) does not.
	if strings.HasSuffix(num, "e") {
		num, unit = num[:len(num)-1], "e"+unit
	}
	scale, known := svgUnits[unit]
	n, perr := strconv.ParseFloat(num, 64)
	if !known || perr != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, false, refuse("le SVG déclare une dimension « %s » qu'un logo n'accepte pas (pixels, in, cm, mm, pt ou pc)", v)
	}
	return n * scale, true, nil
}

// checkSize refuses an svg element's width, height (as attributes or in
// its style) or viewBox above MaxSVGSize pixels.
func checkSize(attrs []xml.Attr) error {
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		var sizes []string
		switch a.Name.Local {
		case "width", "height":
			sizes = []string{a.Value}
		case "style":
			for decl := range strings.SplitSeq(a.Value, ";") {
				if prop, v, ok := strings.Cut(decl, ":"); ok {
					if p := strings.ToLower(strings.TrimSpace(prop)); strings.Contains(p, "width") || strings.Contains(p, "height") {
						sizes = append(sizes, v)
					}
				}
			}
		case "viewBox":
			if f := strings.FieldsFunc(a.Value, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }); len(f) == 4 {
				sizes = f[2:]
			}
		}
		for _, v := range sizes {
			n, ok, err := svgLength(v)
			if err != nil {
				return err
			}
			if ok && n > MaxSVGSize {
				return refuse("le SVG déclare une dimension de %s (%s) : %d pixels au plus", strings.TrimSpace(v), a.Name.Local, MaxSVGSize)
			}
		}
	}
	return nil
}

// maxSVGUses bounds the use elements of a logo: each draws a copy of
// what it names, which may not hold a use itself (checkSVG).
const maxSVGUses = 200

// checkSVG parses an SVG strictly, in bounded tokens and depth, and
// refuses what a browser could run or fetch, and any element that is not
// in svgElements (the content of metadata and an editor's own elements
// aside).
func checkSVG(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	// No other encoding than UTF-8 is read: CharsetReader stays nil.
	depth, tokens, root, uses := 0, 0, false, 0
	// namedOpen tells, for each open element, whether it has an id.
	var namedOpen []bool
	// styleDepth is the depth of the style element being read, 0 outside
	// one; style gathers its text, comments aside, as the browser does.
	styleDepth, metadataDepth := 0, 0
	var style strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return refuse("le SVG n'est pas un XML bien formé")
		}
		if tokens++; tokens > maxSVGTokens {
			return refuse("le SVG est trop complexe (plus de %d éléments et textes)", maxSVGTokens)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return refuse("le SVG contient une déclaration DOCTYPE ou ENTITY")
		case xml.ProcInst:
			if t.Target != "xml" {
				return refuse("le SVG contient une instruction de traitement « %s »", t.Target)
			}
		case xml.StartElement:
			depth++
			if depth > maxSVGDepth {
				return refuse("le SVG imbrique plus de %d niveaux d'éléments", maxSVGDepth)
			}
			if styleDepth > 0 {
				return refuse("le SVG contient un élément « %s » dans un style", t.Name.Local)
			}
			name := strings.ToLower(t.Name.Local)
			if depth == 1 {
				if name != "svg" {
					return refuse("ce n'est pas une image %s (le type est lu dans le contenu du fichier, pas dans son nom)", LogoAccepted)
				}
				root = true
			}
			if name == "svg" {
				if err := checkSize(t.Attr); err != nil {
					return err
				}
			}
			// A use copies what it names: copies of copies would multiply
			// at each level. So no use inside what can be named (an element
			// with an id, the root aside), and a bounded number of them.
			named := depth > 1 && slices.ContainsFunc(t.Attr, func(a xml.Attr) bool { return a.Name.Local == "id" })
			if name == "use" {
				if uses++; uses > maxSVGUses || slices.Contains(namedOpen, true) {
					return refuse("le SVG répète des éléments par « use » imbriqués ou trop nombreux (%d au plus, jamais l'un dans un élément nommé)", maxSVGUses)
				}
			}
			namedOpen = append(namedOpen, named)
			switch name {
			case "script":
				return refuse("le SVG contient un script")
			case "foreignobject":
				return refuse("le SVG contient un élément foreignObject")
			}
			// SVG elements must be known ones, even in metadata; HTML and
			// MathML have no place in a logo; other namespaces (RDF, Dublin
			// Core, an editor's) are inert in metadata, and an editor's
			// settings anywhere.
			svg := t.Name.Space == "" || t.Name.Space == svgNamespace
			switch {
			case svg && svgElements[name]:
			case !svg && !foreignNamespaces[t.Name.Space] && (metadataDepth > 0 || editorNamespaces[t.Name.Space]):
			default:
				return refuse("le SVG contient un élément « %s », qu'un logo n'accepte pas", t.Name.Local)
			}
			if svg && name == "metadata" && metadataDepth == 0 {
				metadataDepth = depth
			}
			if svg && name == "style" {
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "type" {
						if v := strings.ToLower(strings.TrimSpace(a.Value)); v != "" && v != "text/css" {
							return refuse("le SVG contient un style de type « %s » (text/css seulement)", a.Value)
						}
					}
				}
				styleDepth = depth
				style.Reset()
			}
			if name == "animate" || name == "set" || name == "animatetransform" {
				// An animation may set an event handler, or a link's target
				// to a script.
				for _, a := range t.Attr {
					if a.Name.Local != "attributeName" {
						continue
					}
					v := strings.ToLower(strings.TrimSpace(a.Value))
					if _, local, ok := strings.Cut(v, ":"); ok {
						v = local
					}
					if strings.HasPrefix(v, "on") || strings.Contains(v, "href") {
						return refuse("le SVG anime l'attribut « %s »", a.Value)
					}
				}
			}
			for _, a := range t.Attr {
				attr := strings.ToLower(a.Name.Local)
				switch {
				case strings.HasPrefix(attr, "on"):
					return refuse("le SVG contient un gestionnaire d'événement (attribut %s)", a.Name.Local)
				case attr == "href" || attr == "src" || attr == "action" || attr == "formaction":
					if !localRef(a.Value, name != "use" && name != "textpath") {
						return refuse("le SVG fait référence à une ressource externe (%s)", a.Name.Local)
					}
				case a.Name.Space == "" && (attr == "style" || strings.ContainsAny(a.Value, "(@")):
					if err := checkStyle(a.Value); err != nil {
						return err
					}
				}
			}
		case xml.EndElement:
			namedOpen = namedOpen[:len(namedOpen)-1]
			if depth == styleDepth {
				if err := checkStyle(style.String()); err != nil {
					return err
				}
				styleDepth = 0
			}
			if depth == metadataDepth {
				metadataDepth = 0
			}
			depth--
		case xml.CharData:
			if styleDepth > 0 {
				style.Write(t)
			}
		}
	}
	if !root {
		return refuse("ce n'est pas une image %s (le type est lu dans le contenu du fichier, pas dans son nom)", LogoAccepted)
	}
	return nil
}
