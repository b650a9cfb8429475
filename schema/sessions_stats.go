package schema

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// SupportStats counts the conversations that entered the support queue at
// or after since, by support status and assigned agent, and reads the
// times of the most recent sample of them; both from one snapshot. Both
// queries read the range of the partial index sessions_waiting_since
// (migration 0010): most conversations never entered the queue and are
// not in it. Durations and percentiles are the runtime's, the same for
// both dialects.
func (db *DB) SupportStats(ctx context.Context, since time.Time, sample int) (*runtime.SupportTally, error) {
	t := &runtime.SupportTally{}
	err := db.inReadTx(ctx, func(tx *sqlx.Tx) error {
		var groups []groupRow
		if err := tx.SelectContext(ctx, &groups, db.write.Rebind(statsGroupsQuery), dbTime(since)); err != nil {
			return err
		}
		for _, g := range groups {
			t.Groups = append(t.Groups, runtime.SupportGroup(g))
		}
		var rows []statsRow
		if err := tx.SelectContext(ctx, &rows, db.write.Rebind(statsTimesQuery), dbTime(since), max(sample, 0)); err != nil {
			return err
		}
		for _, r := range rows {
			t.Times = append(t.Times, runtime.SupportTimes{SupportStatus: r.SupportStatus,
				WaitingSince: r.WaitingSince.Time(), FirstReplyAt: r.FirstReplyAt.Time(), ResolvedAt: r.ResolvedAt.Time()})
		}
		return nil
	})
	if err != nil {
		return nil, db.fail(err, "conversation")
	}
	return t, nil
}

// The stats' queries. "waiting_since >= ?" implies the index's condition
// (waiting_since IS NOT NULL), which SQLite and PostgreSQL both prove.
const (
	statsGroupsQuery = `SELECT s.support_status, s.assigned_agent, count(*) AS n
		FROM sessions s WHERE s.waiting_since >= ? GROUP BY s.support_status, s.assigned_agent`
	statsTimesQuery = `SELECT s.support_status, s.waiting_since, s.first_reply_at, s.resolved_at
		FROM sessions s WHERE s.waiting_since >= ? ORDER BY s.waiting_since DESC, s.id DESC LIMIT ?`
)

// groupRow is one count of the groups query.
type groupRow struct {
	SupportStatus string `db:"support_status"`
	AssignedAgent string `db:"assigned_agent"`
	Count         int    `db:"n"`
}

// statsRow is one conversation's times as the driver sees them.
type statsRow struct {
	SupportStatus string `db:"support_status"`
	WaitingSince  dbTime `db:"waiting_since"`
	FirstReplyAt  dbTime `db:"first_reply_at"`
	ResolvedAt    dbTime `db:"resolved_at"`
}
