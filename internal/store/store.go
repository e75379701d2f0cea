// Package store keeps conventions in SQLite (the embedded default) or
// PostgreSQL, behind one interface and one SQL implementation. Dialect
// differences live in dialect.go and in the per-dialect migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	// Database drivers: pure-Go SQLite (see docs/storage.md) and pgx.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/ctg-territoires/ctg/internal/auth"
	"github.com/ctg-territoires/ctg/internal/model"
)

// Store is what the rest of ctg needs from storage. Every method takes a
// context; none returns a partially written convention.
type Store interface {
	// Migrate brings the schema to the latest version.
	Migrate(ctx context.Context) ([]string, error)
	// CreateConvention stores a whole convention in one transaction and
	// returns it with its records' metadata, with the audit entry of its
	// import. ErrConflict if the slug is taken.
	CreateConvention(ctx context.Context, c *model.Convention, entry model.AuditEntry) (*model.Convention, error)
	// ReplaceConvention deletes the convention with c's slug, if any, and
	// stores c instead, in one transaction.
	ReplaceConvention(ctx context.Context, c *model.Convention, entry model.AuditEntry) (*model.Convention, error)
	// ImportConvention stores a convention (replacing the one of its slug
	// when replace is set) and the parts of its life that life carries,
	// all or nothing.
	ImportConvention(ctx context.Context, c *model.Convention, life *Life, replace bool, entry model.AuditEntry) (*model.Convention, error)
	// Convention returns a whole convention by slug, or ErrNotFound.
	Convention(ctx context.Context, slug string) (*model.Convention, error)
	// ConventionRevision identifies the stored state of a convention: it
	// changes with every audited change of the convention, in the same
	// transaction. ErrNotFound if there is no such convention.
	ConventionRevision(ctx context.Context, slug string) (string, error)
	// Conventions lists the stored conventions, by slug.
	Conventions(ctx context.Context) ([]model.ConventionSummary, error)
	// ConventionKeys lists the stored conventions, by slug, with their
	// id, slug, title and intercommunality only.
	ConventionKeys(ctx context.Context) ([]model.ConventionSummary, error)
	// ConventionSummaries lists the summaries of the conventions of ids,
	// of every one when ids is nil, by slug.
	ConventionSummaries(ctx context.Context, ids []string) ([]model.ConventionSummary, error)
	// CountConventions counts the conventions of slugs (every one when
	// slugs is nil), the working copies of avenants left out.
	CountConventions(ctx context.Context, slugs []string) (int, error)
	// ConventionPageRefs reads the refs (id, slug, revision) of at most
	// limit of them, from offset in the order of their slugs.
	ConventionPageRefs(ctx context.Context, slugs []string, offset, limit int) ([]model.ConventionRef, error)
	// ConventionRefs reads the refs of every one of them.
	ConventionRefs(ctx context.Context) ([]model.ConventionRef, error)
	// Changes counts the committed transactions that changed a
	// convention.
	Changes(ctx context.Context) (int64, error)
	// ConventionListFacts reads what the lines of a page of the
	// conventions list show beyond their summaries, by convention id.
	ConventionListFacts(ctx context.Context, ids []string, from model.Date) (map[string]*model.ConventionListFacts, error)
	// ConventionsWithWork lists the conventions where something waits for
	// someone whatever their organization.
	ConventionsWithWork(ctx context.Context) (model.ConventionsWithWork, error)
	// ConventionsWithDueAmendments lists the conventions having a signed
	// avenant due on that day and not yet applied.
	ConventionsWithDueAmendments(ctx context.Context, on model.Date) ([]string, error)
	// PortfolioLines reads every convention of the portfolio with the line
	// kept for it, in one statement; KeepPortfolioLine keeps a line with
	// the mark of what it was computed from.
	PortfolioLines(ctx context.Context) ([]PortfolioLine, error)
	KeepPortfolioLine(ctx context.Context, slug string, day model.Date, mark string, data []byte) error
	// ConventionTerritories reads the communes of the territory of every
	// convention, by slug, in one statement.
	ConventionTerritories(ctx context.Context) (map[string][]string, error)
	// Count returns the number of rows of every table, for checks and tests.
	Count(ctx context.Context) (map[string]int, error)
	// UpdateRecord changes fields (by path) of one record of a kind still
	// at version and appends the audit entry, in one transaction (ErrStale
	// otherwise).
	UpdateRecord(ctx context.Context, kind, id string, version int, fields map[string]any, entry model.AuditEntry, copies ...string) (int, error)
	// InsertRecord adds a record of a kind under its parent with its audit entry.
	InsertRecord(ctx context.Context, kind, parentID string, fields map[string]any, entry model.AuditEntry) (string, error)
	// DeleteRecord removes a record still at version with its audit entry.
	DeleteRecord(ctx context.Context, kind, id string, version int, entry model.AuditEntry) error
	// AppendAudit records an entry in the append-only history.
	AppendAudit(ctx context.Context, e model.AuditEntry) error
	// History lists a convention's audit entries, newest first.
	History(ctx context.Context, convention string, objectIDs []string, limit int) ([]model.AuditEntry, error)
	Accounts
	Acknowledgements
	AmendmentStore
	CalendarFeeds
	Documents
	MeetingStore
	Communication
	DataRequestStore
	Outbox
	Directory
	// Values lists a convention's indicator values (of one indicator when code is set).
	Values(ctx context.Context, convention, code string) ([]model.Value, error)
	// Value returns one indicator value by id.
	Value(ctx context.Context, id string) (*model.Value, error)
	// SaveValue inserts or updates (at its version) a value with its audit entry.
	SaveValue(ctx context.Context, v *model.Value, entry model.AuditEntry) error
	// SaveValues saves several values with their audit entries, all or none.
	SaveValues(ctx context.Context, values []*model.Value, entries []model.AuditEntry) error
	// WriteValues saves values with their audit entries, deleting the
	// synthetic values they replace, all or none.
	WriteValues(ctx context.Context, writes []ValueWrite) error
	// ImportValues saves many values, all or none, with one audit entry that lists them.
	ImportValues(ctx context.Context, writes []ValueWrite, entry model.AuditEntry) error
	// InsertValues stores new values (skipping taken periods) with one audit entry.
	InsertValues(ctx context.Context, values []model.Value, entry model.AuditEntry) (int, error)
	// DeleteSyntheticValues removes a convention's demonstration values.
	DeleteSyntheticValues(ctx context.Context, convention string) (int, error)
	// Assessments lists a convention's written assessments of its fiches (of one year when year is not 0).
	Assessments(ctx context.Context, convention string, year int) ([]model.Assessment, error)
	// Assessment returns the assessment of a fiche for a year, or ErrNotFound.
	Assessment(ctx context.Context, convention, fiche string, year int) (*model.Assessment, error)
	// SaveAssessment inserts or updates (at its version) an assessment with its audit entry.
	SaveAssessment(ctx context.Context, x *model.Assessment, entry model.AuditEntry) error
	// LifecycleActs returns a convention's renewal and termination, and the convention it succeeds.
	LifecycleActs(ctx context.Context, slug string) (model.LifecycleActs, error)
	// SaveTermination records a termination with its audit entry (ErrConflict if one exists).
	SaveTermination(ctx context.Context, slug string, t *model.Termination, entry model.AuditEntry) error
	// SaveRenewal records a renewal and creates the successor with its members, all or none.
	SaveRenewal(ctx context.Context, slug string, r *model.Renewal, successor *model.Convention, entry, successorEntry model.AuditEntry) (*model.Convention, error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Dialect names the database in use: "sqlite" or "postgres".
	Dialect() string
	// PoolStats returns the statistics of the connection pools by use:
	// "read" and "write" on SQLite, one "shared" pool on PostgreSQL.
	PoolStats() map[string]sql.DBStats
	Close() error
}

// AmendmentStore keeps the avenants of conventions, their authorizations
// and the stored versions of each convention's text.
type AmendmentStore interface {
	Amendments(ctx context.Context, convention string) ([]model.Amendment, error)
	Amendment(ctx context.Context, convention string, number int) (*model.Amendment, error)
	CreateAmendment(ctx context.Context, x *model.Amendment, copy *model.Convention, entry model.AuditEntry) error
	SaveAmendmentAuthorization(ctx context.Context, a *model.AmendmentAuthorization, entry model.AuditEntry) error
	AbandonAmendment(ctx context.Context, x *model.Amendment, entry model.AuditEntry) error
	SignAmendment(ctx context.Context, x *model.Amendment, versions []model.ConventionVersion, apply *model.Convention, entry, applyEntry model.AuditEntry) error
	ApplyAmendment(ctx context.Context, x *model.Amendment, c *model.Convention, entry model.AuditEntry) (bool, error)
	DueAmendments(ctx context.Context, convention string, on model.Date) ([]model.Amendment, error)
	ConventionVersions(ctx context.Context, convention string) ([]model.ConventionVersion, error)
}

// Accounts stores users, their roles, sessions and API tokens.
type Accounts interface {
	CreateUser(ctx context.Context, u *auth.User) error
	SetPassword(ctx context.Context, userID, hash string) error
	SetName(ctx context.Context, userID, name string) error
	UserByEmail(ctx context.Context, email string) (*auth.User, error)
	Users(ctx context.Context) ([]auth.User, error)
	CountUsers(ctx context.Context) (int, error)
	SetMembership(ctx context.Context, userID string, m auth.Membership) error
	Members(ctx context.Context, slug string) ([]auth.Member, error)
	Actor(ctx context.Context, u *auth.User) (*auth.Actor, error)
	CreateSession(ctx context.Context, userID string, ttl time.Duration) (token, csrf string, err error)
	Session(ctx context.Context, token string) (*auth.User, string, error)
	DeleteSession(ctx context.Context, token string) error
	DeleteSessions(ctx context.Context, userID, except string) error
	CreateAPIToken(ctx context.Context, userID, name string, expires time.Time) (id, token string, err error)
	APITokens(ctx context.Context, userID string) ([]auth.APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id string) error
	UserByAPIToken(ctx context.Context, token string) (*auth.User, error)
	SetDisabled(ctx context.Context, userID string, disabled bool) error
	DeleteMembership(ctx context.Context, userID, slug string) error
	BeginSignIn(ctx context.Context, email, client string, l SignInLimits) (id string, blockedUntil time.Time, err error)
	ForgetSignInFailures(ctx context.Context, email, client string) error
	PendingAccountLink(ctx context.Context, userID string, purpose auth.LinkPurpose) (*auth.AccountLink, error)
	CreateAccountLink(ctx context.Context, userID string, purpose auth.LinkPurpose, convention string, expires time.Time) (string, error)
	AccountLink(ctx context.Context, token string) (*auth.AccountLink, *auth.User, error)
	UseAccountLink(ctx context.Context, linkID, userID string, use LinkUse) error
	OrganizationNames(ctx context.Context, slug string) (map[string]string, error)
}

// SQL is the one implementation of Store, over database/sql.
type SQL struct {
	d dialect
	// write serializes writes; read serves queries. They are the same pool
	// on PostgreSQL, and two pools on one SQLite file (one writer, several
	// readers), which avoids SQLITE_BUSY between writers.
	write *sql.DB
	read  *sql.DB
	now   func() time.Time
	newID func() string
	// lastBump is the last convention whose revision a transaction
	// increased (see bumpRevision).
	lastBump atomic.Pointer[bumped]
	// changed holds the transactions under way that changed a
	// convention: each moves the count of changes before its commit (see
	// Changes).
	changed sync.Map
	// maxVars and copyRows, when not 0, replace the number of parameters
	// of one statement and the number of rows from which COPY is used
	// (tests set them low to check the batches' edges).
	maxVars, copyRows int
}

var _ Store = (*SQL)(nil)

// IsPostgres reports whether dsn designates a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL, or else the path of an SQLite
// file (created with its directory when missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*SQL, error) {
	if dsn == "" {
		return nil, errors.New("aucune base de données indiquée (--db ou CTG_DB)")
	}
	s := &SQL{now: func() time.Time { return time.Now().UTC() }, newID: newID}
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(maxPostgresConns)
		// As many kept open as may be used at once: a connection closed
		// after a burst costs PostgreSQL a new backend at the next one.
		db.SetMaxIdleConns(maxPostgresConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.d, s.write, s.read = postgresDialect, db, db
	} else {
		if err := s.openSQLite(dsn, openSQLiteDB); err != nil {
			return nil, err
		}
	}
	if err := s.read.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connexion à la base %s impossible : %w", redact(dsn), err)
	}
	return s, nil
}

// openSQLiteDB opens a pool of the registered SQLite driver.
func openSQLiteDB(dsn string) (*sql.DB, error) { return sql.Open("sqlite", dsn) }

func (s *SQL) openSQLite(path string, open func(dsn string) (*sql.DB, error)) error {
	path = strings.TrimPrefix(path, "sqlite://")
	path = strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("création du répertoire de données %s : %w", dir, err)
		}
	}
	// The database holds password hashes and personal data: readable by
	// its owner only.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	}
	// busy_timeout comes first so that journal_mode(WAL), which needs a
	// lock, waits on a database another process holds instead of failing
	// with SQLITE_BUSY. (modernc.org/sqlite v1.62 also moves it first; the
	// order here does not rely on that.)
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	write, err := open("file:" + path + "?" + pragmas + "&_txlock=immediate")
	if err != nil {
		return err
	}
	write.SetMaxOpenConns(1)
	read, err := open("file:" + path + "?" + pragmas)
	if err != nil {
		write.Close()
		return err
	}
	read.SetMaxOpenConns(maxSQLiteReaders)
	// Kept open, each with its prepared schema: a reader opened again
	// after every burst of requests reads the schema again.
	read.SetMaxIdleConns(maxSQLiteReaders)
	s.d, s.write, s.read = sqliteDialect, write, read
	return nil
}

// maxPostgresConns and maxSQLiteReaders bound the connections of a
// server to its database.
const (
	maxPostgresConns = 10
	maxSQLiteReaders = 4
)

// redact hides a password in a connection URL before it is shown.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 && IsPostgres(dsn) {
		scheme := dsn[:strings.Index(dsn, "://")+3]
		return scheme + "…" + dsn[at:]
	}
	return dsn
}

// Dialect names the database in use.
func (s *SQL) Dialect() string { return s.d.name }

// Ping checks that the database answers.
func (s *SQL) Ping(ctx context.Context) error { return s.read.PingContext(ctx) }

// Close releases the connections.
func (s *SQL) Close() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// inTx runs fn in a write transaction, committed only if fn succeeds.
func (s *SQL) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	return s.finish(ctx, tx, fn(tx))
}

// finish commits tx after fn's err is nil, moving the count of changes
// when tx changed a convention, or rolls it back.
func (s *SQL) finish(ctx context.Context, tx *sql.Tx, err error) error {
	_, changed := s.changed.LoadAndDelete(tx)
	if err == nil && changed {
		_, err = tx.ExecContext(ctx, moveChanges)
	}
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
