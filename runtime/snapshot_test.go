package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"parley/runtime"
)

// Join's snapshot is exact under concurrent sends: for every subscriber,
// the messages up to Session.LastSeq are in the store (Backlog) and never
// arrive on Events, and every later one arrives on Events, in order, once.
func TestJoinSnapshotExact(t *testing.T) {
	t.Parallel()
	const senders, perSender, joiners = 4, 50, 10
	const total = senders * perSender
	h := newHub(t, silent, runtime.Config{QueueSize: total + 10})
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID

	// Joiner j joins once sender 0 has sent j*5 messages, so joins land
	// all through the stream while the other senders run freely.
	milestones := make([]chan struct{}, joiners)
	for j := range milestones {
		milestones[j] = make(chan struct{})
	}
	subs := make([]*runtime.Subscription, joiners)
	var wg sync.WaitGroup
	errs := make(chan error, senders+joiners)
	for s := range senders {
		wg.Go(func() {
			for i := range perSender {
				if s == 0 && i%5 == 0 && i/5 < joiners {
					close(milestones[i/5])
				}
				req := runtime.SendRequest{SessionID: sid, Content: fmt.Sprintf("s%d-%d", s, i)}
				if _, _, err := h.Send(context.Background(), alice, req); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for j := range joiners {
		wg.Go(func() {
			<-milestones[j]
			sub, err := h.Join(context.Background(), alice, runtime.JoinRequest{SessionID: sid})
			if err != nil {
				errs <- err
				return
			}
			subs[j] = sub
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for j, sub := range subs {
		t.Cleanup(sub.Close)
		checkSnapshot(t, h, sub, j, total)
	}
}

// checkSnapshot checks that the backlog and the live events of sub cover
// seq 1..total exactly once and in order. Every send has returned, so
// every live event is already queued.
func checkSnapshot(t *testing.T, h *testHub, sub *runtime.Subscription, j, total int) {
	t.Helper()
	var seqs []int64
	err := sub.Backlog(context.Background(), 0, func(m *runtime.Message) error {
		seqs = append(seqs, m.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(seqs)) != sub.Session.LastSeq {
		t.Fatalf("joiner %d: backlog has %d messages, LastSeq is %d", j, len(seqs), sub.Session.LastSeq)
	}
	for done := false; !done; {
		select {
		case e := <-sub.Events():
			if e.Type != runtime.EventMessage {
				t.Fatalf("joiner %d: unexpected %s", j, describe(e))
			}
			seqs = append(seqs, e.Message.Seq)
		default:
			done = true
		}
	}
	if len(seqs) != total {
		t.Fatalf("joiner %d (LastSeq %d): saw %d messages, want %d", j, sub.Session.LastSeq, len(seqs), total)
	}
	for i, seq := range seqs {
		if seq != int64(i+1) {
			t.Fatalf("joiner %d (LastSeq %d): message %d has seq %d; seqs %v", j, sub.Session.LastSeq, i, seq, seqs)
		}
	}
}

// Backlog returns exactly the messages after seq up to the snapshot's
// LastSeq, in order, reading more than one page of the store.
func TestBacklogPages(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID
	const n = 250
	for i := 1; i <= n; i++ {
		h.send(t, alice, sid, fmt.Sprint("m", i))
	}
	sub := h.join(t, alice, runtime.JoinRequest{SessionID: sid})
	h.send(t, alice, sid, "after the snapshot") // seq n+1: live, not backlog
	if sub.Session.LastSeq != n {
		t.Fatalf("LastSeq = %d, want %d", sub.Session.LastSeq, n)
	}
	for _, after := range []int64{0, 37, 100, 199, n - 1, n, n + 5} {
		var got []*runtime.Message
		err := sub.Backlog(context.Background(), after, func(m *runtime.Message) error {
			got = append(got, m)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := max(0, n-int(after))
		if len(got) != want {
			t.Fatalf("Backlog(%d) gave %d messages, want %d", after, len(got), want)
		}
		for i, m := range got {
			seq := after + int64(i) + 1
			if m.Seq != seq || m.Content != fmt.Sprint("m", seq) {
				t.Fatalf("Backlog(%d)[%d] = seq %d %q, want seq %d", after, i, m.Seq, m.Content, seq)
			}
		}
	}
}

// An error from the callback stops Backlog and is returned.
func TestBacklogStopsOnError(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sid := h.join(t, alice, runtime.JoinRequest{}).Session.ID
	for i := range 5 {
		h.send(t, alice, sid, fmt.Sprint("m", i))
	}
	sub := h.join(t, alice, runtime.JoinRequest{SessionID: sid})
	stop := errors.New("socket gone")
	calls := 0
	err := sub.Backlog(context.Background(), 0, func(*runtime.Message) error {
		if calls++; calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("Backlog = %v after %d calls, want the callback's error after 3", err, calls)
	}
}
