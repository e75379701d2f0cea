package app

import (
	"context"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// ConventionListPageSize is the number of conventions a page of the
// conventions list shows.
const ConventionListPageSize = 50

// ConventionListFilter narrows the conventions list. Empty fields keep
// every convention.
type ConventionListFilter struct {
	// State is a state of lifecycle.States.
	State lifecycle.State
	// Text is looked for in the title, the intercommunality's name and
	// its SIREN, without regard to case or accents.
	Text string
	// Page is the page asked for, from 1 (0 is the first).
	Page int
}

// ConventionListRow is a line of the conventions list.
type ConventionListRow struct {
	model.ConventionSummary
	// State is where the convention stands in its life on the day.
	State lifecycle.Standing
	// Territory is the territory resolved: the intercommunality's name and
	// the communes, signatories marked.
	Territory model.Territory
	// Signatories counts the communes of the territory party to the
	// convention.
	Signatories int
	// Next is the first overdue obligation, else the next one to come
	// (NextDeadline), when HasNext.
	Next    Deadline
	HasNext bool
}

// ConventionList is one page of the conventions list.
type ConventionList struct {
	Rows []ConventionListRow
	// Total counts the conventions the filter keeps; Page is the page
	// shown (from 1) of Pages.
	Total, Page, Pages int
	// Any is set when the person reads at least one convention, whatever
	// the filter.
	Any bool
}

// ListConventions returns a page of the conventions the actor may read,
// as of day today, filtered, in the order of their slugs. It reads
// summaries and a few facts of the page's conventions, never whole
// conventions: the number of statements does not grow with the number
// of conventions.
func (s *Service) ListConventions(ctx context.Context, a *auth.Actor, f ConventionListFilter, today model.Date) (*ConventionList, error) {
	// Reading a convention applies its avenants that came into effect;
	// the list, which reads none, applies those of every convention at
	// once (rarely any).
	due, err := s.store.ConventionsWithDueAmendments(ctx, model.DateOf(s.now()))
	if err != nil {
		return nil, err
	}
	for _, slug := range due {
		if err := s.applyDue(ctx, slug); err != nil {
			return nil, err
		}
	}
	all, err := s.Conventions(ctx, a)
	if err != nil {
		return nil, err
	}
	out := &ConventionList{Any: len(all) > 0}
	var kept []ConventionListRow
	text := textutil.Fold(strings.TrimSpace(f.Text))
	for _, sum := range all {
		row := ConventionListRow{ConventionSummary: sum, State: lifecycle.OfSummary(sum).StandingOn(today), Territory: model.Territory{EPCI: sum.EPCI}}
		if f.State != "" && row.State.Code != f.State {
			continue
		}
		if text != "" {
			name := ""
			if e, ok := s.Territory.EPCI(sum.EPCI); ok {
				name = e.Name
			}
			if !strings.Contains(textutil.Fold(sum.Title), text) && !strings.Contains(textutil.Fold(name), text) && !strings.Contains(sum.EPCI, text) {
				continue
			}
		}
		kept = append(kept, row)
	}
	out.Total = len(kept)
	out.Pages = max(1, (len(kept)+ConventionListPageSize-1)/ConventionListPageSize)
	out.Page = min(max(f.Page, 1), out.Pages)
	from := (out.Page - 1) * ConventionListPageSize
	out.Rows = kept[from:min(from+ConventionListPageSize, len(kept))]
	ids := make([]string, len(out.Rows))
	for i := range out.Rows {
		ids[i] = out.Rows[i].ID
	}
	facts, err := s.store.ConventionListFacts(ctx, ids, today)
	if err != nil {
		return nil, err
	}
	for i := range out.Rows {
		row := &out.Rows[i]
		x := facts[row.ID]
		if x == nil {
			x = &model.ConventionListFacts{}
		}
		signed := map[string]bool{}
		for _, code := range x.SignatoryCommunes {
			signed[code] = true
		}
		row.Territory.Communes = x.Communes
		convention.ResolveCommunes(&row.Territory, signed, s.Territory)
		for _, c := range row.Territory.Resolved {
			if c.Signatory {
				row.Signatories++
			}
		}
		row.Next, row.HasNext = listedNextDeadline(row.ConventionSummary, x, today)
	}
	return out, nil
}
