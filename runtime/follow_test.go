package runtime_test

import (
	"context"
	"fmt"
	"testing"

	"parley/runtime"
)

// Joining another conversation from an open socket (a join frame) goes
// through the one access rule, as connecting does: members, the agents
// of the queue or the assigned agent, admins; a refusal leaves the socket
// as it was. A conversation followed already, or one over the bound, is
// refused too.
func TestFollowAccess(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	shared, err := h.CreateConversation(ctx, alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	queued, assigned := h.stored2(t, runtime.SupportWaiting, ""), h.stored2(t, runtime.SupportOpen, "ag")
	agent := runtime.Identity{UserID: "ag", Name: "Agent", Role: runtime.RoleAgent}
	otherAgent := runtime.Identity{UserID: "ag2", Role: runtime.RoleAgent}
	carol := runtime.Identity{UserID: "carol", Role: runtime.RoleUser}
	anonSub := h.join(t, anon, runtime.JoinRequest{})
	cases := []struct {
		name string
		id   runtime.Identity
		sid  runtime.SessionID
		want runtime.Kind
	}{
		{"owner", alice, shared.ID, ""},
		{"participant", bob, shared.ID, ""},
		{"another user", carol, shared.ID, runtime.KindForbidden},
		{"agent, outside the queue", agent, shared.ID, runtime.KindForbidden},
		{"agent, in the queue", agent, queued, ""},
		{"another agent, in the queue", otherAgent, queued, ""},
		{"agent, assigned", agent, assigned, ""},
		{"another agent, assigned to someone else", otherAgent, assigned, runtime.KindForbidden},
		{"admin", admin, shared.ID, ""},
		{"unknown conversation", alice, "no-such-session", runtime.KindNotFound},
		{"an anonymous one, by a user", alice, anonSub.Session.ID, runtime.KindForbidden},
	}
	for _, tc := range cases {
		sock := h.join(t, tc.id, runtime.JoinRequest{BotID: "other"}) // a conversation of their own first
		err := sock.Follow(ctx, tc.sid, -1)
		if tc.want == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if e := nextEvent(t, sock); e.Follow == nil || e.SessionID != tc.sid {
				t.Fatalf("%s: first event %s, want the greeting of %s", tc.name, describe(e), tc.sid)
			}
			continue
		}
		if !runtime.IsKind(err, tc.want) {
			t.Fatalf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
		if _, err := sock.For(tc.sid); !runtime.IsKind(err, runtime.KindForbidden) {
			t.Fatalf("%s: refused, yet the socket follows it (%v)", tc.name, err)
		}
	}
	expectKind(t, anonSub.Follow(ctx, shared.ID, -1), runtime.KindForbidden)

	// Twice is refused; so is one over the bound.
	sock := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	if err := sock.Follow(ctx, shared.ID, -1); err != nil {
		t.Fatal(err)
	}
	expectKind(t, sock.Follow(ctx, shared.ID, -1), runtime.KindInvalid)
	for i := 2; i < runtime.MaxFollows; i++ {
		s, err := h.CreateConversation(ctx, alice, runtime.NewConversation{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sock.Follow(ctx, s.ID, -1); err != nil {
			t.Fatalf("following conversation %d: %v", i+1, err)
		}
	}
	s, err := h.CreateConversation(ctx, alice, runtime.NewConversation{})
	if err != nil {
		t.Fatal(err)
	}
	expectKind(t, sock.Follow(ctx, s.ID, -1), runtime.KindTooMany)
	if err := sock.Leave(shared.ID); err != nil {
		t.Fatal(err)
	}
	if err := sock.Follow(ctx, s.ID, -1); err != nil {
		t.Fatalf("after a leave, under the bound again: %v", err)
	}
}

// stored2 stores a conversation of alice's with a support status and an
// assigned agent, as the desk would have left it.
func (h *testHub) stored2(t *testing.T, support, agent string) runtime.SessionID {
	t.Helper()
	s := &runtime.Session{
		ID: runtime.SessionID(runtime.NewID()), BotID: "echo", UserID: "alice", Status: runtime.StatusActive,
		SupportStatus: support, AssignedAgent: agent, Suggestions: []string{},
	}
	if err := h.store.CreateSession(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// A joined conversation reaches the socket as a new socket's would: its
// greeting (the snapshot, with the replay asked for) before its live
// events, each message once; a notification of it only while the socket
// does not follow it; after a leave, its left status and nothing more of
// it but notifications. The socket's first conversation may be left too.
func TestFollowAndLeave(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	shared, err := h.CreateConversation(ctx, bob, runtime.NewConversation{Participants: []string{"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	sock := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	first := sock.Session.ID
	h.send(t, bob, shared.ID, "one")
	if e := nextEvent(t, sock); e.Type != runtime.EventNotification || e.SessionID != shared.ID {
		t.Fatalf("event %s, want a notification of %s", describe(e), shared.ID)
	}
	h.send(t, bob, shared.ID, "two")
	nextEvent(t, sock) // its notification

	if err := sock.Follow(ctx, shared.ID, 1); err != nil {
		t.Fatal(err)
	}
	h.send(t, bob, shared.ID, "three")
	e := nextEvent(t, sock)
	if e.Follow == nil || e.Status != runtime.StatusConnected || e.Follow.Session.LastSeq != 2 || e.Follow.After != 1 {
		t.Fatalf("event %s %+v, want the greeting of %s at last_seq 2, after 1", describe(e), e, shared.ID)
	}
	var replay []string
	e.Follow.Backlog(ctx, e.Follow.After, func(m *runtime.Message) error {
		replay = append(replay, m.Content)
		return nil
	})
	if fmt.Sprint(replay) != "[two]" {
		t.Fatalf("replay %v, want [two]", replay)
	}
	expectMessage(t, sock, runtime.SenderUser, "three") // live, not a notification
	expectQuiet(t, sock)

	// Frames go where they name, the first conversation by default.
	to, err := sock.For(shared.ID)
	if err != nil || to.Session.ID != shared.ID {
		t.Fatalf("For(%s) = %v, %v", shared.ID, to, err)
	}
	if _, _, err := to.Send(ctx, runtime.SendRequest{Content: "from alice"}); err != nil {
		t.Fatal(err)
	}
	expectMessage(t, sock, runtime.SenderUser, "from alice")
	if to, err := sock.For(""); err != nil || to.Session.ID != first {
		t.Fatalf("For(\"\") = %v, %v; want the first conversation", to, err)
	}

	if err := sock.Leave(shared.ID); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, sock, "status left")
	h.send(t, bob, shared.ID, "four")
	if e := nextEvent(t, sock); e.Type != runtime.EventNotification || e.Message.Content != "four" {
		t.Fatalf("event %s, want a notification of four", describe(e))
	}
	expectKind(t, sock.Leave(shared.ID), runtime.KindInvalid)
	if _, err := sock.For(shared.ID); !runtime.IsKind(err, runtime.KindForbidden) {
		t.Fatalf("For a left conversation: %v", err)
	}

	// Leaving the first: frames must name a conversation from then on.
	if err := sock.Leave(first); err != nil {
		t.Fatal(err)
	}
	expectEvents(t, sock, "status left")
	if _, err := sock.For(""); !runtime.IsKind(err, runtime.KindInvalid) {
		t.Fatalf("For(\"\") after leaving the first: %v", err)
	}
	select {
	case <-sock.Done():
		t.Fatalf("the socket ended when it left its last conversation: %s", sock.Reason())
	default:
	}
}

// A joined conversation that is deleted is left, with an error naming it;
// the socket goes on. Closing the socket lets go of every conversation.
func TestFollowedConversationDeleted(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	sock := h.join(t, alice, runtime.JoinRequest{BotID: "other"})
	other, err := h.CreateConversation(ctx, alice, runtime.NewConversation{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sock.Follow(ctx, other.ID, -1); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, sock) // its greeting
	if err := h.DeleteConversation(ctx, alice, other.ID); err != nil {
		t.Fatal(err)
	}
	if e := nextEvent(t, sock); e.Type != runtime.EventError || e.Code != runtime.KindNotFound || e.SessionID != other.ID {
		t.Fatalf("event %s, want not_found for %s", describe(e), other.ID)
	}
	if _, err := sock.For(other.ID); err == nil {
		t.Fatal("the socket still follows a deleted conversation")
	}
	h.send(t, alice, sock.Session.ID, "still here")
	expectMessage(t, sock, runtime.SenderUser, "still here")
}
