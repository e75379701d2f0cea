package app

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// MaxAssessmentLength bounds an assessment, which the bilan prints whole
// on the fiche's page (about forty lines).
const MaxAssessmentLength = 4000

// CanAssess reports whether the actor may write a fiche's assessment:
// editors and admins, and contributors of the organizations that pilot it.
func CanAssess(a *auth.Actor, slug string, f *model.Fiche) bool {
	return a.CanEdit(slug, f.Pilots)
}

// ficheByCode finds a fiche of a convention by its code.
func ficheByCode(c *model.Convention, code string) *model.Fiche {
	for i := range c.Axes {
		for j := range c.Axes[i].Fiches {
			if c.Axes[i].Fiches[j].Code == code {
				return &c.Axes[i].Fiches[j]
			}
		}
	}
	return nil
}

// Assessments lists the written assessments of a convention the actor may
// read, of one fiche when code is not empty, by year.
func (s *Service) Assessments(ctx context.Context, a *auth.Actor, slug, code string) ([]model.Assessment, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	all, err := s.store.Assessments(ctx, slug, 0)
	if err != nil || code == "" {
		return all, err
	}
	var out []model.Assessment
	for _, x := range all {
		if x.Fiche == code {
			out = append(out, x)
		}
	}
	return out, nil
}

func assessmentLabel(code string, year int) string {
	return fmt.Sprintf("Appréciation %d – fiche %s", year, code)
}

// SaveAssessment writes the assessment of a fiche for a year of the
// convention, made on version (0 when the fiche has none for the year
// yet). It refuses with a *ConflictError when the assessment changed
// since, a *model.ValidationError naming the field, or ErrForbidden; it
// writes nothing then. The change goes to the history.
func (s *Service) SaveAssessment(ctx context.Context, a *auth.Actor, slug, code string, year, version int, text string) (*model.Assessment, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	f := ficheByCode(c, code)
	if f == nil {
		return nil, fmt.Errorf("fiche « %s » : %w", code, model.ErrNotFound)
	}
	if !CanAssess(a, slug, f) {
		return nil, fmt.Errorf("écrire l'appréciation de la fiche %s : %w", code, model.ErrForbidden)
	}
	text = model.CleanText(text)
	ve := &model.ValidationError{}
	if year < c.Period.Start.Year || year > c.Period.End.Year {
		ve.Add("year", "l'année %d est hors de la convention (%d-%d)", year, c.Period.Start.Year, c.Period.End.Year)
	}
	if n := utf8.RuneCountInString(text); n > MaxAssessmentLength {
		ve.Add("text", "l'appréciation compte %d caractères, %d au plus", n, MaxAssessmentLength)
	}
	ve.NoControls("text", "L'appréciation", text)
	old, err := s.store.Assessment(ctx, slug, code, year)
	switch {
	case errors.Is(err, model.ErrNotFound):
		old = nil
		if text == "" {
			ve.Add("text", "écrivez l'appréciation de la fiche pour %d", year)
		}
	case err != nil:
		return nil, err
	}
	if err := ve.OrNil(); err != nil {
		return nil, err
	}
	label := assessmentLabel(code, year)
	x := &model.Assessment{Convention: slug, Fiche: code, Year: year}
	entry := audited(a, slug, "create", "assessment", "", label)
	if old != nil {
		if old.Version != version {
			return nil, s.assessmentConflict(ctx, old)
		}
		if old.Text == text {
			return old, nil
		}
		x.Meta = old.Meta
		entry.Action = "update"
		entry = entry.WithChange(map[string]string{"appréciation": old.Text}, map[string]string{"appréciation": text})
	} else {
		if version != 0 {
			return nil, fmt.Errorf("%s : %w", label, model.ErrStale)
		}
		entry = entry.WithChange(nil, map[string]string{"appréciation": text})
	}
	// The bilan prints the author: a name, without the e-mail address.
	x.Text, x.Author = text, a.Label()
	if a != nil && a.Name != "" {
		x.Author = a.Name
	}
	if err := s.store.SaveAssessment(ctx, x, entry); err != nil {
		if errors.Is(err, model.ErrStale) {
			if fresh, ferr := s.store.Assessment(ctx, slug, code, year); ferr == nil {
				return nil, s.assessmentConflict(ctx, fresh)
			}
		}
		return nil, err
	}
	return x, nil
}

func (s *Service) assessmentConflict(ctx context.Context, x *model.Assessment) error {
	recent, err := s.store.History(ctx, x.Convention, []string{x.ID}, 5)
	if err != nil {
		return err
	}
	return &ConflictError{Label: assessmentLabel(x.Fiche, x.Year), Current: map[string]string{"appréciation": x.Text},
		Version: x.Version, Recent: recent}
}
