package store

import (
	"context"
	"database/sql"
)

// PoolStats returns the statistics of the connection pools by use.
func (s *SQL) PoolStats() map[string]sql.DBStats {
	if s.read == s.write {
		return map[string]sql.DBStats{"shared": s.read.Stats()}
	}
	return map[string]sql.DBStats{"read": s.read.Stats(), "write": s.write.Stats()}
}

// MailBacklog counts the outbox's waiting and failed messages. The sent
// ones, which make most of the table, are skipped through the index on
// state.
func (s *SQL) MailBacklog(ctx context.Context) (waiting, failed int, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state IN ('queued', 'sending') THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0)
		FROM mail_outbox WHERE state IN ('queued', 'sending', 'failed')`).Scan(&waiting, &failed)
	return waiting, failed, err
}
