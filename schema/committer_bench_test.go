package schema

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
	"parley/schema/schematest"
)

// BenchmarkGroupCommit: W writers, each appending to its own session as
// fast as it can, on SQLite (a file with synchronous=FULL) and, when
// PARLEY_TEST_DATABASE_URL is set, PostgreSQL (its defaults: fsync and
// synchronous_commit on). "grouped" is AppendMessage, through the
// committer; "per-message" runs the same append in a transaction of its
// own, one WAL flush per message (the store before group commit): on
// SQLite on the one write connection, on PostgreSQL on the pool, so
// writers commit side by side as separate transactions. Both sides store
// with appendTx, one statement on PostgreSQL; what "grouped" adds there is
// the committer's own: its prepared statements and one statement for a
// run of appends. Reports msgs/s and the average writes per transaction.
// The two modes of one writer count run one after the other, so that a
// ratio compares runs that met the same noise.
func BenchmarkGroupCommit(b *testing.B) {
	for _, bk := range testBackends {
		b.Run(bk.name, func(b *testing.B) {
			if bk.name == "postgres" {
				schematest.Require(b)
			}
			for _, writers := range []int{1, 8, 64} {
				for _, mode := range []string{"per-message", "grouped"} {
					b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
						benchWriters(b, bk.open(b), writers, mode == "grouped")
					})
				}
			}
		})
	}
}

func benchWriters(b *testing.B, db *DB, writers int, grouped bool) {
	ctx := context.Background()
	sessions := make([]runtime.SessionID, writers)
	for i := range sessions {
		sessions[i] = mustSession(b, db)
	}
	appendOne := func(id runtime.SessionID) error {
		m := userMessage(id, "hello, bot")
		if grouped {
			_, err := db.AppendMessage(ctx, m)
			return err
		}
		return db.inTx(ctx, func(tx *sqlx.Tx) error {
			_, _, err := db.appendTx(ctx, tx, newMessageRow(m))
			return err
		})
	}
	before := db.Stats()
	b.ResetTimer()
	var wg sync.WaitGroup
	for w, id := range sessions {
		n := shareOf(b.N, writers, w)
		wg.Go(func() {
			for range n {
				if err := appendOne(id); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if after := db.Stats(); grouped && after.Commits > before.Commits {
		b.ReportMetric(float64(after.Writes-before.Writes)/float64(after.Commits-before.Commits), "writes/commit")
	}
}

// shareOf is worker w's share of n operations split among workers.
func shareOf(n, workers, w int) int {
	if w < n%workers {
		return n/workers + 1
	}
	return n / workers
}
