package app

import (
	"context"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/report"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// ConventionPDF writes the consolidated text of a convention the actor may
// read as a PDF: the text as it reads today, with its state on that day.
func (s *Service) ConventionPDF(ctx context.Context, a *auth.Actor, slug string) ([]byte, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	today := model.DateOf(s.now().In(textutil.Paris))
	return report.ConventionPDF(c, report.ConventionOptions{At: today, Status: lifecycle.Of(c).On(today).Label()})
}
