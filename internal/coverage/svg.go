package coverage

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// colors of the classes: a dark green, a light blue, an amber and a
// grey, each with dark or white text readable on it (contrast 4.5:1 or
// more).
var colors = map[Class]struct{ fill, text string }{
	InForce: {"#1b6e3a", "#ffffff"},
	Planned: {"#8ec5ea", "#1a1a1a"},
	Ended:   {"#f0b429", "#1a1a1a"},
	None:    {"#d0d4d9", "#1a1a1a"},
}

// Number writes a count the French way: "164 308".
func Number(n int) string { return indicators.FormatNumber(float64(n)) }

// Percent writes a share between 0 and 1 in percent, to one decimal, the
// French way: "96,2 %".
func Percent(share float64) string {
	s := strconv.FormatFloat(math.Round(share*1000)/10, 'f', 1, 64)
	return strings.Replace(s, ".", ",", 1) + "\u202f%"
}

// Title is the title of the report in French.
func (r *Report) Title() string {
	return fmt.Sprintf("Couverture du département %s par les conventions territoriales globales au %s",
		r.Departement, textutil.FrenchDate(r.Day))
}

// Summary says the report's main figures in one French sentence.
func (r *Report) Summary() string {
	in, planned, ended, none := r.Totals[InForce], r.Totals[Planned], r.Totals[Ended], r.Totals[None]
	return fmt.Sprintf("%s de la population (%s habitants sur %s) vit dans une commune couverte par une convention en vigueur ; "+
		"%s habitant(s) dans une commune couverte seulement par une convention en préparation ; "+
		"%s habitant(s) dans une commune couverte seulement par une convention échue ; %s dans une commune non couverte. "+
		"Communes (%d) : en vigueur %d, en préparation %d, échue(s) %d, non couverte(s) %d. "+
		"Intercommunalités (%d) : en vigueur %d, en préparation %d, échue(s) %d, non couverte(s) %d.",
		Percent(r.Covered()), Number(in.Population), Number(r.Population), Number(planned.Population), Number(ended.Population), Number(none.Population),
		len(r.Communes), in.Communes, planned.Communes, ended.Communes, none.Communes,
		len(r.EPCIs), in.EPCIs, planned.EPCIs, ended.EPCIs, none.EPCIs)
}

// SVG draws the report as a picture read at a glance: a horizontal bar of
// the population split by class, and a small table of the figures. Its
// title and description carry the same figures for those who cannot see
// it.
func SVG(r *Report) string {
	const (
		width  = 720
		left   = 24
		barW   = width - 2*left
		barY   = 96
		barH   = 44
		tableY = 184
		rowH   = 30
	)
	height := tableY + rowH*(len(Classes)+1) + 24
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="couverture-titre couverture-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&b, "<title id=\"couverture-titre\">%s</title>\n<desc id=\"couverture-desc\">%s</desc>\n", esc(r.Title()), esc(r.Summary()))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="32" font-size="18" font-weight="bold" fill="#1a1a1a">Département %s — couverture par les CTG au %s</text>`+"\n",
		left, esc(r.Departement), esc(textutil.FrenchDate(r.Day)))
	fmt.Fprintf(&b, `<text x="%d" y="60" font-size="15" fill="#1a1a1a"><tspan font-weight="bold">%s</tspan> de la population couverte par une convention en vigueur</text>`+"\n",
		left, esc(Percent(r.Covered())))
	fmt.Fprintf(&b, `<text x="%d" y="80" font-size="13" fill="#444444">%s habitants sur %s</text>`+"\n",
		left, esc(Number(r.Totals[InForce].Population)), esc(Number(r.Population)))

	// The bar: one segment per class, in the order of the classes.
	x := float64(left)
	for _, c := range Classes {
		pop := r.Totals[c].Population
		if pop == 0 || r.Population == 0 {
			continue
		}
		w := float64(barW) * float64(pop) / float64(r.Population)
		fmt.Fprintf(&b, `<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" stroke="#ffffff" stroke-width="1"><title>%s : %s habitants (%s)</title></rect>`+"\n",
			x, barY, w, barH, colors[c].fill, esc(textutil.UpperFirst(c.Label())), esc(Number(pop)), esc(Percent(r.Share(c))))
		// The share is written in the segment when it fits.
		if label := Percent(r.Share(c)); w >= float64(len([]rune(label)))*9+8 {
			fmt.Fprintf(&b, `<text x="%.2f" y="%d" font-size="15" font-weight="bold" fill="%s" text-anchor="middle">%s</text>`+"\n",
				x+w/2, barY+barH/2+5, colors[c].text, esc(label))
		}
		x += w
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#1a1a1a" stroke-width="1"/>`+"\n", left, barY, barW, barH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" fill="#444444">Population des communes du département (INSEE), par couverture de la commune</text>`+"\n",
		left, barY+barH+20)

	// The table: one row per class, with its colour as the legend.
	cols := []struct {
		x      int
		anchor string
		head   string
	}{{left + 26, "start", "Couverture"}, {372, "end", "Intercommunalités"}, {470, "end", "Communes"}, {590, "end", "Population"}, {width - left, "end", "Part"}}
	for _, col := range cols {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold" fill="#1a1a1a" text-anchor="%s">%s</text>`+"\n",
			col.x, tableY, col.anchor, esc(col.head))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1a1a1a" stroke-width="1"/>`+"\n", left, tableY+8, width-left, tableY+8)
	for i, c := range Classes {
		y := tableY + rowH*(i+1)
		t := r.Totals[c]
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="16" height="16" fill="%s" stroke="#1a1a1a" stroke-width="0.5"/>`+"\n", left, y-13, colors[c].fill)
		cells := []string{textutil.UpperFirst(c.Short()), strconv.Itoa(t.EPCIs), strconv.Itoa(t.Communes), Number(t.Population), Percent(r.Share(c))}
		for j, col := range cols {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1a1a1a" text-anchor="%s">%s</text>`+"\n", col.x, y, col.anchor, esc(cells[j]))
		}
	}
	y := tableY + rowH*(len(Classes)+1)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#1a1a1a" stroke-width="1"/>`+"\n", left, y-rowH+10, width-left, y-rowH+10)
	totals := []string{"Total", strconv.Itoa(len(r.EPCIs)), strconv.Itoa(len(r.Communes)), Number(r.Population), Percent(1)}
	if r.Population == 0 {
		totals[4] = Percent(0)
	}
	for j, col := range cols {
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" font-weight="bold" fill="#1a1a1a" text-anchor="%s">%s</text>`+"\n", col.x, y, col.anchor, esc(totals[j]))
	}
	b.WriteString("</svg>\n")
	return b.String()
}
