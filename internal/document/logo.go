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
	"regexp"
	"strings"
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

// cssURL finds the references of style text: url(…) and @import.
var cssURL = regexp.MustCompile(`(?i)url\s*\(\s*['"]?\s*([^'")\s]*)|@import`)

// localRef reports whether a reference stays inside the document or
// inlines an image: "#id" or "data:image/…".
func localRef(ref string) bool {
	ref = strings.TrimSpace(ref)
	return strings.HasPrefix(ref, "#") || strings.HasPrefix(strings.ToLower(ref), "data:image/")
}

// checkStyle refuses style text that fetches anything.
func checkStyle(text string) error {
	if strings.Contains(text, `\`) {
		// A CSS escape could spell url( or @import in disguise.
		return refuse("le SVG contient un style avec des caractères échappés")
	}
	for _, m := range cssURL.FindAllStringSubmatch(text, -1) {
		if m[0] == "" || strings.EqualFold(m[0], "@import") || !localRef(m[1]) {
			return refuse("le SVG charge une ressource externe dans un style (%s)", strings.TrimSpace(m[0]))
		}
	}
	return nil
}

// checkSVG parses an SVG strictly, in bounded tokens and depth, and
// refuses what a browser could run or fetch.
func checkSVG(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	// No other encoding than UTF-8 is read: CharsetReader stays nil.
	depth, tokens, root := 0, 0, false
	inStyle := false
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
			name := strings.ToLower(t.Name.Local)
			if depth == 1 {
				if name != "svg" {
					return refuse("ce n'est pas une image %s (le type est lu dans le contenu du fichier, pas dans son nom)", LogoAccepted)
				}
				root = true
			}
			switch name {
			case "script":
				return refuse("le SVG contient un script")
			case "foreignobject":
				return refuse("le SVG contient un élément foreignObject")
			case "iframe", "embed", "object", "handler", "listener":
				return refuse("le SVG contient un élément « %s »", t.Name.Local)
			}
			inStyle = name == "style"
			if name == "animate" || name == "set" {
				// An animation may set a link's target to a script.
				for _, a := range t.Attr {
					if a.Name.Local == "attributeName" && strings.Contains(strings.ToLower(a.Value), "href") {
						return refuse("le SVG anime l'adresse d'un lien")
					}
				}
			}
			for _, a := range t.Attr {
				attr := strings.ToLower(a.Name.Local)
				switch {
				case strings.HasPrefix(attr, "on"):
					return refuse("le SVG contient un gestionnaire d'événement (attribut %s)", a.Name.Local)
				case attr == "href" || attr == "src" || attr == "action" || attr == "formaction":
					if !localRef(a.Value) {
						return refuse("le SVG fait référence à une ressource externe (%s)", a.Name.Local)
					}
				case attr == "style" || strings.Contains(strings.ToLower(a.Value), "url") || strings.Contains(a.Value, "@"):
					if err := checkStyle(a.Value); err != nil {
						return err
					}
				}
			}
		case xml.EndElement:
			depth--
			inStyle = false
		case xml.CharData:
			if inStyle {
				if err := checkStyle(string(t)); err != nil {
					return err
				}
			}
		}
	}
	if !root {
		return refuse("ce n'est pas une image %s (le type est lu dans le contenu du fichier, pas dans son nom)", LogoAccepted)
	}
	return nil
}
