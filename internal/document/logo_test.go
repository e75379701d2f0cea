package document

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSniffLogoAcceptsImages: a PNG, a JPEG and a clean SVG (with an
// internal gradient reference and an inline image) are logos.
func TestSniffLogoAcceptsImages(t *testing.T) {
	var j bytes.Buffer
	if err := jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 30, 12)), nil); err != nil {
		t.Fatal(err)
	}
	svg := `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">
<defs><linearGradient id="g"><stop offset="0" stop-color="#00f"/></linearGradient></defs>
<style>rect { fill: url(#g); }</style>
<rect width="10" height="10" fill="url(#g)"/><use xlink:href="#g"/>
<svg width="100%" height="2.5cm"/>
<image href="data:image/png;base64,iVBORw0KGgo="/>
</svg>`
	for _, tc := range []struct {
		name string
		data []byte
		want LogoInfo
	}{
		{"PNG", encodePNG(t, 40, 20), LogoInfo{PNG, 40, 20}},
		{"JPEG", j.Bytes(), LogoInfo{JPEG, 30, 12}},
		{"SVG", []byte(svg), LogoInfo{ContentType: SVG}},
		{"SVG d'Inkscape", []byte(inkscape), LogoInfo{ContentType: SVG}},
	} {
		got, err := SniffLogo(tc.data)
		if err != nil || got != tc.want {
			t.Errorf("%s : %+v, %v ; %+v attendu", tc.name, got, err, tc.want)
		}
	}
}

// inkscape is an SVG as an editor saves it: its settings, RDF metadata,
// a stated size, a style sheet with a font name, an inline GIF, a filter,
// an animated colour.
const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="400px" height="120" viewBox="0 0 4000 1200" version="1.1" xmlns="http://www.w3.org/2000/svg"
 xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
 xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
<sodipodi:namedview id="base" pagecolor="#ffffff" inkscape:zoom="0.5"/>
<metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format>
<dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></cc:Work></rdf:RDF></metadata>
<style type="text/css"><![CDATA[ text { font-family: "Open Sans", sans-serif; } ]]></style>
<defs><filter id="f"><feGaussianBlur stdDeviation="2"/></filter><radialGradient id="r"><stop offset="1" stop-color="red"/></radialGradient></defs>
<g inkscape:label="Calque 1" inkscape:groupmode="layer" transform="translate(10,20)" filter="url(#f)">
<circle r="5" fill="url(#r)"><animate attributeName="fill" values="red;blue" dur="2s"/></circle>
<text x="1" y="2"><tspan>Caf</tspan></text>
<image width="1" height="1" xlink:href="data:image/gif;base64,R0lGODlhAQABAAAAACw="/>
</g>
</svg>`

// TestSniffLogoRefusesDangers: each guard refuses what it is there for,
// with a message naming it.
func TestSniffLogoRefusesDangers(t *testing.T) {
	wrap := func(inner string) []byte {
		return []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">` + inner + `</svg>`)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"trop large", encodePNG(t, MaxLogoPixels+1, 1), "pixels"},
		{"trop haut", encodePNG(t, 1, MaxLogoPixels+1), "pixels"},
		{"PDF", []byte("%PDF-1.7 …"), "PNG, JPEG ou SVG"},
		{"texte", []byte("bonjour"), "PNG, JPEG ou SVG"},
		{"HTML", []byte("<html><script>alert(1)</script></html>"), "PNG, JPEG ou SVG"},
		{"script", wrap(`<script>alert(1)</script>`), "script"},
		{"SCRIPT", wrap(`<SCRIPT>alert(1)</SCRIPT>`), "script"},
		{"onload", wrap(`<rect onload="alert(1)"/>`), "onload"},
		{"onclick racine", []byte(`<svg xmlns="http://www.w3.org/2000/svg" OnClick="x()"></svg>`), "OnClick"},
		{"foreignObject", wrap(`<foreignObject><p>x</p></foreignObject>`), "foreignObject"},
		{"href externe", wrap(`<image href="https://exemple.fr/x.png"/>`), "externe"},
		{"xlink:href externe", wrap(`<use xlink:href="autre.svg#x"/>`), "externe"},
		{"lien javascript", wrap(`<a xlink:href="javascript:alert(1)"><rect/></a>`), "externe"},
		{"animation de lien", wrap(`<a><set attributeName="href" to="javascript:alert(1)"/></a>`), "anime"},
		{"style url", wrap(`<style>rect { fill: url(https://exemple.fr/x) }</style>`), "style"},
		{"style @import", wrap(`<style>@import "https://exemple.fr/x.css";</style>`), "style"},
		{"attribut style", wrap(`<rect style="background: url('//exemple.fr/x')"/>`), "style"},
		{"échappement CSS", wrap(`<rect style="background: u\72l(//exemple.fr/x)"/>`), "échapp"},
		{"image-set", wrap(`<style>rect{fill:image-set("http://evil.test/x" 1x)}</style>`), "image-set("},
		{"image-set sans adresse", wrap(`<style>rect{fill:-webkit-image-set(x.png 1x)}</style>`), "image-set("},
		{"src()", wrap(`<style>@font-face{src:src(x)}</style>`), "src("},
		{"expression", wrap(`<rect style="width:expression(alert(1))"/>`), "expression("},
		{"chaîne avec adresse", wrap(`<style>rect{font-family:"http://evil.test/x"}</style>`), "adresse"},
		{"chaîne avec //", wrap(`<style>rect{content:'//evil.test/x'}</style>`), "adresse"},
		{"url de données dans un style", wrap(`<style>rect{fill:url(data:image/svg+xml,x)}</style>`), "externe"},
		{"style coupé par un commentaire", wrap(`<style>rect{fill:u<!-- -->rl(http://evil.test/x)}</style>`), "externe"},
		{"élément dans un style", wrap(`<style><g/>rect{fill:url(http://evil.test/x)}</style>`), "dans un style"},
		{"style JavaScript", wrap(`<style type="text/javascript">alert(1)</style>`), "text/javascript"},
		{"animation onload", wrap(`<animate attributeName="onload" values="alert(1)"/>`), "onload"},
		{"animation xlink:href", wrap(`<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>`), "xlink:href"},
		{"animateTransform onclick", wrap(`<animateTransform attributeName="OnClick" values="alert(1)"/>`), "OnClick"},
		{"lien vers un SVG en données", wrap(`<a href="data:image/svg+xml,&lt;svg/&gt;"><rect/></a>`), "externe"},
		{"image SVG en données", wrap(`<image href="data:image/svg+xml;base64,PHN2Zy8+"/>`), "externe"},
		{"image HTML en données", wrap(`<image xlink:href="data:text/html,x"/>`), "externe"},
		{"use d'une image", wrap(`<use href="data:image/png;base64,iVBORw0KGgo="/>`), "externe"},
		{"largeur démesurée", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="99999999"/>`), "99999999"},
		{"hauteur en px", []byte(`<svg xmlns="http://www.w3.org/2000/svg" height="4001px"/>`), "4001"},
		{"viewBox démesurée", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0,0 10 1e9"/>`), "1e9"},
		{"élément inconnu", wrap(`<iframe src="#x"/>`), "« iframe »"},
		{"élément HTML", wrap(`<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="#x"/>`), "« img »"},
		{"HTML dans les métadonnées", wrap(`<metadata><h:meta xmlns:h="http://www.w3.org/1999/xhtml"/></metadata>`), "« meta »"},
		{"feImage", wrap(`<filter><feImage href="#x"/></filter>`), "« feImage »"},
		{"DOCTYPE", []byte(`<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>`), "DOCTYPE"},
		{"entité inconnue", wrap(`&x;`), "bien formé"},
		{"instruction", []byte(`<?xml-stylesheet href="https://exemple.fr/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "instruction"},
		{"mal formé", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><g></svg>`), "bien formé"},
		{"profondeur", wrap(strings.Repeat("<g>", maxSVGDepth+1) + strings.Repeat("</g>", maxSVGDepth+1)), "niveaux"},
		{"Latin-1", []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>`), "bien formé"},
		{"use imbriqués", wrap(`<defs><g id="a0"><rect width="1" height="1"/></g><g id="a1">` + strings.Repeat(`<use href="#a0"/>`, 10) +
			`</g></defs><use href="#a1"/>`), "use"},
		{"use trop nombreux", wrap(`<rect id="r" width="1" height="1"/>` + strings.Repeat(`<use href="#r"/>`, maxSVGUses+1)), "use"},
		{"largeur en pouces", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="3000in" height="10"/>`), "pixels au plus"},
		{"largeur en centimètres", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="200cm" height="10"/>`), "pixels au plus"},
		{"largeur dans le style", []byte(`<svg xmlns="http://www.w3.org/2000/svg" style="width:1e9px"/>`), "pixels au plus"},
		{"svg imbriqué immense", wrap(`<svg width="100000"/>`), "pixels au plus"},
		{"unité relative", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="3em"/>`), "dimension « 3em »"},
	} {
		_, err := SniffLogo(tc.data)
		if !errors.Is(err, ErrUnsafeLogo) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s : %v ; refus attendu mentionnant « %s »", tc.name, err, tc.want)
		}
	}
}

// TestSniffLogoBoundsTokens: an SVG of many small elements is refused
// before it is read to its end.
func TestSniffLogoBoundsTokens(t *testing.T) {
	data := wrapMany(maxSVGTokens)
	if _, err := SniffLogo(data); err == nil || !strings.Contains(err.Error(), "trop complexe") {
		t.Errorf("SVG de %d éléments : %v", maxSVGTokens, err)
	}
}

func wrapMany(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg">`)
	for range n {
		b.WriteString("<g/>")
	}
	b.WriteString("</svg>")
	return b.Bytes()
}

// FuzzSniffLogo: no input makes the logo check fail other than by refusing.
func FuzzSniffLogo(f *testing.F) {
	f.Add([]byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(#g)"/></svg>`))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := SniffLogo(data)
		if err == nil && info.ContentType != PNG && info.ContentType != JPEG && info.ContentType != SVG {
			t.Errorf("type %q accepté", info.ContentType)
		}
	})
}
