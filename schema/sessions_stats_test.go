package schema

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
	"parley/schema/schematest"
)

// TestSupportStatsPlan: both stats queries read the range of the partial
// index sessions_waiting_since, on SQLite and (with sequential scans made
// expensive, as the table is small) on PostgreSQL: their condition must
// imply the index's, or a busy server would scan every conversation.
func TestSupportStatsPlan(t *testing.T) {
	since := dbTime(time.Now())
	runBackends(t, func(t *testing.T, b testBackend) {
		db := b.open(t)
		for _, q := range []struct {
			query string
			args  []any
		}{{statsGroupsQuery, []any{since}}, {statsTimesQuery, []any{since, 10}}} {
			plan := explain(t, db, db.write.Rebind(q.query), q.args...)
			if !strings.Contains(plan, "sessions_waiting_since") || strings.Contains(plan, "Seq Scan") {
				t.Errorf("%s\ndoes not read sessions_waiting_since:\n%s", q.query, plan)
			}
		}
	})
}

// explain is the query's plan in the dialect's words.
func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	if db.dialect == sqliteDialect {
		return queryPlan(t, db, query, args...)
	}
	tx, err := db.read.BeginTxx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := tx.Select(&lines, `EXPLAIN `+query, args...); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// BenchmarkSupportStats reads the stats of a 30-day window holding n
// conversations that entered the queue (beside n that never did), with
// the runtime's sample of times.
func BenchmarkSupportStats(b *testing.B) {
	for _, bk := range testBackends {
		for _, n := range []int{5000, 50000} {
			b.Run(fmt.Sprintf("%s/%d", bk.name, n), func(b *testing.B) {
				if bk.name == "postgres" {
					schematest.Require(b)
				}
				db := bk.open(b)
				now := time.Now()
				fillStats(b, db, now, n)
				since := now.Add(-30 * 24 * time.Hour)
				for b.Loop() {
					if _, err := db.SupportStats(context.Background(), since, runtime.StatsSample); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// fillStats inserts n desk conversations spread over the last 30 days,
// and n others, in one transaction.
func fillStats(b *testing.B, db *DB, now time.Time, n int) {
	statuses := []string{runtime.SupportOpen, runtime.SupportWaiting, runtime.SupportResolved, runtime.SupportClosed}
	err := db.inTx(context.Background(), func(tx *sqlx.Tx) error {
		for i := range 2 * n {
			s := &runtime.Session{BotID: "echo", UserID: fmt.Sprint("u", i)}
			if i < n {
				s.WaitingSince = now.Add(-time.Duration(i) * time.Minute / 2)
				s.FirstReplyAt = s.WaitingSince.Add(time.Duration(i%600) * time.Second)
				s.SupportStatus, s.AssignedAgent = statuses[i%4], fmt.Sprint("ag", i%20)
				if i%4 >= 2 {
					s.ResolvedAt = s.WaitingSince.Add(time.Duration(i%7200) * time.Second)
				}
			}
			db.fillSession(s)
			if err := db.insertSessionTx(context.Background(), tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
