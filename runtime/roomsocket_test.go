package runtime_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"parley/runtime"
)

// nextOn returns a Socket's next event, failing after waitFor.
func nextOn(t *testing.T, s *runtime.Socket) *runtime.Event {
	t.Helper()
	select {
	case e := <-s.Events():
		return e
	case <-time.After(waitFor):
		t.Fatalf("no event within %v", waitFor)
		return nil
	}
}

// A socket opened without a conversation (Socket.IO's) is online while it
// is open, follows what it joins through the access rule, hears of the
// messages of its user's other conversations, reads by message id, and
// takes its user offline when it closes.
func TestOpenSocket(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	if _, err := h.OpenSocket(ctx, anon); !runtime.IsKind(err, runtime.KindUnauthorized) {
		t.Fatalf("anonymous OpenSocket: %v, want unauthorized", err)
	}
	shared, err := h.CreateConversation(ctx, alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := h.CreateConversation(ctx, bob, runtime.NewConversation{Participants: []string{"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	carol := runtime.Identity{UserID: "carol", Role: runtime.RoleUser}
	sock, err := h.OpenSocket(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(h.Online("")); got != "[alice]" {
		t.Fatalf("Online = %s, want [alice]", got)
	}
	cs, _ := h.OpenSocket(ctx, carol)
	_, err = cs.Follow(ctx, shared.ID, -1)
	expectKind(t, err, runtime.KindForbidden)
	cs.Close()

	sub, err := sock.Follow(ctx, shared.ID, -1)
	if err != nil {
		t.Fatal(err)
	}
	if e := nextOn(t, sock); e.Follow != sub {
		t.Fatalf("first event %s, want the greeting of the followed conversation", describe(e))
	}
	m := h.send(t, bob, shared.ID, "in the followed one")
	if e := nextOn(t, sock); e.Type != runtime.EventMessage || e.Message.ID != m.ID {
		t.Fatalf("event %s, want bob's message", describe(e))
	}
	h.send(t, bob, other.ID, "in the other one")
	if e := nextOn(t, sock); e.Type != runtime.EventNotification || e.SessionID != other.ID {
		t.Fatalf("event %s, want a notification of the other conversation", describe(e))
	}
	if at, err := sub.MessageAt(ctx, m.Seq); err != nil || at.ID != m.ID {
		t.Fatalf("MessageAt(%d) = %v, %v", m.Seq, at, err)
	}
	if mark, err := h.MarkReadMessage(ctx, alice, shared.ID, m.ID); err != nil || mark != m.Seq {
		t.Fatalf("MarkReadMessage = %d, %v; want %d", mark, err, m.Seq)
	}
	_, err = h.MarkReadMessage(ctx, alice, shared.ID, "no-such-message")
	expectKind(t, err, runtime.KindInvalid)
	_, err = h.MarkReadMessage(ctx, carol, shared.ID, m.ID)
	expectKind(t, err, runtime.KindForbidden)

	if err := sock.Leave(shared.ID); err != nil {
		t.Fatal(err)
	}
	if e := nextOn(t, sock); e.Type != runtime.EventStatus || e.Status != runtime.StatusLeft {
		t.Fatalf("event %s, want left", describe(e))
	}
	expectKind(t, sock.Leave(shared.ID), runtime.KindInvalid)
	sock.Close()
	if got := fmt.Sprint(h.Online("")); got != "[]" {
		t.Fatalf("Online after Close = %s, want nobody", got)
	}
}
