package schema

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"parley/runtime"
)

// BenchmarkGroupCommit: W writers, each appending to its own session as
// fast as it can, on a file with synchronous=FULL. "grouped" is
// AppendMessage, through the committer; "per-message" runs the same
// append in a transaction of its own on the same connection, one fsync
// per message (the store before group commit). Reports msgs/s and the
// average writes per transaction.
func BenchmarkGroupCommit(b *testing.B) {
	for _, mode := range []string{"per-message", "grouped"} {
		for _, writers := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode, writers), func(b *testing.B) {
				benchWriters(b, writers, mode == "grouped")
			})
		}
	}
}

func benchWriters(b *testing.B, writers int, grouped bool) {
	db := openTest(b)
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
		n := b.N / writers
		if w < b.N%writers {
			n++
		}
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
