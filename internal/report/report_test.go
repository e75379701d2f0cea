package report

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func number(x float64) *float64 { return &x }

// bilan builds the 2023 bilan of the bundled convention with a target on
// 2.2-1 and validated values, one of them synthetic.
func bilan(t *testing.T, final bool, more ...model.Value) *Report {
	t.Helper()
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	ind := &c.Axes[1].Fiches[1].Steps[0].Indicators[0] // 2.2-1, also listed under step 3
	ind.Targets, ind.Tolerance = []model.Target{{Period: "2023", Value: 400}}, 10
	c.Axes[1].Fiches[1].Steps[2].Indicators[0].Targets, c.Axes[1].Fiches[1].Steps[2].Indicators[0].Tolerance = ind.Targets, 10
	values := []model.Value{
		{Indicator: "2.2-1", Period: "2023", Number: number(1254), State: model.ValueValidated},
		{Indicator: "2.2-2", Period: "2023", Number: number(37), State: model.ValueValidated, Synthetic: true},
		{Indicator: "2.2-2", Period: "2024", Number: number(99), State: model.ValueSubmitted},
		{Indicator: "2.1-4", Period: "2023", Text: "Carte publiée", State: model.ValueValidated},
	}
	values = append(values, more...)
	findings := lint.Run(c, territory.MustLoad(), model.MustDate("2026-11-27"))
	r, err := Build(c, values, findings, 2023, final, time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestBuildComputesTheFigures(t *testing.T) {
	r := bilan(t, false)
	if len(r.Years) != 2 || r.Years[1] != "2023" || !r.Synthetic || r.Title() != "Bilan annuel 2023" {
		t.Errorf("années %v, fictif %v, titre %q", r.Years, r.Synthetic, r.Title())
	}
	if d := r.Deviations(); len(d) != 1 || d[0].Code != "2.2-1" || d[0].Percent < 213 || d[0].Percent > 214 {
		t.Errorf("écarts : %+v", d)
	}
	if len(r.Promised) != 2 || len(r.Findings) == 0 {
		t.Errorf("axes promis %d, constats %d", len(r.Promised), len(r.Findings))
	}
	if _, err := Build(r.Convention, nil, nil, 2031, false, time.Now()); err == nil {
		t.Error("année hors de la convention acceptée")
	}
	if f := bilan(t, true); len(f.Years) != 3 || f.Title() != "Bilan final 2022-2024" {
		t.Errorf("bilan final : %v %q", f.Years, f.Title())
	}
}

func TestPDFReadsAsExpected(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CTG_REQUIRE_PDFTOTEXT") == "1" {
			t.Fatal("pdftotext introuvable (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext absent")
	}
	pdf, err := bilan(t, false).PDF()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"Bilan annuel 2023", "1. La convention", "2. Le plan d'actions", "3. La gouvernance", "4. Points à régler",
		"Données fictives", "Fiche 2.2 – Mettre en œuvre une démarche proactive", "Écarts importants à présenter au comité de pilotage",
		"1 254", "cible 400", "+213,5 %", "37 (fictive)", "Carte publiée", "Document établi le 27 novembre 2026",
		"date non renseignée (« XXXX »)", "page 1 /",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q absent du PDF", want)
		}
	}
	if strings.Contains(text, "99") && strings.Contains(text, "2.2-2 – Le nombre d’ouverture de nouveaux droits                 —                 37 (fictive)                99") {
		t.Error("une valeur non validée figure dans le bilan")
	}
}

func TestXLSXHoldsTheFigures(t *testing.T) {
	data, err := bilan(t, false).XLSX()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("Indicateurs")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "Fiche|Code|Indicateur|Unité|Réalisé 2022|Cible 2022|Écart 2022 (%)|Réalisé 2023|Cible 2023|Écart 2023 (%)|Données fictives" {
		t.Fatalf("en-tête : %s", got)
	}
	found := false
	for _, row := range rows {
		if len(row) > 9 && row[1] == "2.2-1" {
			found = true
			if row[7] != "1254" || row[8] != "400" || row[9] != "213.5" {
				t.Errorf("ligne 2.2-1 : %v", row)
			}
		}
	}
	if !found {
		t.Error("2.2-1 absent du classeur")
	}
	if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "Indicateurs,Étapes,Contrôles" {
		t.Errorf("feuilles : %v", sheets)
	}
}

// figure returns the bilan's figure of an indicator for a year.
func figure(t *testing.T, r *Report, code, year string) indicators.Figure {
	t.Helper()
	for _, row := range r.Figures.Rows {
		for _, f := range row.Figures {
			if row.Code == code && f.Year == year {
				return f
			}
		}
	}
	t.Fatalf("%s %s absent du bilan", code, year)
	return indicators.Figure{}
}

func TestPublicBilanMasksSmallCounts(t *testing.T) {
	r := bilan(t, false,
		model.Value{Indicator: "2.2-2", Period: "2022", Number: number(3), State: model.ValueValidated},
		model.Value{Indicator: "2.2-3", Period: "2022", Number: number(4), State: model.ValueValidated})
	r.MakePublic(secrecy.Mask)
	if !strings.HasSuffix(r.Title(), "(version diffusable)") {
		t.Errorf("titre : %q", r.Title())
	}
	for _, row := range r.Figures.Rows {
		for _, f := range row.Figures {
			if row.Unit.IsCount() && f.Numeric() && f.Value > 0 && f.Value < 5 {
				t.Errorf("%s %s : %v non masqué", row.Code, f.Year, f.Value)
			}
		}
	}
	if f := figure(t, r, "2.2-2", "2022"); f.Shown() != "< 5" {
		t.Errorf("effectif de 3 : %+v", f)
	}
	if f := figure(t, r, "2.2-3", "2022"); f.Shown() != "4" {
		t.Errorf("un montant en euros n'est pas un effectif : %+v", f)
	}
	if _, err := r.PDF(); err != nil {
		t.Fatal(err)
	}
	data, err := r.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Indicateurs")
	for _, row := range rows {
		if len(row) > 4 && row[1] == "2.2-2" && row[4] != "< 5" {
			t.Errorf("classeur diffusable : %v", row)
		}
	}
}

// A rounded count must not be given away by its deviation from the target.
func TestPublicBilanDeviationFollowsTheRoundedCount(t *testing.T) {
	r := bilan(t, false)
	r.MakePublic(secrecy.Round5)
	f := figure(t, r, "2.2-1", "2023")
	if f.Value != 1255 || f.Deviation == nil || math.Abs(f.Deviation.Percent-213.75) > 1e-9 {
		t.Errorf("1 254 arrondi à 1 255, écart de +213,75 %% attendu : %+v %+v", f, f.Deviation)
	}
	if d := r.Deviations(); len(d) != 1 || d[0].Actual != 1255 {
		t.Errorf("écarts importants : %+v", d)
	}
}

func TestXLSXNamesUnitsInFrench(t *testing.T) {
	data, err := bilan(t, false).XLSX()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Indicateurs")
	want := map[string]string{"2.2-1": "nombre", "2.2-3": "euros", "2.1-4": "qualitatif (texte)"}
	for _, row := range rows {
		if w, ok := want[row[1]]; ok {
			if row[3] != w {
				t.Errorf("%s : unité « %s », « %s » attendu", row[1], row[3], w)
			}
			delete(want, row[1])
		}
	}
	if len(want) > 0 {
		t.Errorf("absents du classeur : %v", want)
	}
}
