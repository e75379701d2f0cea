package app

import (
	"context"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// PortfolioFromConventions computes the portfolio as it was before its
// lines were kept: every row from the whole convention.
func (s *Service) PortfolioFromConventions(ctx context.Context, a *auth.Actor, f PortfolioFilter, today model.Date) ([]PortfolioRow, error) {
	return s.portfolioFromConventions(ctx, a, f, today)
}
