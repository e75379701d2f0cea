// Package app holds the use cases shared by the command line, the HTML
// pages and the JSON API: import, export and read conventions. It holds no
// SQL and no HTTP.
package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/ctg-territoires/ctg/examples"
	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/convention"
	"github.com/ctg-territoires/ctg/internal/coverage"
	"github.com/ctg-territoires/ctg/internal/indicators"
	"github.com/ctg-territoires/ctg/internal/interchange"
	"github.com/ctg-territoires/ctg/internal/lint"
	"github.com/ctg-territoires/ctg/internal/mail"
	"github.com/ctg-territoires/ctg/internal/memo"
	"github.com/ctg-territoires/ctg/internal/model"
	"github.com/ctg-territoires/ctg/internal/secrecy"
	"github.com/ctg-territoires/ctg/internal/store"
	"github.com/ctg-territoires/ctg/internal/territory"
)

// Service runs the use cases over a store and the territory reference data.
type Service struct {
	store     store.Store
	Territory *territory.Data
	// now is the clock of the use cases, replaced in tests.
	now func() time.Time
	// signingIn admits the sign-ins being checked at once; importing the
	// values files read at once.
	signingIn, importing chan struct{}
	// Secrecy protects small counts in every figure asked for as
	// diffusable; the zero value masks them (secrecy.Default).
	Secrecy secrecy.Rule
	// PublicURL is the site's address for the links of e-mails
	// ("https://ctg.exemple.fr"); empty, the address a request reached.
	PublicURL string
	// mail is how to reach the SMTP server (SetMail); none by default.
	mail mail.Settings
	// wakeMail tells the background sender that a message was queued.
	wakeMail func()
	// findingsMemo keeps the checker's findings of the conventions
	// viewed lately, by a digest of what they are computed from.
	findingsMemo findingsMemo
	// listLines keeps the lines of the conventions list computed lately,
	// by the convention's ref and the day (see conventionPage).
	listLines *memo.Bounded[listRowKey, ConventionListRow]
	// portfolios and coverages keep the whole portfolios and coverages
	// computed lately, by the state of the conventions they read and the
	// day (see readableDigest).
	portfolios *memo.Bounded[listsKey, []PortfolioRow]
	coverages  *memo.Bounded[listsKey, []coverage.Listed]
	// coverageReports and portfolioViews keep, by the same, the
	// coverages of the départements and the filtered portfolios shown.
	coverageReports *memo.Bounded[coverageKey, *coverage.Report]
	portfolioViews  *memo.Bounded[portfolioViewKey, *PortfolioView]
	// digests and listViews keep the digests of the conventions people
	// read and the pages of the unfiltered conventions list, by the count
	// of changes
	// (see countedKey).
	digests   *memo.Bounded[countedKey, [sha256.Size]byte]
	listViews *memo.Bounded[countedKey, *ConventionList]
	// figures keeps the yearly figures of the conventions viewed lately,
	// by revision (see Figures).
	figures *memo.Bounded[revisionKey, *indicators.Table]
	// values keeps the values of the conventions viewed lately, by
	// revision (see Values).
	values *memo.Bounded[revisionKey, []model.Value]
	// overviews keeps the overviews viewed lately, by revision and day
	// (see Overview).
	overviews *memo.Bounded[overviewKey, *Overview]
	// convs keeps the conventions read lately by revision.
	convs convCache
}

// New returns a Service over st with the embedded reference data, decoded
// on its first use rather than at start.
func New(st store.Store) (*Service, error) {
	return &Service{store: st, Territory: territory.Deferred(), now: time.Now, signingIn: make(chan struct{}, maxSignIns),
		importing: make(chan struct{}, 2), listLines: memo.New[listRowKey, ConventionListRow](listRowsKept),
		portfolios: memo.New[listsKey, []PortfolioRow](listsKept), coverages: memo.New[listsKey, []coverage.Listed](listsKept),
		figures: memo.New[revisionKey, *indicators.Table](figuresKept), values: memo.New[revisionKey, []model.Value](valuesKept),
		overviews:       memo.New[overviewKey, *Overview](overviewsKept),
		coverageReports: memo.New[coverageKey, *coverage.Report](viewsKept), portfolioViews: memo.New[portfolioViewKey, *PortfolioView](viewsKept),
		digests: memo.New[countedKey, [sha256.Size]byte](countedKept), listViews: memo.New[countedKey, *ConventionList](countedKept),
		findingsMemo: findingsMemo{kept: memo.New[[sha256.Size]byte, []lint.Finding](findingsMemoSize)}}, nil
}

// maxSignIns is how many sign-ins are checked at once; the password checks
// themselves run a few at a time (see package auth).
const maxSignIns = 8

// SetClock replaces the service's clock, for tests and reproducible runs.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Database names the database in use: "sqlite" or "postgres".
func (s *Service) Database() string { return s.store.Dialect() }

// Health checks that the database answers and names it.
func (s *Service) Health(ctx context.Context) (database string, err error) {
	return s.store.Dialect(), s.store.Ping(ctx)
}

// audited starts the history entry of a change made by a (the command
// line when a is nil) in a convention: the one way the service describes
// what it changes.
func audited(a *auth.Actor, slug, action, objectType, objectID, label string) model.AuditEntry {
	if a == nil {
		a = auth.System
	}
	return model.AuditEntry{Convention: slug, UserID: a.UserID, Actor: a.Label(), Action: action,
		ObjectType: objectType, ObjectID: objectID, ObjectLabel: label}
}

// Import validates a convention file, or an archive of one with its
// documents, and stores it with its life, in one transaction. With
// replace, a convention with the same slug is replaced; otherwise the
// slug must be free. A file with any error writes nothing; a file that
// would change the signed text of a signed convention is refused with a
// *SignedError. ImportFile tells what was left out.
func (s *Service) Import(ctx context.Context, data []byte, replace bool) (*model.Convention, error) {
	r, err := s.ImportFile(ctx, data, replace)
	if err != nil {
		return nil, err
	}
	return r.Convention, nil
}

// Export writes a stored convention in the interchange format, with its
// life (avenants, versions, acts, documents described). On the day ctx
// asks for (OnDate), it is the text then in force, without its life.
func (s *Service) Export(ctx context.Context, a *auth.Actor, slug string) ([]byte, error) {
	if !a.CanRead(slug) {
		return nil, fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if d, ok := DateOf(ctx); ok {
		c, _, err := s.ConventionAt(ctx, a, slug, d)
		if err != nil {
			return nil, err
		}
		return interchange.Encode(c)
	}
	f, err := s.conventionFile(ctx, slug)
	if err != nil {
		return nil, err
	}
	return interchange.EncodeFile(f)
}

type dateKey struct{}

// OnDate asks the reads of ctx for the conventions as they stood on day d
// (?a=AAAA-MM-JJ on every page): Convention and Export then return the
// version in force that day.
func OnDate(ctx context.Context, d model.Date) context.Context {
	return context.WithValue(ctx, dateKey{}, d)
}

// DateOf returns the day the reads of ctx look at, if one was asked for.
func DateOf(ctx context.Context) (model.Date, bool) {
	d, ok := ctx.Value(dateKey{}).(model.Date)
	return d, ok
}

// Convention returns a whole convention with its territory resolved, if
// the actor may see it; ErrNotFound otherwise, so that its existence is
// not revealed either. It is the text in force today, or on the day ctx
// asks for (OnDate).
func (s *Service) Convention(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, error) {
	c, _, err := s.conventionRevision(ctx, a, slug)
	return c, err
}

// conventionRevision is Convention, with the revision of the live
// convention it read; "" for the text of another day.
func (s *Service) conventionRevision(ctx context.Context, a *auth.Actor, slug string) (*model.Convention, string, error) {
	if !a.CanRead(slug) {
		return nil, "", fmt.Errorf("convention « %s » : %w", slug, model.ErrNotFound)
	}
	if d, ok := DateOf(ctx); ok {
		c, _, err := s.ConventionAt(ctx, a, slug, d)
		return c, "", err
	}
	c, revision, err := s.liveRevision(ctx, slug)
	if err != nil {
		return nil, "", err
	}
	convention.ResolveTerritory(c, s.Territory)
	return c, revision, nil
}

// Conventions lists the stored conventions the actor may see.
func (s *Service) Conventions(ctx context.Context, a *auth.Actor) ([]model.ConventionSummary, error) {
	all, err := s.store.Conventions(ctx)
	if err != nil {
		return nil, err
	}
	return readable(a, all), nil
}

// readable keeps the conventions the actor may see in a list.
func readable(a *auth.Actor, all []model.ConventionSummary) []model.ConventionSummary {
	var out []model.ConventionSummary
	for _, c := range all {
		// A working copy is reached through its avenant only.
		if _, _, copy := model.WorkingCopyOf(c.Slug); a.CanRead(c.Slug) && !copy {
			out = append(out, c)
		}
	}
	return out
}

// DemoSeed is the seed of the synthetic values loaded with the example.
const DemoSeed = 2022

// LoadExampleIfEmpty stores the bundled Forcalquier convention when the
// database holds no convention at all, so that a newcomer sees real
// content. It reports whether it did.
func (s *Service) LoadExampleIfEmpty(ctx context.Context) (bool, error) {
	list, err := s.store.Conventions(ctx)
	if err != nil {
		return false, err
	}
	if len(list) > 0 {
		return false, nil
	}
	if _, err := s.Import(ctx, examples.Forcalquier, false); err != nil {
		return false, fmt.Errorf("chargement de l'exemple : %w", err)
	}
	// Synthetic indicator values, labelled as such, so that the dashboard
	// of the example is not empty.
	if _, err := s.LoadDemo(ctx, examples.ForcalquierSlug, DemoSeed); err != nil {
		return false, fmt.Errorf("données fictives de l'exemple : %w", err)
	}
	return true, nil
}

// Findings runs the convention checker on a convention already loaded,
// with what the platform records beside its text (the assessments of
// its fiches, which record its evaluation, its avenants and the meetings
// of its committees).
func (s *Service) Findings(ctx context.Context, c *model.Convention, at model.Date) ([]lint.Finding, error) {
	rec, err := s.recorded(ctx, c)
	if err != nil {
		return nil, err
	}
	key, ok := findingsDigest(c, rec, at)
	if ok {
		if f, found := s.findingsMemo.get(key); found {
			return f, nil
		}
	}
	f := lint.RunWith(c, s.Territory, at, rec)
	if ok {
		s.findingsMemo.put(key, f)
	}
	return f, nil
}

// recorded reads what the checker reads beside the text of c: once per
// revision of the stored convention and day of the text it compares with.
func (s *Service) recorded(ctx context.Context, c *model.Convention) (lint.Recorded, error) {
	day := model.DateOf(s.now())
	if d, ok := DateOf(ctx); ok {
		day = d
	}
	// A convention not stored (a file being checked) has no revision.
	revision, err := s.store.ConventionRevision(ctx, c.Slug)
	if err == nil {
		if rec, ok := s.convs.recordedOf(c.Slug, revision, day); ok {
			return rec, nil
		}
	} else if !errors.Is(err, model.ErrNotFound) {
		return lint.Recorded{}, err
	}
	assessments, err := s.store.Assessments(ctx, c.Slug, 0)
	if err != nil {
		return lint.Recorded{}, err
	}
	life, err := s.lifeOf(ctx, c)
	if err != nil {
		return lint.Recorded{}, err
	}
	docs, err := s.store.Documents(ctx, c.Slug)
	if err != nil {
		return lint.Recorded{}, err
	}
	meetings, err := s.store.Meetings(ctx, c.Slug)
	if err != nil {
		return lint.Recorded{}, err
	}
	requests, err := s.store.DataRequests(ctx, c.Slug)
	if err != nil {
		return lint.Recorded{}, err
	}
	rec := lint.Recorded{Assessments: assessments, Documents: docs, Life: life, Meetings: meetings, DataRequests: requests}
	if revision != "" {
		s.convs.putRecorded(c.Slug, revision, day, rec)
	}
	return rec, nil
}
