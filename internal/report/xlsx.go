package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/xlsx"
)

// XLSX writes the bilan's figures as a workbook: the indicators per year
// with targets and deviations, the steps, and the open findings. Numbers
// stay numbers, so that the figures can be reused.
func (r *Report) XLSX() ([]byte, error) {
	f := xlsx.New()
	const ind, fiches, steps, equipments, checks, typos = "Indicateurs", "Fiches", "Étapes", "Équipements", "Contrôles", "Coquilles du texte"
	bold := f.AddStyle(xlsx.Style{Bold: true, Fill: "EEEEEE"})
	header := []any{"Fiche", "Code", "Indicateur", "Unité"}
	for _, y := range r.Years {
		header = append(header, "Réalisé "+y, "Cible "+y, "Écart "+y+" (%)")
	}
	header = append(header, "Données fictives")
	rows := [][]any{header}
	for _, fi := range r.Fiches {
		for _, in := range r.Indicators(fi) {
			row := []any{fi.Code, in.Code, in.Label, in.Unit.Label()}
			synthetic := "non"
			for _, c := range in.Figures {
				row = append(row, cellValue(c), targetValue(c), deviationValue(c))
				if c.Synthetic {
					synthetic = "oui"
				}
			}
			rows = append(rows, append(row, synthetic))
		}
	}
	writeSheet(f.AddSheet(ind), rows, bold)
	assessment := fmt.Sprintf("Appréciation %d", r.Year)
	if r.Final {
		assessment = "Appréciations"
	}
	sheets := map[string][][]any{}
	rows = [][]any{{"Fiche", "Titre", "Axe", "Avancement", "Pilotes", assessment, "Rédigée par"}}
	for _, fi := range r.Fiches {
		var pilots, texts, authors []string
		for _, k := range fi.Pilots {
			pilots = append(pilots, r.Convention.OrgName(k))
		}
		for _, x := range fi.Assessments {
			text := x.Text
			if r.Final {
				text = fmt.Sprintf("%d : %s", x.Year, x.Text)
			}
			texts, authors = append(texts, text), append(authors, x.Author)
		}
		rows = append(rows, []any{fi.Code, fi.Title, fi.Axis, StatusLabels[fi.Status], strings.Join(pilots, ", "),
			strings.Join(texts, "\n\n"), strings.Join(authors, ", ")})
	}
	sheets[fiches] = rows
	rows = [][]any{{"Fiche", "Étape", "Détails", "Calendrier", "Début", "Fin", "Avancement"}}
	for _, fi := range r.Fiches {
		for _, s := range fi.Steps {
			start, end := "", ""
			if s.Schedule.Start != nil {
				start = s.Schedule.Start.String()
			}
			if s.Schedule.End != nil {
				end = s.Schedule.End.String()
			}
			var details []string
			for _, d := range s.Details {
				details = append(details, "– "+d)
			}
			rows = append(rows, []any{fi.Code, s.Text, strings.Join(details, "\n"), s.Schedule.AsWritten, start, end, StatusLabels[s.Status]})
		}
	}
	sheets[steps] = rows
	rows = [][]any{{"Équipement", "Gestionnaire", "Type", "Nature", "Commune (INSEE)", "Commune", "Places"}}
	communes := map[string]string{}
	for _, tc := range r.Convention.Territory.Resolved {
		communes[tc.INSEE] = tc.Name
	}
	for _, e := range r.Convention.Equipments {
		operator := e.OperatorName
		if e.Operator != "" {
			operator = r.Convention.OrgName(e.Operator)
		}
		var places any = ""
		if e.Places > 0 {
			places = e.Places
		}
		commune := communes[e.Commune]
		if commune == "" {
			commune = e.City
		}
		rows = append(rows, []any{e.Name, operator, e.ActivityType, e.ActivityNature, e.Commune, commune, places})
	}
	sheets[equipments] = rows
	rows = [][]any{{"Gravité", "Règle", "Partie du texte", "Constat", "Que faire"}}
	for _, x := range r.Findings {
		rows = append(rows, []any{lint.Labels[x.Severity], x.Rule, x.Where, x.Message, x.Fix})
	}
	sheets[checks] = rows
	rows = [][]any{{"Gravité", "Règle", "Partie du texte", "Constat", "Correction"}}
	for _, x := range r.TextFindings {
		rows = append(rows, []any{lint.Labels[x.Severity], x.Rule, x.Where, x.Message, x.Fix})
	}
	sheets[typos] = rows
	for _, name := range []string{fiches, steps, equipments, checks, typos} {
		writeSheet(f.AddSheet(name), sheets[name], bold)
	}
	f.Title, f.Creator, f.Language = r.Title()+" — "+r.Convention.Title, "ctg", "fr-FR"
	return f.Bytes()
}

// cellValue keeps a number a number, so that the figures can be reused.
func cellValue(c indicators.Figure) any {
	if c.Numeric() {
		return c.Value
	}
	return c.Shown()
}

func targetValue(c indicators.Figure) any {
	if c.Target == nil {
		return ""
	}
	return *c.Target
}

func deviationValue(c indicators.Figure) any {
	if c.Deviation == nil {
		return ""
	}
	return math.Round(c.Deviation.Percent*10) / 10
}

func writeSheet(s *xlsx.Sheet, rows [][]any, header int) {
	for i, row := range rows {
		s.SetRow(i+1, row...)
	}
	s.SetStyle(1, 1, len(rows[0]), 1, header)
	s.FreezeRows(1)
	s.SetColWidth(1, 26, 18)
}
