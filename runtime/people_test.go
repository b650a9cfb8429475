package runtime_test

import (
	"context"
	"testing"
	"time"

	"parley/runtime"
)

// peopleConv is a conversation alice started with bob as a participant,
// on a silent bot; it returns its id.
func peopleConv(t *testing.T, h *testHub) runtime.SessionID {
	t.Helper()
	s, err := h.CreateConversation(context.Background(), alice, runtime.NewConversation{Participants: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// expectTyping waits for the next event and checks it is user's typing.
func expectTyping(t *testing.T, sub *runtime.Subscription, user string, sender runtime.Sender, active bool) {
	t.Helper()
	e := nextEvent(t, sub)
	if e.Type != runtime.EventTyping || e.User != user || e.Sender != sender || e.Active != active {
		t.Fatalf("event %s %+v, want %s typing %v", describe(e), e, user, active)
	}
}

// expectRead waits for the next event and checks it is reader's receipt.
func expectRead(t *testing.T, sub *runtime.Subscription, reader string, seq int64) {
	t.Helper()
	e := nextEvent(t, sub)
	if e.Type != runtime.EventRead || e.User != reader || e.Seq != seq {
		t.Fatalf("event %s %+v, want %s read %d", describe(e), e, reader, seq)
	}
}

// A person's typing reaches the others' sockets, not their own; only
// changes are published; their message ends it, first.
func TestTypingReachesOthersOnly(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sid := peopleConv(t, h)
	req := runtime.JoinRequest{SessionID: sid}
	phone, laptop := h.join(t, alice, req), h.join(t, alice, req)
	b, root := h.join(t, bob, req), h.join(t, admin, req)
	// Each is told who is online as it joins, and who comes online
	// after it; the admin, who did not start it, joins as an agent.
	const aliceOn, bobOn, rootOn, joined = "presence alice online true", "presence bob online true", "presence root online true", "status agent_joined"
	expectEvents(t, phone, bobOn, joined, rootOn)
	expectEvents(t, laptop, bobOn, joined, rootOn)
	expectEvents(t, b, aliceOn, joined, rootOn)
	expectEvents(t, root, aliceOn, bobOn, joined)

	if err := phone.Typing(sid, true); err != nil {
		t.Fatal(err)
	}
	expectTyping(t, b, "alice", runtime.SenderUser, true)
	expectTyping(t, root, "alice", runtime.SenderUser, true)
	phone.Typing("", true) // a refresh: nothing new to tell
	laptop.Typing("", true)
	root.Typing("", true)
	expectTyping(t, phone, "root", runtime.SenderAgent, true)
	expectTyping(t, b, "root", runtime.SenderAgent, true)
	root.Typing("", false)
	expectTyping(t, b, "root", runtime.SenderAgent, false)
	expectTyping(t, phone, "root", runtime.SenderAgent, false)
	expectQuiet(t, root)

	h.send(t, alice, sid, "hello")
	expectTyping(t, b, "alice", runtime.SenderUser, false)
	expectMessage(t, b, runtime.SenderUser, "hello")
	h.send(t, alice, sid, "again") // not typing: no frame before it
	expectMessage(t, b, runtime.SenderUser, "again")
	expectTyping(t, laptop, "root", runtime.SenderAgent, true) // not read till now
	expectTyping(t, laptop, "root", runtime.SenderAgent, false)
	for _, sub := range []*runtime.Subscription{phone, laptop} {
		expectMessage(t, sub, runtime.SenderUser, "hello") // alice's own typing never came
		expectMessage(t, sub, runtime.SenderUser, "again")
	}
	expectKind(t, b.Typing("elsewhere", true), runtime.KindForbidden)
}

// An indicator not refreshed ends by itself after TypingExpiry; a
// refresh moves the end.
func TestTypingExpires(t *testing.T) {
	t.Parallel()
	const expiry = 150 * time.Millisecond
	h := newHub(t, silent, runtime.Config{TypingExpiry: expiry})
	sid := peopleConv(t, h)
	a, b := h.join(t, alice, runtime.JoinRequest{SessionID: sid}), h.join(t, bob, runtime.JoinRequest{SessionID: sid})
	expectEvents(t, a, "presence bob online true")
	expectEvents(t, b, "presence alice online true")

	start := time.Now()
	a.Typing("", true)
	expectTyping(t, b, "alice", runtime.SenderUser, true)
	time.Sleep(expiry * 2 / 3) // then refresh: the end is expiry from now
	a.Typing("", true)
	refreshed := time.Now()
	expectTyping(t, b, "alice", runtime.SenderUser, false)
	if took := time.Since(start); took < refreshed.Sub(start)+expiry {
		t.Fatalf("typing ended %v after it began, before the refreshed deadline", took)
	}
	expectQuiet(t, a)
}

// Read receipts: the owner's mark is stored and told to the others, a
// participant's is told and not stored; neither moves back or past the
// last message, and one that moves nothing is not told again.
func TestReadReceipts(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	ctx := context.Background()
	sid := peopleConv(t, h)
	a, b := h.join(t, alice, runtime.JoinRequest{SessionID: sid}), h.join(t, bob, runtime.JoinRequest{SessionID: sid})
	expectEvents(t, a, "presence bob online true")
	expectEvents(t, b, "presence alice online true")
	for _, text := range []string{"one", "two", "three"} {
		h.send(t, alice, sid, text)
		expectMessage(t, a, runtime.SenderUser, text)
		expectMessage(t, b, runtime.SenderUser, text)
	}

	if mark, err := h.MarkRead(ctx, bob, sid, 2); err != nil || mark != 2 {
		t.Fatalf("bob's MarkRead(2) = %d, %v", mark, err)
	}
	expectRead(t, a, "bob", 2)
	expectQuiet(t, b)
	if mark, err := h.MarkRead(ctx, bob, sid, 1); err != nil || mark != 2 {
		t.Fatalf("bob's MarkRead(1) after 2 = %d, %v; want 2", mark, err)
	}
	if err := b.MarkRead(ctx, 2); err != nil {
		t.Fatal(err)
	}
	expectQuiet(t, a) // nothing moved
	if s, _ := h.store.FindSession(ctx, sid); s.ReadSeq != 0 {
		t.Fatalf("bob's receipt stored as the owner's mark: read_seq %d", s.ReadSeq)
	}

	if err := a.MarkRead(ctx, 99); err != nil {
		t.Fatal(err)
	}
	expectRead(t, b, "alice", 3)
	expectQuiet(t, a)
	if s, _ := h.store.FindSession(ctx, sid); s.ReadSeq != 3 {
		t.Fatalf("alice's mark stored as %d, want 3", s.ReadSeq)
	}
	if mark, err := h.MarkRead(ctx, alice, sid, 3); err != nil || mark != 3 {
		t.Fatalf("alice's MarkRead(3) again = %d, %v", mark, err)
	}
	expectQuiet(t, b)
}
