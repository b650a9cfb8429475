package runtime_test

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

// Sweep deletes anonymous conversations idle past the TTL with their
// messages, keeps those with a subscriber (and users' conversations), and
// deletes a kept one once it is idle without subscribers.
func TestSweepDeletesIdleAnonymous(t *testing.T) {
	t.Parallel()
	clk := newClock()
	const ttl = 10 * time.Minute
	h := newHub(t, echo, runtime.Config{Now: clk.Now, AnonymousTTL: ttl})
	ctx := context.Background()

	idle := h.join(t, anon, runtime.JoinRequest{})
	h.send(t, alice, h.join(t, alice, runtime.JoinRequest{}).Session.ID, "a user's")
	if _, _, err := idle.Send(ctx, runtime.SendRequest{Content: "hello"}); err != nil {
		t.Fatal(err)
	}
	expectMessage(t, idle, runtime.SenderUser, "hello")
	expectMessage(t, idle, runtime.SenderBot, "echo: hello")
	idle.Close()
	watched := h.join(t, anon, runtime.JoinRequest{})

	clk.Add(ttl + time.Second)
	if err := h.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.FindSession(ctx, idle.Session.ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("idle anonymous conversation still stored: %v", err)
	}
	if n := len(h.stored(t, idle.Session.ID)); n != 0 {
		t.Fatalf("%d messages of a deleted conversation remain", n)
	}
	_, err := h.Join(ctx, anon, runtime.JoinRequest{SessionID: idle.Session.ID, ResumeToken: idle.ResumeToken})
	expectKind(t, err, runtime.KindNotFound)

	s, err := h.store.FindSession(ctx, watched.Session.ID)
	if err != nil {
		t.Fatalf("a conversation with a subscriber was deleted: %v", err)
	}
	if !s.LastActivity.Equal(clk.Now()) {
		t.Fatalf("attached conversation's last activity = %v, want now (%v)", s.LastActivity, clk.Now())
	}
	select {
	case <-watched.Done():
		t.Fatalf("the subscriber was ended: %s", watched.Reason())
	default:
	}
	if rows, _, _ := h.store.ListSessions(ctx, runtime.SessionFilter{UserID: alice.UserID}); len(rows) != 1 {
		t.Fatalf("the user's conversation was swept (%d left)", len(rows))
	}

	watched.Close()
	clk.Add(ttl + time.Second)
	if err := h.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.FindSession(ctx, watched.Session.ID); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("conversation idle since its socket closed is still stored: %v", err)
	}
}

// joinOnDelete runs hook just before the store deletes idle
// conversations: a socket that joins while the sweep runs.
type joinOnDelete struct {
	*runtimetest.MemStore
	hook func()
}

func (s *joinOnDelete) DeleteIdleAnonymous(ctx context.Context, cutoff time.Time) ([]runtime.SessionID, error) {
	s.hook()
	return s.MemStore.DeleteIdleAnonymous(ctx, cutoff)
}

// A conversation deleted by the sweep ends its subscriptions with
// ReasonDeleted, so that the transport closes them.
func TestSweepEndsSubscriptionsOfDeleted(t *testing.T) {
	t.Parallel()
	clk := newClock()
	const ttl = 10 * time.Minute
	store := &joinOnDelete{MemStore: runtimetest.NewMemStore(), hook: func() {}}
	store.Now = clk.Now
	h := runtime.New(runtime.Config{Store: store, Engine: &fakeEngine{step: silent}, Now: clk.Now, AnonymousTTL: ttl})
	t.Cleanup(func() { h.Close(context.Background()) })
	ctx := context.Background()

	first, err := h.Join(ctx, anon, runtime.JoinRequest{})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	var late *runtime.Subscription
	var joinErr error
	store.hook = func() {
		late, joinErr = h.Join(ctx, anon, runtime.JoinRequest{SessionID: first.Session.ID, ResumeToken: first.ResumeToken})
	}
	live := h.Stats().Conversations
	clk.Add(ttl + time.Second)
	if err := h.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if joinErr != nil {
		t.Fatalf("join during the sweep: %v", joinErr)
	}
	expectDone(t, late, runtime.ReasonDeleted)
	if h.Stats().Conversations != live-1 {
		t.Fatalf("Stats().Conversations = %d, want %d: the deleted conversation is still in memory", h.Stats().Conversations, live-1)
	}
}
