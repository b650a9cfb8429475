package schema_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"parley/runtime"
	"parley/schema"
)

// BenchmarkAppendMessage measures durable appends (synchronous=FULL: one
// WAL fsync per commit). "parallel" spreads goroutines over many sessions,
// as a busy server does; their appends share commits (committer.go, and
// BenchmarkGroupCommit for the comparison).
func BenchmarkAppendMessage(b *testing.B) {
	for _, bc := range []struct {
		name     string
		clientID bool
	}{{"sequential", false}, {"sequential/client_id", true}} {
		b.Run(bc.name, func(b *testing.B) {
			db, ids := benchStore(b, 1)
			var n int
			for b.Loop() {
				n++
				appendBench(b, db, ids[0], bc.clientID, n)
			}
			reportRate(b)
		})
	}
	b.Run("parallel", func(b *testing.B) {
		db, ids := benchStore(b, 64)
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

func benchStore(b *testing.B, sessions int) (*schema.DB, []runtime.SessionID) {
	db := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"))
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
