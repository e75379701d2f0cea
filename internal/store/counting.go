package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"time"
)

// OpenCounting is Open for an SQLite file or a PostgreSQL database whose
// connections add to n every statement they send to the database
// (queries, writes, prepared statements, transactions begun). It lets a
// test prove that a request touches the database, or that it does not,
// and the benchmark count the statements of a page, without replacing
// anything: the statements run on the real driver.
func OpenCounting(ctx context.Context, path string, n *atomic.Int64) (*SQL, error) {
	s := &SQL{now: func() time.Time { return time.Now().UTC() }, newID: newID}
	if IsPostgres(path) {
		db, err := sql.Open("pgx", path)
		if err != nil {
			return nil, err
		}
		d := db.Driver()
		_ = db.Close()
		db = sql.OpenDB(countingConnector{dsn: path, driver: d, n: n})
		db.SetMaxOpenConns(maxPostgresConns)
		db.SetMaxIdleConns(maxPostgresConns)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.d, s.write, s.read = postgresDialect, db, db
		if err := s.read.PingContext(ctx); err != nil {
			s.Close()
			return nil, fmt.Errorf("connexion à la base %s impossible : %w", redact(path), err)
		}
		return s, nil
	}
	err := s.openSQLite(path, func(dsn string) (*sql.DB, error) {
		db, err := openSQLiteDB(dsn)
		if err != nil {
			return nil, err
		}
		d := db.Driver()
		_ = db.Close()
		return sql.OpenDB(countingConnector{dsn: dsn, driver: d, n: n}), nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.read.PingContext(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

type countingConnector struct {
	dsn    string
	driver driver.Driver
	n      *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn: conn, n: c.n}, nil
}

func (c countingConnector) Driver() driver.Driver { return c.driver }

// countingConn forwards everything to the driver's connection, which
// implements each of these interfaces (SQLite and pgx; pgx's has no
// IsValid), counting the statements.
type countingConn struct {
	conn driver.Conn
	n    *atomic.Int64
}

func (c countingConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.n.Add(1)
	return c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c countingConn) Close() error { return c.conn.Close() }

func (c countingConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.n.Add(1)
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c countingConn) Ping(ctx context.Context) error {
	return c.conn.(driver.Pinger).Ping(ctx)
}

func (c countingConn) ResetSession(ctx context.Context) error {
	return c.conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c countingConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// CheckNamedValue lets the driver take the arguments it knows (pgx takes
// them all), as it does without the wrapper.
func (c countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
