package app

import (
	"context"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Coverage computes the coverage of département dep on day by the stored
// conventions the actor may see, each in its text of today: a convention
// the actor may not read counts as if it did not exist.
func (s *Service) Coverage(ctx context.Context, a *auth.Actor, dep string, day model.Date) (*coverage.Report, error) {
	list, err := s.Conventions(ctx, a)
	if err != nil {
		return nil, err
	}
	conventions := make([]*model.Convention, 0, len(list))
	for _, sum := range list {
		c, err := s.Convention(ctx, a, sum.Slug)
		if err != nil {
			return nil, err
		}
		conventions = append(conventions, c)
	}
	return coverage.Compute(s.Territory, dep, conventions, day)
}
