package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/collection"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/store"
)

// MaxImportSize bounds the values files accepted: a CSV file of 100,000
// values weighs about 5 Mo, an XLSX form of as many lines about 4 Mo.
const MaxImportSize = 32 << 20

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
	release, err := s.admitImport(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	rows, err := collection.ReadCSV(data)
	if err != nil {
		return 0, err
	}
	return s.importRows(ctx, a, slug, rows, "import CSV", func(line int, col string) string { return fmt.Sprintf("ligne %d, colonne %s", line, col) })
}

// importRows checks every row of a values file and stores them all, or
// none, with one audit entry that lists every value written; where names
// a cell of the file in error messages, source the file in the audit log.
// The convention's values are read once, by natural key. A row that says
// what its stored value already says is skipped: re-sending a form
// changes only what was changed in it. It returns how many values were
// written.
func (s *Service) importRows(ctx context.Context, a *auth.Actor, slug string, rows []collection.Row, source string, where func(line int, col string) string) (int, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return 0, err
	}
	existing, err := s.store.Values(ctx, slug, "")
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
	writes := make([]store.ValueWrite, 0, len(rows))
	created := 0
	seen := map[string]int{}
	// refusal says once per indicator why the actor may not enter it.
	refusal := map[string]error{}
	// breakdowns are the breakdowns of the file as written, in their
	// canonical form: a file repeats a few hundred of them.
	breakdowns := map[string]string{}
	for _, row := range rows {
		where := func(col string) string { return where(row.Line, col) }
		iv, ok := views[row.Get("Code")]
		if !ok {
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.Line, Path: where("Code"), Message: fmt.Sprintf("indicateur « %s » inconnu", row.Get("Code"))})
			continue
		}
		breakdown, ok := breakdowns[row.Get("Ventilation")]
		if !ok {
			breakdown = model.ParseBreakdown(row.Get("Ventilation")).String()
			breakdowns[row.Get("Ventilation")] = breakdown
		}
		in := ValueInput{Period: row.Get("Période"), Breakdown: breakdown, Number: row.Get("Valeur"),
			Text: row.Get("Texte"), Source: row.Get("Source"), Comment: row.Get("Commentaire")}
		key := iv.Entry.Code + "|" + in.Period + "|" + in.Breakdown
		if first, dup := seen[key]; dup {
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.Line, Path: where("Période"), Message: fmt.Sprintf("même indicateur, période et ventilation qu'à la ligne %d", first)})
			continue
		}
		seen[key] = row.Line
		if !CanEnter(a, slug, iv.Entry.Indicator) {
			if refusal[iv.Entry.Code] == nil {
				refusal[iv.Entry.Code] = s.cannotEnter(ctx, a, iv)
			}
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.Line, Path: where("Code"), Message: refusal[iv.Entry.Code].Error() + " ; sinon, retirez cette ligne"})
			continue
		}
		var old *model.Value
		if o, ok := byKey[key]; ok {
			if s.sameValue(iv, &o, in) {
				continue
			}
			in.ID, in.Version, old = o.ID, o.Version, &o
		}
		w, err := s.prepareValueOf(ctx, a, iv, in, old)
		var fe *model.ValidationError
		var refused *RefusedError
		switch {
		case errors.As(err, &fe):
			for _, e := range fe.Errors {
				ve.Errors = append(ve.Errors, model.FieldError{Line: row.Line, Path: where(columnOf(e.Path)), Message: e.Message})
			}
		case errors.As(err, &refused):
			ve.Errors = append(ve.Errors, model.FieldError{Line: row.Line, Path: where("Code"), Message: refused.Reason + " ; sinon, retirez cette ligne"})
		case err != nil:
			return 0, err
		default:
			w.Entry.ObjectLabel += " (" + source + ")"
			writes = append(writes, w)
			if w.Value.ID == "" {
				created++
			}
		}
	}
	if len(ve.Errors) > maxReportedErrors {
		rest := len(ve.Errors) - maxReportedErrors
		ve.Errors = append(ve.Errors[:maxReportedErrors:maxReportedErrors], model.FieldError{Path: "fichier",
			Message: fmt.Sprintf("et %d autres erreurs, non détaillées : corrigez celles-ci, puis renvoyez le fichier", rest)})
	}
	if len(ve.Errors) > 0 {
		return 0, ve
	}
	if len(rows) == 0 {
		return 0, single("fichier", "aucune ligne de valeur dans le fichier")
	}
	if len(writes) == 0 {
		return 0, nil
	}
	entry := audited(a, slug, "import-values", "values", slug, fmt.Sprintf("Valeurs d'indicateurs (%s)", source)).
		WithChange(nil, map[string]string{"source": source, "values": fmt.Sprint(len(writes)), "created": fmt.Sprint(created), "corrected": fmt.Sprint(len(writes) - created)})
	return len(writes), s.store.ImportValues(ctx, writes, entry)
}

// maxReportedErrors bounds the errors listed for one file: a file wrong on
// every line is told so without a page of megabytes.
const maxReportedErrors = 100

// admitImport waits for one of the few imports read at once: reading a
// spreadsheet takes many times its size in memory.
func (s *Service) admitImport(ctx context.Context) (release func(), err error) {
	select {
	case s.importing <- struct{}{}:
		return func() { <-s.importing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func single(path, msg string) error {
	return &model.ValidationError{Errors: []model.FieldError{{Path: path, Message: msg}}}
}

// columnOf names the file column of a value field.
func columnOf(field string) string {
	return map[string]string{"period": "Période", "breakdown": "Ventilation", "value": "Valeur", "text": "Texte"}[field]
}

// ImportValuesXLSX reads a filled collection form and stores its values as
// drafts, all or none; errors name their cell ("cellule F12 (Valeur)").
func (s *Service) ImportValuesXLSX(ctx context.Context, a *auth.Actor, slug string, r io.Reader) (int, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportSize+1))
	if err != nil {
		return 0, err
	}
	if len(data) > MaxImportSize {
		return 0, single("fichier", fmt.Sprintf("fichier trop volumineux (%d Mo au plus)", MaxImportSize>>20))
	}
	release, err := s.admitImport(ctx)
	if err != nil {
		return 0, err
	}
	defer release()
	rows, err := collection.ReadXLSX(data)
	if err != nil {
		return 0, err
	}
	return s.importRows(ctx, a, slug, rows, "formulaire XLSX", collection.CellOf)
}

// CollectionForm prepares the collection form of an organization for a
// year from a convention and its values: the indicators the organization
// is responsible for (every indicator when org is empty, for editors),
// with the values already entered. A contributor always gets the form of
// their own organization.
func CollectionForm(a *auth.Actor, c *model.Convention, values []model.Value, org string, year int) (collection.Form, error) {
	slug := c.Slug
	if m, ok := a.Memberships[slug]; ok && m.Organization != "" && !m.Role.ReadsOnly() && !CanValidate(a, slug) {
		org = m.Organization
	}
	if year < c.Period.Start.Year || year > c.Period.End.Year {
		return collection.Form{}, single("annee", fmt.Sprintf("l'année %d est hors de la convention", year))
	}
	f := collection.Form{Convention: slug, Organization: org, OrganizationName: "toutes les organisations", Year: year}
	for _, o := range c.Organizations {
		if o.Key == org {
			f.OrganizationName = o.Name
		}
	}
	if org == "" && !CanValidate(a, slug) {
		return collection.Form{}, fmt.Errorf("formulaire de toutes les organisations : %w", model.ErrForbidden)
	}
	for _, e := range indicators.Catalogue(c) {
		if org == "" || e.Responsible == org {
			f.Entries = append(f.Entries, e)
		}
	}
	for _, v := range values {
		if !v.Synthetic && indicators.Year(v.Period) == fmt.Sprint(year) {
			f.Values = append(f.Values, v)
		}
	}
	return f, nil
}

// FormLine is a line of a collection form filled in the browser.
type FormLine struct {
	Code, Period, Number, Text, Source, Comment string
}

// SaveFormLines stores the lines of a collection form filled in the
// browser, all or none; lines left blank are skipped, errors name the line.
func (s *Service) SaveFormLines(ctx context.Context, a *auth.Actor, slug string, lines []FormLine) (int, error) {
	var rows []collection.Row
	for i, l := range lines {
		if l.Number == "" && l.Text == "" {
			continue
		}
		rows = append(rows, collection.Row{Line: i + 1, Fields: map[string]string{"Code": l.Code, "Période": l.Period, "Valeur": l.Number,
			"Texte": l.Text, "Source": l.Source, "Commentaire": l.Comment}})
	}
	if len(rows) == 0 {
		return 0, single("formulaire", "aucune valeur saisie")
	}
	return s.importRows(ctx, a, slug, rows, "formulaire en ligne", func(line int, col string) string { return fmt.Sprintf("ligne %d (%s)", line, col) })
}
