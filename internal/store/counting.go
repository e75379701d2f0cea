package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"sync/atomic"
	"time"
)

// OpenCounting is Open for an SQLite file whose connections add to n
// every statement they send to the database (queries, writes, prepared
// statements, transactions begun). It lets a test prove that a request
// touches the database, or that it does not, without replacing anything:
// the statements run on the real driver.
func OpenCounting(ctx context.Context, path string, n *atomic.Int64) (*SQL, error) {
	if IsPostgres(path) {
		return nil, errors.New("OpenCounting ouvre un fichier SQLite seulement")
	}
	s := &SQL{now: func() time.Time { return time.Now().UTC() }, newID: newID}
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

// countingConn forwards everything to the SQLite connection, which
// implements each of these interfaces, counting the statements.
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

func (c countingConn) IsValid() bool { return c.conn.(driver.Validator).IsValid() }
