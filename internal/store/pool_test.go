package store

import (
	"context"
	"database/sql"
	"testing"
)

// After a burst of concurrent reads, the connections stay open for the
// next one: a connection closed and opened again costs a new PostgreSQL
// backend, or an SQLite connection reading its schema again.
func TestReadConnectionsStayOpenAfterABurst(t *testing.T) {
	eachDB(t, func(t *testing.T, s *SQL) {
		ctx := context.Background()
		const burst = 4
		var conns []*sql.Conn
		for range burst {
			c, err := s.read.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			c.Close()
		}
		if idle := s.read.Stats().Idle; idle < burst {
			t.Errorf("%d connexion(s) gardée(s) après %d lectures simultanées, %d attendues", idle, burst, burst)
		}
	})
}
