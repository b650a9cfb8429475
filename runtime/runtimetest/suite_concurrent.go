package runtimetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"parley/runtime"
)

// testConcurrentAppend appends from many goroutines to a few sessions, each
// goroutine ending with a resend of its first client id. Run it with -race.
func testConcurrentAppend(t *testing.T, st runtime.Store) {
	const sessions, workers, perWorker = 4, 16, 20
	var ids []runtime.SessionID
	for range sessions {
		ids = append(ids, mustCreate(t, st, newSession("u1", "support", t0)).ID)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { appendMany(t, st, ids[w%sessions], w, perWorker) })
	}
	wg.Wait()

	want := seqRange(1, workers/sessions*perWorker)
	seen := map[string]bool{}
	for _, id := range ids {
		list := mustMessages(t, st, runtime.MessageFilter{SessionID: id})
		if got := seqs(list); !slices.Equal(got, want) {
			t.Errorf("session %s seqs = %v; want 1..%d without gaps or repeats", id, got, len(want))
		}
		if s := mustFind(t, st, id); s.LastSeq != int64(len(want)) {
			t.Errorf("session %s LastSeq = %d; want %d", id, s.LastSeq, len(want))
		}
		for i, m := range list {
			if i > 0 && m.CreatedAt.Before(list[i-1].CreatedAt) {
				t.Errorf("session %s: seq %d is older than seq %d; times must follow seqs", id, m.Seq, list[i-1].Seq)
			}
			if seen[m.ID] {
				t.Errorf("message id %s used twice", m.ID)
			}
			seen[m.ID] = true
		}
	}
}

// appendMany is one worker: n appends with client ids, then a resend of the
// first one, which must come back as the stored message.
func appendMany(t *testing.T, st runtime.Store, id runtime.SessionID, worker, n int) {
	ctx := context.Background()
	var first *runtime.Message
	for i := range n {
		m := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "x",
			ClientID: fmt.Sprintf("w%d-%d", worker, i)}
		if created, err := st.AppendMessage(ctx, m); err != nil || !created {
			t.Errorf("worker %d append %d: %v, %v", worker, i, created, err)
			return
		}
		if first == nil {
			first = m
		}
	}
	dup := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "again", ClientID: first.ClientID}
	if created, err := st.AppendMessage(ctx, dup); err != nil || created || dup.ID != first.ID || dup.Seq != first.Seq {
		t.Errorf("worker %d resend: created %v, err %v, got %s/%d; want %s/%d",
			worker, created, err, dup.ID, dup.Seq, first.ID, first.Seq)
	}
}

func testUsersAndPing(t *testing.T, st runtime.Store) {
	ctx := context.Background()
	if err := st.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	id := runtime.Identity{UserID: "u1", Name: "Ann", Role: runtime.RoleUser}
	for _, name := range []string{"Ann", "Anna"} { // the second call updates
		id.Name = name
		if err := st.UpsertUser(ctx, id); err != nil {
			t.Errorf("UpsertUser(%s): %v", name, err)
		}
	}
}
