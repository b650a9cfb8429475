package schema_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"parley/runtime"
	"parley/schema"
)

// BenchmarkAppendMessage measures durable appends (SQLite with
// synchronous=FULL: one WAL fsync per commit; PostgreSQL with its
// defaults, when PARLEY_TEST_DATABASE_URL is set). "parallel" spreads
// goroutines over many sessions, as a busy server does; their appends
// share commits (committer.go, and BenchmarkGroupCommit for the
// comparison).
func BenchmarkAppendMessage(b *testing.B) {
	for _, bk := range backends {
		b.Run(bk.name, func(b *testing.B) {
			bk.require(b)
			benchAppend(b, bk)
		})
	}
}

func benchAppend(b *testing.B, bk backend) {
	for _, bc := range []struct {
		name     string
		clientID bool
	}{{"sequential", false}, {"sequential/client_id", true}} {
		b.Run(bc.name, func(b *testing.B) {
			db, ids := benchStore(b, bk, 1)
			var n int
			for b.Loop() {
				n++
				appendBench(b, db, ids[0], bc.clientID, n)
			}
			reportRate(b)
		})
	}
	b.Run("parallel", func(b *testing.B) {
		db, ids := benchStore(b, bk, 64)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			id := ids[int(next.Add(1))%len(ids)]
			for pb.Next() {
				appendBench(b, db, id, false, 0)
			}
		})
		reportRate(b)
	})
}

func benchStore(b *testing.B, bk backend, sessions int) (*schema.DB, []runtime.SessionID) {
	db := bk.open(b)
	var ids []runtime.SessionID
	for range sessions {
		s := &runtime.Session{BotID: "echo", UserID: "bench"}
		if err := db.CreateSession(context.Background(), s); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	return db, ids
}

func appendBench(b *testing.B, db *schema.DB, id runtime.SessionID, clientID bool, n int) {
	m := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "hello, bot"}
	if clientID {
		m.ClientID = fmt.Sprint("c", n)
	}
	if _, err := db.AppendMessage(context.Background(), m); err != nil {
		b.Error(err)
	}
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
