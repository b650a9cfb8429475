package schema

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"parley/runtime"
	"parley/schema/schematest"
)

// TestFloor: a floor batch stores what the store keeps for a turn: the two
// messages with gapless seqs, the session's seqs, and the journal entries
// a dialog reads back.
func TestFloor(t *testing.T) {
	runBackends(t, func(t *testing.T, b testBackend) {
		ctx := context.Background()
		db := b.open(t)
		f, err := db.NewFloor(ctx, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := f.Batch(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range f.ids {
			s, err := db.FindSession(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.LastSeq != 4 || s.LastUserSeq != 3 || s.ConsumedSeq != 3 {
				t.Errorf("session seqs %d/%d/%d, want 4/3/3", s.LastSeq, s.LastUserSeq, s.ConsumedSeq)
			}
			ms, err := db.FindMessages(ctx, runtime.MessageFilter{SessionID: id})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprintf("%d:%s", m.Seq, m.Sender))
			}
			if fmt.Sprint(got) != "[1:user 2:bot 3:user 4:bot]" {
				t.Errorf("messages %v", got)
			}
			j, err := db.Journal(ctx, id, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(j) != 4 || j[2].Kind != runtime.EntryHear || j[2].Seq != 3 || j[3].Kind != runtime.EntryTalk {
				t.Errorf("journal %+v", j)
			}
		}
	})
}

// BenchmarkTurnWrites: what the store costs for a turn of the echo bot (the
// user's message through AppendMessage, then the dialog's commit with its
// journal entries and reply through CommitDialog, from 64 conversations at
// once, as the server does) against the floor (Floor: the same rows, one
// transaction per 64 turns, no per-write work), with and without the
// journal. Reports turns/s; the ratio store/floor is the store's overhead.
// Run with -benchtime 20000x or more: a batch is 64 turns.
func BenchmarkTurnWrites(b *testing.B) {
	const conversations = 64
	for _, bk := range testBackends {
		b.Run(bk.name, func(b *testing.B) {
			if bk.name == "postgres" {
				schematest.Require(b)
			}
			b.Run("store", func(b *testing.B) { benchStoreTurns(b, bk.open(b), conversations, false) })
			// The server's own path on SQLite (TurnsInOneCommit): the
			// user's message goes with the dialog's commit, as its Input.
			b.Run("store/one-commit", func(b *testing.B) { benchStoreTurns(b, bk.open(b), conversations, true) })
			if bk.name == "sqlite" {
				// The same, each batch run the careful way only, one
				// savepoint per write (committer_deferred.go).
				b.Run("store/one-commit/careful", func(b *testing.B) {
					db := bk.open(b)
					db.commit.flush = nil
					benchStoreTurns(b, db, conversations, true)
				})
			}
			for _, journal := range []bool{true, false} {
				b.Run(fmt.Sprintf("floor/journal=%v", journal), func(b *testing.B) {
					ctx := context.Background()
					f, err := bk.open(b).NewFloor(ctx, conversations, journal)
					if err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					cpu := processCPU()
					n := 0
					for ; n < b.N; n += f.Turns() {
						if err := f.Batch(ctx); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "turns/s")
					b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(n), "cpu-µs/turn")
				})
			}
		})
	}
}

func benchStoreTurns(b *testing.B, db *DB, conversations int, oneCommit bool) {
	ctx := context.Background()
	ids := make([]runtime.SessionID, conversations)
	for i := range ids {
		ids[i] = mustSession(b, db)
		// The echo bot's run starts in HEAR: its first entry is a park.
		err := db.CommitDialog(ctx, &runtime.DialogWrite{SessionID: ids[i], Run: &runtime.RunState{Run: 1, Version: "v"},
			Entries: []runtime.JournalEntry{{Run: 1, Index: 1, Kind: runtime.EntryPark}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu := processCPU()
	var wg sync.WaitGroup
	for w, id := range ids {
		n := shareOf(b.N, conversations, w)
		wg.Go(func() {
			idx := int64(1)
			for range n {
				m := userMessage(id, "hello, bot")
				if !oneCommit {
					if _, err := db.AppendMessage(ctx, m); err != nil {
						b.Error(err)
						return
					}
				}
				idx += 3 // what the runtime writes: the HEAR, the TALK, the park of the next HEAR
				w := &runtime.DialogWrite{SessionID: id, ConsumedSeq: m.Seq,
					Entries: []runtime.JournalEntry{
						{Run: 1, Index: idx - 2, Kind: runtime.EntryHear, Value: m.Content, Seq: m.Seq},
						{Run: 1, Index: idx - 1, Kind: runtime.EntryTalk, Value: "0123456789abcdef"},
						{Run: 1, Index: idx, Kind: runtime.EntryPark}},
					Messages:       []*runtime.Message{{SessionID: id, Sender: runtime.SenderBot, Content: m.Content}},
					MessageEntries: []int{1}} // the reply carries its TALK, as the runtime's do
				if oneCommit {
					w.Input, w.InputEntry = m, 0
				}
				if err := db.CommitDialog(ctx, w); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/turn")
}

// processCPU is the CPU time the process has used (user and system).
// Unlike the wall clock, it does not grow while other programs have the
// machine's cores, so it compares runs on a busy machine better; what it
// leaves out is the time spent waiting for the disk.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
