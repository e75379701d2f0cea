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
// read as a PDF: the text in force today, or on the day ctx asks for
// (OnDate), with the avenants applied by then and the state on that day.
func (s *Service) ConventionPDF(ctx context.Context, a *auth.Actor, slug string) ([]byte, error) {
	c, err := s.Convention(ctx, a, slug)
	if err != nil {
		return nil, err
	}
	at := model.DateOf(s.now().In(textutil.Paris))
	if d, ok := DateOf(ctx); ok {
		at = d
	}
	opts := report.ConventionOptions{At: at, Status: lifecycle.Of(c).On(at).Label()}
	if _, _, wc := model.WorkingCopyOf(slug); !wc {
		list, err := s.store.Amendments(ctx, slug)
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			if x.State == model.AmendmentSigned && x.EffectiveOn != nil && !x.EffectiveOn.After(at) {
				opts.Amendments = append(opts.Amendments, report.AppliedAmendment{Number: x.Number, Object: x.Object, SignedOn: x.SignedOn, EffectiveOn: x.EffectiveOn})
			}
		}
	}
	return report.ConventionPDF(c, opts)
}
