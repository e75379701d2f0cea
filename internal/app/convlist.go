package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
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
	// EPCIName is the name of the territory's intercommunality; Communes
	// counts the communes of the territory and Signatories those party to
	// the convention.
	EPCIName              string
	Communes, Signatories int
	// Next is the first overdue obligation, else the next one to come
	// (NextDeadline), when HasNext.
	Next    Deadline
	HasNext bool
	// Ref is the stored state of the convention the line was computed
	// from, when the list gives it: the line is the same for the same ref
	// on the same day.
	Ref model.ConventionRef `json:"-"`
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
	// Key names an unfiltered page while it is kept: the same key, the
	// same page. "" for a filtered list.
	Key string
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
	if err := s.applyAllDue(ctx); err != nil {
		return nil, err
	}
	if f.Text == "" && f.State == "" {
		return s.conventionPage(ctx, a, f.Page, today)
	}
	// The conventions' keys only: their summaries, and the parties'
	// authorizations and the acts their states need, are read for the
	// page alone, unless the filter asks for a state.
	keys, err := s.store.ConventionKeys(ctx)
	if err != nil {
		return nil, err
	}
	all := readable(a, keys)
	out := &ConventionList{Any: len(all) > 0}
	text := textutil.Fold(strings.TrimSpace(f.Text))
	var kept []model.ConventionSummary
	for _, sum := range all {
		if text != "" {
			name := ""
			if e, ok := s.Territory.EPCI(sum.EPCI); ok {
				name = e.Name
			}
			if !strings.Contains(textutil.Fold(sum.Title), text) && !strings.Contains(textutil.Fold(name), text) && !strings.Contains(sum.EPCI, text) {
				continue
			}
		}
		kept = append(kept, sum)
	}
	summaries := func(list []model.ConventionSummary) ([]model.ConventionSummary, error) {
		var ids []string
		if len(list) < len(keys) {
			ids = make([]string, len(list))
			for i := range list {
				ids[i] = list[i].ID
			}
		}
		return s.store.ConventionSummaries(ctx, ids)
	}
	if f.State != "" {
		if kept, err = summaries(kept); err != nil {
			return nil, err
		}
		kept = slices.DeleteFunc(readable(a, kept), func(sum model.ConventionSummary) bool { return lifecycle.OfSummary(sum).On(today) != f.State })
	}
	out.Total = len(kept)
	out.Pages = max(1, (len(kept)+ConventionListPageSize-1)/ConventionListPageSize)
	out.Page = min(max(f.Page, 1), out.Pages)
	from := (out.Page - 1) * ConventionListPageSize
	page := kept[from:min(from+ConventionListPageSize, len(kept))]
	if f.State == "" {
		if page, err = summaries(page); err != nil {
			return nil, err
		}
		// Those the actor may read: the same, unless one was removed
		// meanwhile.
		page = readable(a, page)
	}
	return out, s.listRows(ctx, out, page, today)
}

// conventionPage is the unfiltered list: the conventions are counted and
// paged by the database, which gives the refs of the page's conventions.
// A line depends only on its convention's stored state (its ref: id and
// revision, which any change moves, whichever server made it) and on the
// day, so the lines computed lately are kept by both and only the others
// are read: their summaries, then their facts.
func (s *Service) conventionPage(ctx context.Context, a *auth.Actor, n int, today model.Date) (*ConventionList, error) {
	var slugs []string
	if !a.PlatformAdmin {
		slugs = []string{}
		for slug := range a.Memberships {
			slugs = append(slugs, slug)
		}
	}
	changes, err := s.store.Changes(ctx)
	if err != nil {
		return nil, err
	}
	key := countedKey{changes: changes, scope: scopeOf(a), page: max(n, 1), day: today}
	if l, ok := s.listViews.Get(key); ok {
		return l, nil
	}
	total, err := s.store.CountConventions(ctx, slugs)
	if err != nil {
		return nil, err
	}
	out := &ConventionList{Any: total > 0, Total: total, Key: fmt.Sprintf("%d|%q|%d|%s", key.changes, key.scope, key.page, key.day)}
	out.Pages = max(1, (total+ConventionListPageSize-1)/ConventionListPageSize)
	out.Page = min(max(n, 1), out.Pages)
	refs, err := s.store.ConventionPageRefs(ctx, slugs, (out.Page-1)*ConventionListPageSize, ConventionListPageSize)
	if err != nil {
		return nil, err
	}
	refs = slices.DeleteFunc(refs, func(r model.ConventionRef) bool { return !a.CanRead(r.Slug) })
	kept := make(map[string]ConventionListRow, len(refs))
	var missing []string
	for _, r := range refs {
		if row, ok := s.listLines.Get(listRowKey{r, today}); ok {
			kept[r.ID] = row
		} else {
			missing = append(missing, r.ID)
		}
	}
	if len(missing) > 0 {
		sums, err := s.store.ConventionSummaries(ctx, missing)
		if err != nil {
			return nil, err
		}
		read := &ConventionList{}
		if err := s.listRows(ctx, read, sums, today); err != nil {
			return nil, err
		}
		for _, row := range read.Rows {
			kept[row.ID] = row
		}
	}
	for _, r := range refs {
		row, ok := kept[r.ID]
		if !ok {
			continue // removed meanwhile
		}
		row.Ref = r
		if slices.Contains(missing, r.ID) {
			s.listLines.Put(listRowKey{r, today}, row)
		}
		out.Rows = append(out.Rows, row)
	}
	s.listViews.Put(key, out)
	return out, nil
}

// listRowKey is what a line of the conventions list depends on.
type listRowKey struct {
	ref model.ConventionRef
	day model.Date
}

// listRowsKept bounds the lines of the conventions list kept: every
// convention of France, a few days over.
const listRowsKept = 4096

// listRows fills the rows of a page of the list from their summaries.
func (s *Service) listRows(ctx context.Context, out *ConventionList, page []model.ConventionSummary, today model.Date) error {
	out.Rows = make([]ConventionListRow, len(page))
	for i, sum := range page {
		out.Rows[i] = ConventionListRow{ConventionSummary: sum, State: lifecycle.OfSummary(sum).StandingOn(today)}
	}
	ids := make([]string, len(out.Rows))
	for i := range out.Rows {
		ids[i] = out.Rows[i].ID
	}
	facts, err := s.store.ConventionListFacts(ctx, ids, today)
	if err != nil {
		return err
	}
	for i := range out.Rows {
		row := &out.Rows[i]
		x := facts[row.ID]
		if x == nil {
			x = &model.ConventionListFacts{}
		}
		// As convention.ResolveTerritory counts them, without the names
		// and populations the list does not show.
		codes := x.Communes
		if e, ok := s.Territory.EPCI(row.EPCI); ok {
			row.EPCIName = e.Name
			if len(codes) == 0 {
				codes = e.Members
			}
		}
		row.Communes = len(codes)
		for _, code := range codes {
			if slices.Contains(x.SignatoryCommunes, code) {
				row.Signatories++
			}
		}
		row.Next, row.HasNext = listedNextDeadline(row.ConventionSummary, x, today)
	}
	return nil
}
