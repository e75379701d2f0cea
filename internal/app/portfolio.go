package app

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/lifecycle"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/textutil"
)

// PortfolioRow is one convention of a portfolio: where it stands on a day,
// what comes next and what is missing.
type PortfolioRow struct {
	Slug, Title string
	// EPCIName and EPCI (its SIREN) name the intercommunality of the
	// territory; Departements are the départements of its communes.
	EPCIName, EPCI string
	Departements   []string
	// Parties are the names of the organizations party to the convention.
	Parties []string
	State   lifecycle.Standing
	Period  model.Period
	// NextDeadline is the next obligation of the calendar from the day
	// on, nil when none is to come; Overdue counts the obligations past
	// and unmet.
	NextDeadline *CalendarEvent
	Overdue      int
	// Errors and Warnings are the checker's open lines of each severity,
	// as the overview counts them.
	Errors, Warnings int
	// CollectionYear is the year being collected and Collection where its
	// values stand, all organizations together.
	CollectionYear int
	Collection     Progress
	// NextMeeting is the next committee meeting not cancelled, nil when
	// none is planned; Committee the name of its committee.
	NextMeeting *model.Meeting
	Committee   string
	// titleKey is the title folded, for sorting, once computed.
	titleKey string
}

// PortfolioFilter narrows a portfolio. Empty fields keep every row.
type PortfolioFilter struct {
	// State is a state of lifecycle.States.
	State lifecycle.State
	// Departement is a département code (04, 2A…).
	Departement string
	// Text is looked for in the title and the intercommunality's name,
	// without regard to case or accents.
	Text string
	// DueBy keeps the conventions whose next deadline falls on that day
	// or before.
	DueBy *model.Date
	// Organization is (part of) the name of an organization party
	// to the convention, without regard to case or accents.
	Organization string
	// Sort is "titre" to sort by title; by default rows come by next
	// deadline, those without one last.
	Sort string
}

// key names the filter in the keys of what is kept.
func (f PortfolioFilter) key() string {
	due := ""
	if f.DueBy != nil {
		due = f.DueBy.String()
	}
	return strings.Join([]string{string(f.State), f.Departement, f.Text, due, f.Organization, f.Sort}, "\x00")
}

// PortfolioView is the portfolio as its page shows it for a filter.
type PortfolioView struct {
	// Rows are the rows the filter keeps, sorted as it asks.
	Rows []PortfolioRow
	// Any says the person reads a convention, whatever the filter.
	Any bool
	// Departement is the département most of the person's conventions
	// lie in, the first code on a tie; "" without any.
	Departement string
	// Key names the view while it is kept: the same key, the same view.
	// "" when it is not kept (another day than today).
	Key string
}

// portfolioViewKey names a portfolio view: the state of the conventions
// read, the day and the filter.
type portfolioViewKey struct {
	lists  listsKey
	filter string
}

// viewsKept bounds the portfolio views and coverages kept.
const viewsKept = 64

// PortfolioView returns the portfolio filtered by f as its page shows it,
// kept, as the whole portfolio is, by the state of the conventions read
// and the day: a view seen again reads the count of changes only.
func (s *Service) PortfolioView(ctx context.Context, a *auth.Actor, f PortfolioFilter, today model.Date) (*PortfolioView, error) {
	_, dated := DateOf(ctx)
	keep := !dated && today == model.DateOf(s.now().In(textutil.Paris))
	var key portfolioViewKey
	if keep {
		digest, err := s.readableDigest(ctx, a)
		if err != nil {
			return nil, err
		}
		key = portfolioViewKey{listsKey{digest, today}, f.key()}
		if v, ok := s.portfolioViews.Get(key); ok {
			return v, nil
		}
	}
	all, err := s.Portfolio(ctx, a, PortfolioFilter{Sort: f.Sort}, today)
	if err != nil {
		return nil, err
	}
	v := &PortfolioView{Rows: FilterPortfolio(all, f), Any: len(all) > 0, Departement: mostFrequentDepartement(all)}
	if keep {
		v.Key = fmt.Sprintf("%x", sha256.Sum256(fmt.Appendf(nil, "%x|%s|%q", key.lists.digest, today, key.filter)))
		s.portfolioViews.Put(key, v)
	}
	return v, nil
}

// mostFrequentDepartement is the département most of the conventions lie
// in, the first code on a tie; "" without any.
func mostFrequentDepartement(rows []PortfolioRow) string {
	counts := map[string]int{}
	best := ""
	for _, r := range rows {
		for _, dep := range r.Departements {
			counts[dep]++
		}
	}
	for dep, n := range counts {
		if n > counts[best] || n == counts[best] && dep < best {
			best = dep
		}
	}
	return best
}

// PortfolioSortTitle sorts a portfolio by title.
const PortfolioSortTitle = "titre"

// Portfolio lists, one row each, the conventions the actor may read
// (every one for a platform administrator), avenants' working copies
// left out, as of day today, filtered and sorted.
//
// The rows are read from the lines kept (portfolio_rows): one statement
// whatever the number of conventions. A convention whose line is missing
// or stale — changed since, computed for another day or by another build
// — is computed from the whole convention as before (portfolioRow), and
// its line kept when the day is today.
func (s *Service) Portfolio(ctx context.Context, a *auth.Actor, f PortfolioFilter, today model.Date) ([]PortfolioRow, error) {
	if _, ok := DateOf(ctx); ok {
		// The texts as they stood on another day: nothing kept applies.
		return s.portfolioFromConventions(ctx, a, f, today)
	}
	if err := s.applyAllDue(ctx); err != nil {
		return nil, err
	}
	keep := today == model.DateOf(s.now().In(textutil.Paris))
	digest, err := s.readableDigest(ctx, a)
	if err != nil {
		return nil, err
	}
	if rows, ok := s.portfolios.Get(listsKey{digest, today}); ok && keep {
		return FilterPortfolio(rows, f), nil
	}
	lines, err := s.store.PortfolioLines(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]PortfolioRow, 0, len(lines))
	for _, l := range lines {
		if !a.CanRead(l.Slug) {
			continue
		}
		mark := fmt.Sprintf("%s/%d|%s", l.ID, l.Revision, buildMark)
		if l.Day != nil && *l.Day == today && l.Mark == mark && l.Data != nil {
			var rec portfolioRecord
			if err := json.Unmarshal(l.Data, &rec); err == nil {
				rows = append(rows, rec.row(l.Slug))
				continue
			}
		}
		row, err := s.portfolioRow(ctx, a, l.Slug, today)
		if err != nil {
			return nil, err
		}
		rows = append(rows, *row)
		if keep {
			data, err := json.Marshal(recordOf(row))
			if err != nil {
				return nil, err
			}
			if err := s.store.KeepPortfolioLine(ctx, l.Slug, today, mark, data); err != nil {
				return nil, err
			}
		}
	}
	for i := range rows {
		rows[i].titleKey = textutil.Fold(rows[i].Title)
	}
	if keep {
		s.portfolios.Put(listsKey{digest, today}, rows)
	}
	return FilterPortfolio(rows, f), nil
}

// portfolioFromConventions computes every row from the whole convention.
func (s *Service) portfolioFromConventions(ctx context.Context, a *auth.Actor, f PortfolioFilter, today model.Date) ([]PortfolioRow, error) {
	list, err := s.Conventions(ctx, a)
	if err != nil {
		return nil, err
	}
	rows := make([]PortfolioRow, 0, len(list))
	for _, sum := range list {
		row, err := s.portfolioRow(ctx, a, sum.Slug, today)
		if err != nil {
			return nil, err
		}
		rows = append(rows, *row)
	}
	return FilterPortfolio(rows, f), nil
}

// PortfolioPageSize is the number of conventions a page of the portfolio
// shows, as the conventions list.
const PortfolioPageSize = ConventionListPageSize

// PortfolioPage cuts page (from 1; 0 is the first, beyond the last is the
// last) out of rows, and tells which page it is of how many.
func PortfolioPage(rows []PortfolioRow, page int) (out []PortfolioRow, shown, pages int) {
	pages = max(1, (len(rows)+PortfolioPageSize-1)/PortfolioPageSize)
	shown = min(max(page, 1), pages)
	from := (shown - 1) * PortfolioPageSize
	return rows[from:min(from+PortfolioPageSize, len(rows))], shown, pages
}

// FilterPortfolio keeps the rows that pass the filter, sorted as it asks.
func FilterPortfolio(all []PortfolioRow, f PortfolioFilter) []PortfolioRow {
	rows := make([]PortfolioRow, 0, len(all))
	for i := range all {
		if f.keeps(&all[i]) {
			rows = append(rows, all[i])
		}
	}
	// Titles are folded once per row, not once per comparison.
	for i := range rows {
		if rows[i].titleKey == "" {
			rows[i].titleKey = textutil.Fold(rows[i].Title)
		}
	}
	slices.SortStableFunc(rows, func(x, y PortfolioRow) int {
		if f.Sort != PortfolioSortTitle {
			switch {
			case x.NextDeadline == nil && y.NextDeadline != nil:
				return 1
			case x.NextDeadline != nil && y.NextDeadline == nil:
				return -1
			case x.NextDeadline != nil:
				if c := x.NextDeadline.Date.Time().Compare(y.NextDeadline.Date.Time()); c != 0 {
					return c
				}
			}
		}
		return cmp.Or(strings.Compare(x.titleKey, y.titleKey), strings.Compare(x.Slug, y.Slug))
	})
	return rows
}

// portfolioRow computes the row of one convention: one read of the
// convention and of what it summarizes (values, findings, calendar,
// meetings). A list page that grows large is optimised here.
func (s *Service) portfolioRow(ctx context.Context, a *auth.Actor, slug string, today model.Date) (*PortfolioRow, error) {
	ov, err := s.Overview(ctx, a, slug, today)
	if err != nil {
		return nil, err
	}
	c := ov.Convention
	row := &PortfolioRow{Slug: c.Slug, Title: c.Title, EPCIName: c.Territory.EPCIName, EPCI: c.Territory.EPCI, State: ov.State, Period: c.Period,
		Errors: ov.Checks.Counts[lint.Error], Warnings: ov.Checks.Counts[lint.Warning], CollectionYear: ov.CollectionYear, Collection: ov.Collection}
	for _, tc := range c.Territory.Resolved {
		if com, ok := s.Territory.Commune(tc.INSEE); ok && com.Departement != "" && !slices.Contains(row.Departements, com.Departement) {
			row.Departements = append(row.Departements, com.Departement)
		}
	}
	slices.Sort(row.Departements)
	for _, p := range c.Parties {
		if name := c.OrgName(p.Organization); !slices.Contains(row.Parties, name) {
			row.Parties = append(row.Parties, name)
		}
	}
	cal, err := s.calendarOf(ctx, c, today)
	if err != nil {
		return nil, err
	}
	for i, e := range cal.Events {
		if e.Overdue() {
			row.Overdue++
		} else if row.NextDeadline == nil && e.Dated && e.State == lifecycle.EventUpcoming && !e.Date.Before(today) {
			row.NextDeadline = &cal.Events[i]
		}
	}
	meetings, err := s.store.Meetings(ctx, c.Slug)
	if err != nil {
		return nil, err
	}
	for i, m := range meetings {
		if m.Status == model.MeetingCancelled || m.Date.Before(today) {
			continue
		}
		if row.NextMeeting == nil || m.Date.Before(row.NextMeeting.Date) {
			row.NextMeeting = &meetings[i]
		}
	}
	if m := row.NextMeeting; m != nil {
		row.Committee = m.Committee
		if k := Committee(c, m.Committee); k != nil && k.Name != "" {
			row.Committee = k.Name
		}
	}
	return row, nil
}

// keeps reports whether a row passes the filter.
func (f PortfolioFilter) keeps(r *PortfolioRow) bool {
	if f.State != "" && r.State.Code != f.State {
		return false
	}
	if f.Departement != "" && !slices.Contains(r.Departements, f.Departement) {
		return false
	}
	if t := textutil.Fold(strings.TrimSpace(f.Text)); t != "" &&
		!strings.Contains(textutil.Fold(r.Title), t) && !strings.Contains(textutil.Fold(r.EPCIName), t) && !strings.Contains(r.EPCI, t) {
		return false
	}
	// An obligation already late is due before any day to come.
	if f.DueBy != nil && r.Overdue == 0 && (r.NextDeadline == nil || r.NextDeadline.Date.After(*f.DueBy)) {
		return false
	}
	if o := textutil.Fold(strings.TrimSpace(f.Organization)); o != "" && !slices.ContainsFunc(r.Parties, func(p string) bool {
		return strings.Contains(textutil.Fold(p), o)
	}) {
		return false
	}
	return true
}
