package schema

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"parley/runtime"
)

// TestDeferredBatch: on SQLite a batch whose writes all succeed runs once,
// without savepoints, its rows inserted at its end; one where a write
// fails runs again the careful way, and every write gets the outcome it
// would have had alone. The writes are turns (a DialogWrite with its
// Input, stored by one UPDATE of the session: turnTx) and appends,
// including the cases turnTx leaves to the two steps: an input whose
// client id a write before it in the batch stored, a lost lease, a
// missing session.
func TestDeferredBatch(t *testing.T) {
	for _, failing := range []bool{false, true} {
		t.Run(fmt.Sprintf("failing=%v", failing), func(t *testing.T) {
			testDeferredBatch(t, testBackends[0].open(t), failing)
		})
	}
}

func testDeferredBatch(t *testing.T, db *DB, failing bool) {
	ctx := context.Background()
	a, b, fenced, held := mustSession(t, db), mustSession(t, db), mustSession(t, db), mustSession(t, db)
	if _, err := db.write.ExecContext(ctx, `UPDATE sessions SET runner_fence = 5, suggestions = '["old"]' WHERE id = ?`, fenced); err != nil {
		t.Fatal(err)
	}
	turn := func(id runtime.SessionID, content, clientID string, fence int64, suggest []string) (*runtime.DialogWrite, func() error) {
		w := &runtime.DialogWrite{SessionID: id, Fence: fence,
			Input: &runtime.Message{Sender: runtime.SenderUser, Content: content, ClientID: clientID},
			Entries: []runtime.JournalEntry{
				{Run: 1, Index: 1, Kind: runtime.EntryHear, Value: content},
				{Run: 1, Index: 2, Kind: runtime.EntryTalk, Value: "re: " + content}},
			Messages: []*runtime.Message{{Sender: runtime.SenderBot, Content: "re: " + content}}}
		if suggest != nil {
			w.Suggestions = &suggest
		}
		return w, func() error { return db.CommitDialog(ctx, w) }
	}
	wa, runA := turn(a, "hi a", "ca", 0, []string{"yes", "no"})
	first := &runtime.Message{SessionID: b, Sender: runtime.SenderUser, Content: "hi b", ClientID: "cb"}
	runs := []func() error{runA, func() error { _, err := db.AppendMessage(ctx, first); return err }}
	var wRetry, wFenced, wMissing *runtime.DialogWrite
	if failing {
		var run func() error
		wRetry, run = turn(b, "hi b again", "cb", 0, nil) // the append's retry, as a turn
		runs = append(runs, run)
		wFenced, run = turn(fenced, "hi fenced", "", 4, nil)
		runs = append(runs, run)
		wMissing, run = turn(runtime.SessionID(uuid.NewString()), "hi nobody", "", 0, nil)
		runs = append(runs, run)
	}
	careful := db.commit.careful.Load()
	errs, commits := queueBehind(t, db, held, runs)
	if commits != 2 {
		t.Errorf("%d commits; want 2: the held batch and the queued one", commits)
	}
	if n := db.commit.careful.Load() - careful; n != map[bool]int64{false: 0, true: 1}[failing] {
		t.Errorf("%d batches ran again the careful way; want one if a write failed, else none", n)
	}
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("turn and append: %v, %v", errs[0], errs[1])
	}
	if failing {
		if !errors.Is(errs[2], runtime.ErrInputStored) || wRetry.Input.ID != first.ID || wRetry.Input.Content != "hi b" {
			t.Errorf("retried input: %v, %+v; want ErrInputStored and the append's message %s", errs[2], wRetry.Input, first.ID)
		}
		if !errors.Is(errs[3], runtime.ErrNotRunner) || wFenced.Input.Seq != 0 {
			t.Errorf("fenced turn: %v, input %+v; want ErrNotRunner, nothing stored", errs[3], wFenced.Input)
		}
		if !runtime.IsKind(errs[4], runtime.KindNotFound) || wMissing.Input.Seq != 0 {
			t.Errorf("turn of a missing session: %v; want KindNotFound", errs[4])
		}
		checkRun(t, db, fenced, nil, 0, []string{"old"})
	}
	// The turn: the input, then the answer; the session's seqs and the
	// suggestions the dialog set; the HEAR entry takes the input's seq.
	if wa.Input.Seq != 1 || wa.Messages[0].Seq != 2 || wa.ConsumedSeq != 1 || wa.Entries[0].Seq != 1 {
		t.Errorf("turn: input seq %d, answer %d, consumed %d, entry %d; want 1, 2, 1, 1",
			wa.Input.Seq, wa.Messages[0].Seq, wa.ConsumedSeq, wa.Entries[0].Seq)
	}
	checkRun(t, db, a, []string{"hi a", "re: hi a"}, 1, []string{"yes", "no"})
	if s, err := db.FindSession(ctx, a); err != nil || s.ConsumedSeq != 1 {
		t.Errorf("session after the turn: %+v, %v; want consumed seq 1", s, err)
	}
	j, err := db.Journal(ctx, a, 1)
	if err != nil || len(j) != 2 || j[0].Seq != 1 {
		t.Errorf("journal %+v, %v; want the HEAR with seq 1 and the TALK", j, err)
	}
	checkRun(t, db, b, []string{"hi b"}, 1, nil)
}
