package app

import (
	"context"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Coverage computes the coverage of département dep on day by the
// stored conventions the actor may see, each in its text of today: a
// convention the actor may not read counts as if it did not exist. It
// reads their summaries and territories, never whole conventions: the
// number of statements does not grow with the number of conventions.
func (s *Service) Coverage(ctx context.Context, a *auth.Actor, dep string, day model.Date) (*coverage.Report, error) {
	if err := s.applyAllDue(ctx); err != nil {
		return nil, err
	}
	digest, err := s.readableDigest(ctx, a)
	if err != nil {
		return nil, err
	}
	key := coverageKey{listsKey{digest, day}, dep}
	if rep, ok := s.coverageReports.Get(key); ok {
		return rep, nil
	}
	if listed, ok := s.coverages.Get(listsKey{digest, day}); ok {
		return s.keepCoverage(key, listed)
	}
	list, err := s.Conventions(ctx, a)
	if err != nil {
		return nil, err
	}
	territories, err := s.store.ConventionTerritories(ctx)
	if err != nil {
		return nil, err
	}
	listed := make([]coverage.Listed, 0, len(list))
	for _, sum := range list {
		c := &model.Convention{Territory: model.Territory{EPCI: sum.EPCI, Communes: territories[sum.Slug]}}
		listed = append(listed, coverage.Listed{Slug: sum.Slug, Title: sum.Title, State: lifecycle.OfSummary(sum).On(day),
			Communes: coverage.Communes(c, s.Territory)})
	}
	s.coverages.Put(listsKey{digest, day}, listed)
	return s.keepCoverage(key, listed)
}

// coverageKey names a département's coverage: the state of the
// conventions read and the day, and the département.
type coverageKey struct {
	lists listsKey
	dep   string
}

// keepCoverage computes the coverage of key's département by listed and
// keeps it: a report is read, never changed, by those it is given to.
func (s *Service) keepCoverage(key coverageKey, listed []coverage.Listed) (*coverage.Report, error) {
	rep, err := coverage.ComputeListed(s.Territory, key.dep, listed, key.lists.day)
	if err == nil {
		s.coverageReports.Put(key, rep)
	}
	return rep, err
}

// applyAllDue gives every convention the text of its signed avenants
// whose date of effect has come, as reading each convention would: one
// statement when there is none.
func (s *Service) applyAllDue(ctx context.Context) error {
	due, err := s.store.ConventionsWithDueAmendments(ctx, model.DateOf(s.now()))
	if err != nil {
		return err
	}
	for _, slug := range due {
		if _, err := s.applyDue(ctx, slug); err != nil {
			return err
		}
	}
	return nil
}
