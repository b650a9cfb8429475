package runtimetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
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
			if want := "w" + strings.Split(m.ClientID, "-")[0][1:]; m.SenderID != want {
				t.Errorf("message %s (client id %s): sender id %q; want %q", m.ID, m.ClientID, m.SenderID, want)
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
			ClientID: fmt.Sprintf("w%d-%d", worker, i), SenderID: fmt.Sprint("w", worker)}
		if created, err := st.AppendMessage(ctx, m); err != nil || !created {
			t.Errorf("worker %d append %d: %v, %v", worker, i, created, err)
			return
		}
		if first == nil {
			first = m
		}
	}
	dup := &runtime.Message{SessionID: id, Sender: runtime.SenderUser, Content: "again", ClientID: first.ClientID, SenderID: "other"}
	if created, err := st.AppendMessage(ctx, dup); err != nil || created || dup.ID != first.ID || dup.Seq != first.Seq || dup.SenderID != first.SenderID {
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
	dir, ok := st.(runtime.UserDirectory)
	if !ok {
		return // optional
	}
	if err := st.UpsertUser(ctx, runtime.Identity{UserID: "a1", Name: "Grace Hopper", Role: runtime.RoleAgent}); err != nil {
		t.Fatal(err)
	}
	users, err := dir.FindUsers(ctx, []string{"u1", "a1", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]runtime.Identity{}
	for _, u := range users {
		got[u.UserID] = u
	}
	if len(got) != 2 || got["u1"].Name != "Anna" || got["u1"].Role != runtime.RoleUser || got["a1"].Name != "Grace Hopper" || got["a1"].Role != runtime.RoleAgent {
		t.Errorf("FindUsers = %+v, want u1 Anna (user) and a1 Grace Hopper (agent)", users)
	}
}

// testConcurrentDialog: dialog commits and user appends race on one
// session. Seqs stay gapless, the messages of one commit are consecutive,
// and every journal entry is there. Run it with -race.
func testConcurrentDialog(t *testing.T, st runtime.Store) {
	const workers, perWorker = 8, 10
	s := mustCreate(t, st, newSession("u1", "support", t0))
	mustCommit(t, st, &runtime.DialogWrite{SessionID: s.ID, Run: startRun(1, "v1")})
	var wg sync.WaitGroup
	for w := range workers {
		if w%2 == 0 {
			wg.Go(func() { appendMany(t, st, s.ID, w, perWorker) })
			continue
		}
		wg.Go(func() {
			for i := range perWorker {
				idx := int64(w*perWorker + i + 1) // unique across workers
				msgs := []*runtime.Message{botMessage("a"), botMessage("b")}
				err := st.CommitDialog(context.Background(), &runtime.DialogWrite{SessionID: s.ID, Messages: msgs,
					Entries: []runtime.JournalEntry{entry(1, idx, runtime.EntryTalk)}})
				if err != nil {
					t.Errorf("worker %d commit %d: %v", w, i, err)
					return
				}
				if msgs[1].Seq != msgs[0].Seq+1 {
					t.Errorf("one commit got seqs %d and %d; want consecutive", msgs[0].Seq, msgs[1].Seq)
				}
			}
		})
	}
	wg.Wait()

	total := int64(workers/2*perWorker + workers/2*perWorker*2)
	list := mustMessages(t, st, runtime.MessageFilter{SessionID: s.ID})
	if got := seqs(list); !slices.Equal(got, seqRange(1, total)) {
		t.Errorf("seqs = %v; want 1..%d without gaps or repeats", got, total)
	}
	var lastUser int64
	for i, m := range list {
		if i > 0 && m.CreatedAt.Before(list[i-1].CreatedAt) {
			t.Errorf("seq %d is older than seq %d", m.Seq, list[i-1].Seq)
		}
		if m.Sender == runtime.SenderUser {
			lastUser = m.Seq
		}
	}
	if got := mustFind(t, st, s.ID); got.LastSeq != total || got.LastUserSeq != lastUser {
		t.Errorf("LastSeq %d, LastUserSeq %d; want %d, %d", got.LastSeq, got.LastUserSeq, total, lastUser)
	}
	if n := len(mustJournal(t, st, s.ID, 1)); n != workers/2*perWorker {
		t.Errorf("journal holds %d entries; want %d", n, workers/2*perWorker)
	}
}
