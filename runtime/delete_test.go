package runtime_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

// DeleteConversation: the owner (or an admin) deletes; others are
// forbidden, unknown ids not found; open subscriptions end with
// ReasonDeleted and the conversation is gone from memory and store.
func TestDeleteConversation(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	ctx := context.Background()
	sub := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	sid := sub.Session.ID
	h.send(t, alice, sid, "hi")
	expectMessage(t, sub, runtime.SenderUser, "hi")
	expectMessage(t, sub, runtime.SenderBot, "echo: hi")

	expectKind(t, h.DeleteConversation(ctx, bob, sid), runtime.KindForbidden)
	expectKind(t, h.DeleteConversation(ctx, anon, sid), runtime.KindForbidden)
	expectKind(t, h.DeleteConversation(ctx, alice, runtime.SessionID(runtime.NewID())), runtime.KindNotFound)
	live := h.Stats().Conversations
	if err := h.DeleteConversation(ctx, alice, sid); err != nil {
		t.Fatalf("DeleteConversation: %v", err)
	}
	expectDone(t, sub, runtime.ReasonDeleted)
	if h.Stats().Conversations != live-1 {
		t.Errorf("%d conversations live after the delete, want %d", h.Stats().Conversations, live-1)
	}
	if _, err := h.store.FindSession(ctx, sid); !runtime.IsKind(err, runtime.KindNotFound) {
		t.Fatalf("deleted conversation still stored: %v", err)
	}
	if n := len(h.stored(t, sid)); n != 0 {
		t.Fatalf("%d messages of the deleted conversation remain", n)
	}
	expectKind(t, h.DeleteConversation(ctx, alice, sid), runtime.KindNotFound)
	_, _, err := h.History(ctx, alice, sid, runtime.HistoryQuery{Limit: 10})
	expectKind(t, err, runtime.KindNotFound)

	// An admin may delete anyone's; an evicted conversation is loaded first.
	other := h.join(t, bob, runtime.JoinRequest{BotID: "other"})
	other.Close()
	h.Evict(time.Now().Add(time.Hour))
	if err := h.DeleteConversation(ctx, admin, other.Session.ID); err != nil {
		t.Fatalf("admin's DeleteConversation: %v", err)
	}
}

// commitCounter counts the dialog writes that reach the store.
type commitCounter struct {
	*runtimetest.MemStore
	commits atomic.Int64
}

func (s *commitCounter) CommitDialog(ctx context.Context, w *runtime.DialogWrite) error {
	s.commits.Add(1)
	return s.MemStore.CommitDialog(ctx, w)
}

// A dialog in the middle of a turn when its conversation is deleted is
// cancelled, and whatever it says afterwards is not written.
func TestDeleteStopsLiveDialog(t *testing.T) {
	t.Parallel()
	started, cancelled := make(chan struct{}), make(chan struct{})
	step := func(ctx context.Context, host runtime.DialogHost, in *runtime.Message) error {
		if in == nil || in.Content != "slow" {
			return nil
		}
		close(started)
		<-ctx.Done()
		close(cancelled)
		host.Talk(context.Background(), "too late")
		return nil
	}
	st := &commitCounter{MemStore: runtimetest.NewMemStore()}
	h := runtime.New(runtime.Config{Store: st, Engine: &fakeEngine{step: step}})
	t.Cleanup(func() { h.Close(context.Background()) })
	ctx := context.Background()
	sub, err := h.Join(ctx, alice, runtime.JoinRequest{BotID: "other"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, _, err := h.Send(ctx, alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: "slow"}); err != nil {
		t.Fatal(err)
	}
	<-started
	before := st.commits.Load()
	if err := h.DeleteConversation(ctx, alice, sub.Session.ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-cancelled:
	case <-time.After(waitFor):
		t.Fatal("the dialog was not cancelled")
	}
	expectDone(t, sub, runtime.ReasonDeleted)
	time.Sleep(50 * time.Millisecond) // room for a late flush
	if n := st.commits.Load() - before; n != 0 {
		t.Fatalf("%d dialog writes after the delete", n)
	}
}
