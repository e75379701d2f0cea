package report

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/pdftext"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/territory"
)

func number(x float64) *float64 { return &x }

// forcalquier is the bundled convention, as the service reads it.
func forcalquier(t *testing.T) *model.Convention {
	t.Helper()
	c, err := interchange.Decode(examples.Forcalquier, territory.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	convention.ResolveTerritory(c, territory.MustLoad())
	return c
}

// bilan builds the 2023 bilan of the bundled convention with a target on
// 2.2-1 and validated values, one of them synthetic.
func bilan(t *testing.T, final bool, more ...model.Value) *Report {
	t.Helper()
	c := forcalquier(t)
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
	text := pdfText(t, bilan(t, false))
	for _, want := range []string{
		"Bilan annuel 2023", "1. Synthèse pour le comité de pilotage", "2. La convention", "3. Le plan d'actions, fiche par fiche",
		"4. Les équipements et services (annexe 2)", "5. La gouvernance", "6. Points à régler",
		"Données fictives", "Fiche 2.2 – Mettre en œuvre une démarche proactive", "Écarts importants",
		"1 254", "cible 400", "+213,5 %", "37 (fictive)", "Carte publiée", "Établi le", "27 novembre 2026",
		"date non renseignée (« XXXX »)", "page 2 /",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q absent du PDF", want)
		}
	}
	if strings.Contains(text, "99") && strings.Contains(text, "2.2-2 – Le nombre d’ouverture de nouveaux droits                 —                 37 (fictive)                99") {
		t.Error("une valeur non validée figure dans le bilan")
	}
}

// pdfText writes the bilan as PDF and reads it back as text, as a reader
// of the document would.
func pdfText(t *testing.T, r *Report) string {
	t.Helper()
	pdf, err := r.PDF()
	if err != nil {
		t.Fatal(err)
	}
	return textOf(t, pdf, "-layout")
}

// textOf reads a PDF back as text with pdftotext and its options.
func textOf(t *testing.T, pdf []byte, options ...string) string {
	t.Helper()
	return pdftext.Text(t, pdf, options...)
}

// part returns the text of the bilan from the last occurrence of a section
// title (the first ones are in the table of contents) to the next one.
func part(text, title, next string) string {
	i := strings.LastIndex(text, title)
	if i < 0 {
		return ""
	}
	rest := text[i:]
	if j := strings.Index(rest, next); next != "" && j >= 0 {
		return rest[:j]
	}
	return rest
}

// The summary tells the committee, on one page, where the plan stands
// and what it must decide, from the checker's errors.
func TestPDFOpensOnASummaryForTheCommittee(t *testing.T) {
	text := pdfText(t, bilan(t, false))
	summary := part(text, "1. Synthèse pour le comité de pilotage", "2. La convention")
	for _, want := range []string{
		"Avancement du plan", "7 fiches actions sur 5 axes, 16 étapes", "prévue : 13", "en cours : 1", "en retard : 2",
		"Indicateurs clés", "2.2-1 – Le nombre de personnes contactées", "Écarts importants", "+213,5 %",
		"Ce que le comité doit décider", "Renouvellement de la convention", "Fiches promises par avenant",
		"Les fiches des axes 5 et 6", "Délibérations manquantes", "5 parties sans délibération datée", "Commune de Limans",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("%q absent de la synthèse", want)
		}
	}
	if pages := strings.Count(summary, "\f"); pages > 1 {
		t.Errorf("la synthèse tient sur %d pages, une attendue", pages)
	}
	cover := text[:strings.Index(text, "\f")]
	for _, want := range []string{"CC Pays Forcalquier et Montagne de Lure — 13 communes, dont 3", "signataires",
		"du 1er janvier 2022 au 31 décembre 2024", "Année du bilan", "Mutualité Sociale Agricole Alpes Vaucluse", "Commune de Limans", "Sommaire"} {
		if !strings.Contains(cover, want) {
			t.Errorf("%q absent de la couverture", want)
		}
	}
}

func TestPDFPrintsEachFicheWithItsAssessmentStepsDetailsAndUnits(t *testing.T) {
	r := bilan(t, false)
	r.SetAssessments([]model.Assessment{
		{Convention: r.Convention.Slug, Fiche: "2.2", Year: 2023, Text: "La démarche a touché 1 254 allocataires, bien au-delà de la cible.", Author: "Claire Martin"},
		{Convention: r.Convention.Slug, Fiche: "2.2", Year: 2022, Text: "Texte de l'année précédente."},
	})
	text := pdfText(t, r)
	fiche := part(text, "Fiche 2.2 – Mettre en œuvre", "Fiche 3.1")
	for _, want := range []string{
		"Appréciation 2023 de la coordination", "La démarche a touché 1 254 allocataires", "Claire Martin",
		"3. Détecter les droits potentiels non sollicités", "Identifier l’ensemble des allocataires du territoire (requête)",
		"Contacter ces allocataires afin d’étudier l’ensemble des droits",
		"Unité", "nombre", "euros", "2.2-1 – en nombre", "valeur validée", "valeur fictive (démonstration)", "cible",
	} {
		if !strings.Contains(fiche, want) {
			t.Errorf("%q absent de la fiche 2.2", want)
		}
	}
	if strings.Contains(text, "Texte de l'année précédente") {
		t.Error("l'appréciation de 2022 figure dans le bilan 2023")
	}
	if fiche71 := part(text, "Fiche 7.1 – ", "4. Les équipements"); !strings.Contains(fiche71, "Envoi d’un questionnaire de pré diagnostic") {
		t.Error("les détails de l'étape 3 de la fiche 7.1 manquent")
	}
	if other := part(text, "Fiche 1.1 – ", "Fiche 2.1"); !strings.Contains(other, "Aucune appréciation n'est écrite pour 2023") {
		t.Error("une fiche sans appréciation ne le dit pas")
	}
}

func TestPDFListsEquipmentsAndGovernance(t *testing.T) {
	text := pdfText(t, bilan(t, false))
	eq := part(text, "4. Les équipements et services (annexe 2)", "5. La gouvernance")
	for _, want := range []string{"Équipement", "Gestionnaire", "Type", "Commune", "RPE CC Pays de Forcalquier", "Relais Petite Enfance",
		"Centre socioculturel La", "Sigonce", "15 équipements"} {
		if !strings.Contains(eq, want) {
			t.Errorf("%q absent des équipements", want)
		}
	}
	if strings.Contains(eq, "Places") {
		t.Error("colonne des places sans aucune place connue")
	}
	r := bilan(t, false)
	r.Convention.Equipments[0].Places = 24
	if eq := part(pdfText(t, r), "4. Les équipements et services (annexe 2)", "5. La gouvernance"); !strings.Contains(eq, "Places") || !strings.Contains(eq, "24") {
		t.Error("places absentes")
	}
	gov := part(text, "5. La gouvernance", "6. Points à régler")
	for _, want := range []string{"Comité de pilotage", "Pour la Caf", "le Directeur ou son représentant", "Aucune réunion enregistrée en 2023"} {
		if !strings.Contains(gov, want) {
			t.Errorf("%q absent de la gouvernance", want)
		}
	}
}

// The governance section lists the year's meetings and their decisions.
func TestGovernanceListsTheYearsMeetings(t *testing.T) {
	r := bilan(t, false)
	due := model.MustDate("2023-12-31")
	r.SetMeetings([]model.Meeting{
		{Committee: "copil", Date: model.MustDate("2023-10-17"), Status: model.MeetingHeld,
			Attendance: []model.Attendance{{Organization: "caf04", Status: model.AttendancePresent}, {Organization: "limans", Status: model.AttendanceExcused},
				{Guest: "Mme Roux", Status: model.AttendancePresent}},
			Decisions: []model.Decision{{Text: "Relancer la démarche d'accès aux droits", ObjectKind: model.DecisionOnFiche, ObjectKey: "2.2",
				Actions: []model.Action{{Text: "Écrire aux familles", Organization: "caf04", DueOn: &due, Status: model.FollowUpToDo}}}}},
		{Committee: "cotech", Date: model.MustDate("2024-03-05"), Status: model.MeetingHeld},
		{Committee: "copil", Date: model.MustDate("2023-05-02"), Status: model.MeetingCancelled},
	})
	gov := part(pdfText(t, r), "5. La gouvernance", "6. Points à régler")
	// One member present, the guest aside; one decision.
	if !strings.Contains(strings.Join(strings.Fields(gov), " "), "17 octobre 2023 Comité de pilotage tenue 1 1") {
		t.Errorf("ligne de la réunion du 17 octobre 2023 :\n%s", gov)
	}
	for _, want := range []string{"17 octobre 2023", "Relancer la démarche d'accès aux droits (fiche 2.2)", "Écrire aux familles", "31 décembre 2023"} {
		if !strings.Contains(gov, want) {
			t.Errorf("%q absent de la gouvernance :\n%s", want, gov)
		}
	}
	for _, absent := range []string{"5 mars 2024", "2 mai 2023", "Aucune réunion enregistrée"} {
		if strings.Contains(gov, absent) {
			t.Errorf("%q dans la gouvernance du bilan 2023", absent)
		}
	}
}

// Typos of the signed text are left to an appendix: the points to settle
// are what the committee must act on.
func TestTextTyposGoToTheAppendixOnly(t *testing.T) {
	r := bilan(t, false)
	if len(r.TextFindings) == 0 {
		t.Fatal("aucune coquille relevée dans l'exemple")
	}
	text := pdfText(t, r)
	points := part(text, "6. Points à régler", "Annexe – Coquilles")
	appendix := part(text, "Annexe – Coquilles et écarts de rédaction du texte signé", "")
	for _, typo := range []string{"s'intitule", "Mots répétés", "est numérotée"} {
		if strings.Contains(points, typo) {
			t.Errorf("coquille %q parmi les points à régler", typo)
		}
		if !strings.Contains(appendix, typo) {
			t.Errorf("coquille %q absente de l'annexe", typo)
		}
	}
	if !strings.Contains(points, "n'apparaît pas dans l'article 5") || !strings.Contains(points, "avertissement") {
		t.Error("les avertissements à traiter manquent aux points à régler")
	}
	for _, f := range r.Findings {
		if strings.HasPrefix(f.Rule, "TEXT-") || f.Rule == "FICHE-TITLE-MISMATCH" {
			t.Errorf("%s parmi les points à régler", f.Rule)
		}
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
	if sheets := f.GetSheetList(); strings.Join(sheets, ",") != "Indicateurs,Fiches,Étapes,Équipements,Contrôles,Coquilles du texte" {
		t.Errorf("feuilles : %v", sheets)
	}
}

func TestXLSXHoldsAssessmentsAndStepDetails(t *testing.T) {
	r := bilan(t, false)
	r.SetAssessments([]model.Assessment{{Fiche: "2.2", Year: 2023, Text: "Objectif dépassé.", Author: "Claire Martin"}})
	data, err := r.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Fiches")
	if got := strings.Join(rows[0], "|"); got != "Fiche|Titre|Axe|Avancement|Pilotes|Appréciation 2023|Rédigée par" {
		t.Errorf("en-tête des fiches : %s", got)
	}
	found := false
	for _, row := range rows {
		if row[0] == "2.2" {
			found = len(row) > 6 && row[5] == "Objectif dépassé." && row[6] == "Claire Martin"
		}
	}
	if !found {
		t.Errorf("appréciation de la fiche 2.2 absente : %v", rows)
	}
	steps, _ := book.GetRows("Étapes")
	details := false
	for _, row := range steps {
		details = details || (row[0] == "2.2" && len(row) > 2 && strings.Contains(row[2], "– Identifier l’ensemble des allocataires"))
	}
	if !details {
		t.Error("détails des étapes absents du classeur")
	}
	typos, _ := book.GetRows("Coquilles du texte")
	checks, _ := book.GetRows("Contrôles")
	if len(typos) < 2 || len(checks) < 2 {
		t.Errorf("coquilles %d, contrôles %d", len(typos), len(checks))
	}
	for _, row := range checks {
		if row[1] == "FICHE-TITLE-MISMATCH" || strings.HasPrefix(row[1], "TEXT-") {
			t.Errorf("coquille parmi les contrôles : %v", row)
		}
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

// A final bilan's summary shows the last year that has figures, not an
// empty last year.
func TestFinalSummaryShowsTheLastYearWithFigures(t *testing.T) {
	summary := part(pdfText(t, bilan(t, true)), "1. Synthèse pour le comité de pilotage", "2. La convention")
	for _, want := range []string{"ont une valeur validée pour 2023", "Cible", "2.2-1 – Le nombre de personnes contactées", "1 254"} {
		if !strings.Contains(summary, want) {
			t.Errorf("%q absent de la synthèse du bilan final", want)
		}
	}
}

// A change is never measured between a real and a fictive figure.
func TestNoEvolutionBetweenRealAndFictive(t *testing.T) {
	real := indicators.Figure{Has: true, Value: 318}
	fictive := indicators.Figure{Has: true, Value: 254, Synthetic: true}
	if got := evolution([]indicators.Figure{fictive, real}, 1); got != "—" {
		t.Errorf("évolution fictive → réelle : %s", got)
	}
	if got := evolution([]indicators.Figure{{Has: true, Value: 200}, real}, 1); got == "—" {
		t.Error("évolution entre deux valeurs réelles absente")
	}
	if unitCell("") != "—" {
		t.Error("unité vide")
	}
}

// The final bilan holds the closing committee, held after the period.
func TestFinalBilanHoldsTheClosingCommittee(t *testing.T) {
	r := bilan(t, true)
	r.SetMeetings([]model.Meeting{
		{Committee: "copil", Date: model.MustDate("2021-06-01"), Status: model.MeetingHeld},
		{Committee: "copil", Date: model.MustDate("2023-10-17"), Status: model.MeetingHeld},
		{Committee: "copil", Date: model.MustDate("2025-02-11"), Status: model.MeetingHeld,
			Decisions: []model.Decision{{Text: "Engager le renouvellement", ObjectKind: model.DecisionOnRenewal}}},
	})
	if len(r.Meetings) != 2 || r.Meetings[1].Date.String() != "2025-02-11" {
		t.Errorf("réunions du bilan final : %+v", r.Meetings)
	}
	// A meeting to come on the day the bilan is written is left out.
	r.Generated = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	r.SetMeetings([]model.Meeting{{Committee: "copil", Date: model.MustDate("2025-02-11"), Status: model.MeetingHeld},
		{Committee: "copil", Date: model.MustDate("2025-06-11"), Status: model.MeetingConvened}})
	if len(r.Meetings) != 1 {
		t.Errorf("réunion à venir dans le bilan : %+v", r.Meetings)
	}
}

// What people typed (an appreciation, its author) is written as text: a
// text that looks like a formula is shown, never computed.
func TestXLSXWritesTypedTextsAsText(t *testing.T) {
	r := bilan(t, false)
	typed := `=HYPERLINK("http://exemple.invalid";"Cliquez")`
	r.SetAssessments([]model.Assessment{{Fiche: "2.2", Year: 2023, Text: typed, Author: "@SUM(1+1)"}})
	data, err := r.XLSX()
	if err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := book.GetRows("Fiches")
	for i, row := range rows {
		if row[0] != "2.2" {
			continue
		}
		for col, want := range map[int]string{6: typed, 7: "@SUM(1+1)"} {
			cell, _ := excelize.CoordinatesToCellName(col, i+1)
			formula, _ := book.GetCellFormula("Fiches", cell)
			if value, _ := book.GetCellValue("Fiches", cell); formula != "" || value != want {
				t.Errorf("%s : formule %q, valeur %q", cell, formula, value)
			}
		}
		return
	}
	t.Error("fiche 2.2 absente du classeur")
}
