package runtime_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"parley/runtime"
)

var (
	agent1 = runtime.Identity{UserID: "ag1", Name: "Ada", Role: runtime.RoleAgent, IP: "10.0.0.5"}
	agent2 = runtime.Identity{UserID: "ag2", Name: "Bo", Role: runtime.RoleAgent, IP: "10.0.0.6"}
)

// AutoAssign: each conversation entering the queue goes to the next agent
// with a socket open, round robin in id order (admins are not in the
// turn): by TRANSFER and by PATCH waiting, which does not give it back to
// the agent who put it back. With nobody online it stays waiting; off, a
// conversation always does.
func TestAutoAssign(t *testing.T) {
	ctx := context.Background()
	h := newHub(t, handover, runtime.Config{AutoAssign: true})
	waiting := runtime.SupportWaiting
	toQueue := func(who runtime.Identity, sid runtime.SessionID) *runtime.Session {
		t.Helper()
		s, err := h.Patch(ctx, who, sid, runtime.ConversationPatch{SupportStatus: &waiting})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	lone := h.join(t, bob, runtime.JoinRequest{})
	if s := toQueue(admin, lone.Session.ID); s.SupportStatus != waiting || s.AssignedAgent != "" {
		t.Fatalf("nobody online: %s assigned %q; want waiting for nobody", s.SupportStatus, s.AssignedAgent)
	}

	h.join(t, admin, runtime.JoinRequest{})
	h.join(t, agent2, runtime.JoinRequest{})
	h.join(t, agent1, runtime.JoinRequest{})
	var got []string
	for range 3 {
		sub := h.join(t, alice, runtime.JoinRequest{SessionID: h.start(t, alice)})
		h.send(t, alice, sub.Session.ID, "help")
		expectMessage(t, sub, runtime.SenderUser, "help")
		expectStatus(t, sub, runtime.StatusWaitingAgent)
		s := h.await(t, sub.Session.ID, func(s *runtime.Session) bool { return s.AssignedAgent != "" })
		if s.SupportStatus != runtime.SupportOpen || !slices.Contains(s.Members, s.AssignedAgent) {
			t.Fatalf("assigned: %+v; want open, the agent a member", s)
		}
		got = append(got, s.AssignedAgent)
	}
	if want := "[ag1 ag2 ag1]"; fmt.Sprint(got) != want {
		t.Fatalf("assigned to %v; want %s", got, want)
	}
	// ag2 is next; when they put it back, it goes to ag1, not to them.
	back := h.start(t, bob)
	if s := toQueue(admin, back); s.AssignedAgent != "ag2" {
		t.Fatalf("back in the queue: assigned %q; want ag2", s.AssignedAgent)
	}
	if s := toQueue(agent2, back); s.AssignedAgent != "ag1" || s.SupportStatus != runtime.SupportOpen {
		t.Fatalf("put back by ag2: %s assigned %q; want open for ag1", s.SupportStatus, s.AssignedAgent)
	}

	off := newHub(t, handover, runtime.Config{})
	off.join(t, agent1, runtime.JoinRequest{})
	sid := off.join(t, bob, runtime.JoinRequest{}).Session.ID
	if s, err := off.Patch(ctx, admin, sid, runtime.ConversationPatch{SupportStatus: &waiting}); err != nil || s.AssignedAgent != "" {
		t.Fatalf("without AutoAssign: %+v, %v; want waiting for nobody", s, err)
	}
}

// await polls the stored session until cond holds: an assignment made on
// the dialog's goroutine has no event of its own.
func (h *testHub) await(t *testing.T, sid runtime.SessionID, cond func(*runtime.Session) bool) *runtime.Session {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		s, err := h.store.FindSession(context.Background(), sid)
		if err != nil {
			t.Fatal(err)
		}
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("session %s: condition not met in time: %+v", sid, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start starts a new conversation of id's with the echo bot.
func (h *testHub) start(t *testing.T, id runtime.Identity) runtime.SessionID {
	t.Helper()
	s, err := h.StartConversation(context.Background(), id, "echo", "")
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}
