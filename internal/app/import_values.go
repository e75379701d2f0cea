package app

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// csvColumns are the columns a values file must have, as ctg exports them;
// other columns (Indicateur, État, Organisation, Fictive) are ignored.
var csvColumns = []string{"Code", "Période", "Ventilation", "Valeur", "Texte", "Source", "Commentaire"}

// MaxImportSize bounds the values files accepted.
const MaxImportSize = 4 << 20

// ImportValuesCSV reads a values file in Excel-French conventions (";" or
// ",", UTF-8 with or without BOM, decimal comma) and stores its lines as
// drafts: a line whose period and breakdown already have a value corrects
// it. Every problem is reported with its line and column, and then nothing
// is written.
func (s *Service) ImportValuesCSV(ctx context.Context, a *auth.Actor, slug string, r io.Reader) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return 0, err
	}
	if len(data) > MaxImportSize {
		return 0, single("fichier", fmt.Sprintf("fichier trop volumineux (%d Mo au plus)", MaxImportSize>>20))
	}
	rows, err := readCSV(data)
	if err != nil {
		return 0, err
	}
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return 0, err
	}
	existing, err := s.Store.Values(ctx, slug, "")
	if err != nil {
		return 0, err
	}
	byKey := map[string]model.Value{}
	for _, v := range existing {
		byKey[v.Indicator+"|"+v.Period+"|"+v.Breakdown] = v
	}
	cat := indicators.Catalogue(c)
	views := map[string]*IndicatorView{}
	for _, e := range cat {
		views[e.Code] = &IndicatorView{Convention: c, Entry: e, Catalogue: indicators.ByCode(cat)}
	}
	ve := &model.ValidationError{}
	var values []*model.Value
	var entries []store.AuditEntry
	seen := map[string]int{}
	for _, row := range rows {
		where := func(col string) string { return fmt.Sprintf("ligne %d, colonne %s", row.line, col) }
		iv, ok := views[row.get("Code")]
		if !ok {
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.line, Path: where("Code"), Message: fmt.Sprintf("indicateur « %s » inconnu", row.get("Code"))})
			continue
		}
		in := ValueInput{Period: row.get("Période"), Breakdown: model.ParseBreakdown(row.get("Ventilation")).String(), Number: row.get("Valeur"),
			Text: row.get("Texte"), Source: row.get("Source"), Comment: row.get("Commentaire")}
		key := iv.Entry.Code + "|" + in.Period + "|" + in.Breakdown
		if first, dup := seen[key]; dup {
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.line, Path: where("Période"), Message: fmt.Sprintf("même indicateur, période et ventilation qu'à la ligne %d", first)})
			continue
		}
		seen[key] = row.line
		if old, ok := byKey[key]; ok {
			in.ID, in.Version = old.ID, old.Version
		}
		v, entry, err := s.prepareValue(ctx, a, iv, in)
		var fe *model.ValidationError
		switch {
		case errors.As(err, &fe):
			for _, e := range fe.Errors {
				ve.Errors = append(ve.Errors, model.FieldError{Line: row.line, Path: where(columnOf(e.Path)), Message: e.Message})
			}
		case errors.Is(err, model.ErrForbidden):
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.line, Path: where("Code"), Message: "vous ne pouvez pas saisir cet indicateur, ou corriger cette valeur validée"})
		case err != nil:
			return 0, err
		default:
			entry.ObjectLabel += " (import CSV)"
			values, entries = append(values, v), append(entries, entry)
		}
	}
	if len(ve.Errors) > 0 {
		return 0, ve
	}
	if len(values) == 0 {
		return 0, single("fichier", "aucune ligne de valeur dans le fichier")
	}
	return len(values), s.Store.SaveValues(ctx, values, entries)
}

func single(path, msg string) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: path, Message: msg}}}
}

// columnOf names the file column of a value field.
func columnOf(field string) string {
	return map[string]string{"period": "Période", "breakdown": "Ventilation", "value": "Valeur", "text": "Texte"}[field]
}

type csvRow struct {
	line   int
	fields map[string]string
}

func (r csvRow) get(col string) string { return strings.TrimSpace(r.fields[col]) }

// readCSV reads the header and the rows of a values file.
func readCSV(data []byte) ([]csvRow, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = ';'
	if bytes.Count(first, []byte(",")) > bytes.Count(first, []byte(";")) {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1
	records, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &model.ValidationError{Errors: []model.FieldError{{Line: pe.Line, Path: fmt.Sprintf("ligne %d", pe.Line), Message: "CSV mal formé : " + pe.Err.Error()}}}
		}
		return nil, err
	}
	if len(records) == 0 {
		return nil, single("fichier", "fichier vide")
	}
	index := map[string]int{}
	for i, h := range records[0] {
		index[strings.TrimSpace(h)] = i
	}
	ve := &model.ValidationError{}
	for _, col := range csvColumns {
		if _, ok := index[col]; !ok {
			ve.Errors = append(ve.Errors, model.FieldError{Line: 1, Path: "ligne 1", Message: fmt.Sprintf("colonne « %s » absente (attendu : %s)", col, strings.Join(csvColumns, ";"))})
		}
	}
	if len(ve.Errors) > 0 {
		return nil, ve
	}
	var rows []csvRow
	for n, rec := range records[1:] {
		row := csvRow{line: n + 2, fields: map[string]string{}}
		empty := true
		for col, i := range index {
			if i < len(rec) {
				row.fields[col] = rec[i]
				empty = empty && strings.TrimSpace(rec[i]) == ""
			}
		}
		if !empty {
			rows = append(rows, row)
		}
	}
	return rows, nil
}
