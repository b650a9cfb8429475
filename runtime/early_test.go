package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

// writeStore counts the writes of the message path and can fail the
// dialog's commits.
type writeStore struct {
	*runtimetest.MemStore
	appends, commits, inputs atomic.Int64
	failInput                atomic.Bool // fail the next commit that carries an Input
}

func (s *writeStore) AppendMessage(ctx context.Context, m *runtime.Message) (bool, error) {
	s.appends.Add(1)
	return s.MemStore.AppendMessage(ctx, m)
}

func (s *writeStore) CommitDialog(ctx context.Context, w *runtime.DialogWrite) error {
	s.commits.Add(1)
	if w.Input != nil {
		s.inputs.Add(1)
		if s.failInput.CompareAndSwap(true, false) {
			return runtime.Errorf(runtime.KindUnavailable, "database unavailable")
		}
	}
	return s.MemStore.CommitDialog(ctx, w)
}

func newWriteHub(t *testing.T, step stepFunc) (*testHub, *writeStore) {
	t.Helper()
	st := &writeStore{MemStore: runtimetest.NewMemStore()}
	eng := &fakeEngine{step: step}
	h := runtime.New(runtime.Config{Store: st, Engine: eng})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		h.Close(ctx)
	})
	return &testHub{Hub: h, store: st.MemStore, engine: eng}, st
}

// parkedConversation joins alice and waits until the dialog is parked in
// HEAR after its first answer, so that the next message is offered to it.
func parkedConversation(t *testing.T, h *testHub) *runtime.Subscription {
	t.Helper()
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "first")
	expectMessage(t, sub, runtime.SenderUser, "first")
	expectMessage(t, sub, runtime.SenderBot, "echo: first")
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sub
}

// heardSeqs returns the stored session and the seqs its run's HEAR entries
// took, in order.
func heardSeqs(t *testing.T, h *testHub, sid runtime.SessionID) (*runtime.Session, []int64) {
	t.Helper()
	s, err := h.store.FindSession(context.Background(), sid)
	if err != nil {
		t.Fatal(err)
	}
	j, err := h.store.Journal(context.Background(), sid, s.Run)
	if err != nil {
		t.Fatal(err)
	}
	var heard []int64
	for _, e := range j {
		if e.Kind == runtime.EntryHear {
			heard = append(heard, e.Seq)
		}
	}
	return s, heard
}

// A message for a dialog parked in HEAR is stored by the commit that
// stores the answer: one write a turn, the message published first with
// its seq, the HEAR entry and the consumed seq pointing at it.
func TestTurnInOneCommit(t *testing.T) {
	t.Parallel()
	h, st := newWriteHub(t, echo)
	sub := parkedConversation(t, h)
	appends, commits, inputs := st.appends.Load(), st.commits.Load(), st.inputs.Load()

	m, created, err := h.Send(context.Background(), alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: "hi", ClientID: "c2"})
	if err != nil || !created {
		t.Fatalf("Send: created %v, err %v", created, err)
	}
	if m.Seq == 0 || m.ID == "" || m.CreatedAt.IsZero() {
		t.Fatalf("acknowledged message %+v has no seq, id or time", m)
	}
	got := expectMessage(t, sub, runtime.SenderUser, "hi")
	reply := expectMessage(t, sub, runtime.SenderBot, "echo: hi")
	if got.Seq != m.Seq || reply.Seq != m.Seq+1 || got.ClientID != "c2" {
		t.Fatalf("published seqs %d, %d (client id %q); want %d, %d (c2)", got.Seq, reply.Seq, got.ClientID, m.Seq, m.Seq+1)
	}
	n, c, in := st.appends.Load()-appends, st.commits.Load()-commits, st.inputs.Load()-inputs
	if n != 0 || c != 1 || in != 1 {
		t.Fatalf("the turn took %d appends and %d dialog commits (%d with an input); want one commit with the input", n, c, in)
	}
	s, heard := heardSeqs(t, h, sub.Session.ID)
	if s.ConsumedSeq != m.Seq || s.LastUserSeq != m.Seq || s.LastSeq != reply.Seq {
		t.Fatalf("session seqs consumed %d, last user %d, last %d; want %d, %d, %d", s.ConsumedSeq, s.LastUserSeq, s.LastSeq, m.Seq, m.Seq, reply.Seq)
	}
	if len(heard) != 2 || heard[1] != m.Seq {
		t.Fatalf("HEAR entries took seqs %v; want the last one %d", heard, m.Seq)
	}
}

// A script that computes before its next blocking point does not hold
// the sender's acknowledgement: after flushAfter the sender stores the
// message on its own, other messages may follow it, and the dialog's
// commit gives the stored seq to its HEAR.
func TestOfferedMessageStoredWhileScriptRuns(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in != nil && in.Content == "slow" && !h.Replaying() {
			<-release
		}
		return echo(ctx, h, in)
	}
	h, st := newWriteHub(t, step)
	sub := parkedConversation(t, h)

	inputs := st.inputs.Load()
	slow := h.send(t, alice, sub.Session.ID, "slow") // returns while the step is blocked
	expectMessage(t, sub, runtime.SenderUser, "slow")
	next := h.send(t, alice, sub.Session.ID, "next")
	expectMessage(t, sub, runtime.SenderUser, "next")
	if next.Seq != slow.Seq+1 {
		t.Fatalf("seqs %d then %d; want consecutive", slow.Seq, next.Seq)
	}
	close(release)
	expectMessage(t, sub, runtime.SenderBot, "echo: slow")
	expectMessage(t, sub, runtime.SenderBot, "echo: next")
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := st.inputs.Load() - inputs; n != 0 {
		t.Fatalf("%d commits carried an input; the sender stored it", n)
	}
	s, heard := heardSeqs(t, h, sub.Session.ID)
	if len(heard) != 3 || heard[1] != slow.Seq || heard[2] != next.Seq || s.ConsumedSeq != next.Seq {
		t.Fatalf("HEAR entries %v, consumed %d; want [… %d %d], %d", heard, s.ConsumedSeq, slow.Seq, next.Seq, next.Seq)
	}
}

// A commit that fails with the offered message in it fails the send: the
// message is not stored, nothing of it is published, and the dialog is
// rebuilt from its journal for the next one.
func TestOfferedMessageCommitFails(t *testing.T) {
	t.Parallel()
	h, st := newWriteHub(t, echo)
	sub := parkedConversation(t, h)
	st.failInput.Store(true)
	_, _, err := h.Send(context.Background(), alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: "lost"})
	expectKind(t, err, runtime.KindUnavailable)
	for _, m := range h.stored(t, sub.Session.ID) {
		if m.Content == "lost" || m.Content == "echo: lost" {
			t.Fatalf("the failed message was stored: %+v", m)
		}
	}
	for e := nextEvent(t, sub); e.Type != runtime.EventError; e = nextEvent(t, sub) {
		if e.Type == runtime.EventMessage {
			t.Fatalf("published %s for a message that was not stored", describe(e))
		}
	}
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.send(t, alice, sub.Session.ID, "again")
	expectMessage(t, sub, runtime.SenderUser, "again")
	expectMessage(t, sub, runtime.SenderBot, "echo: again")
}

// Messages sent at once from several devices to a parked dialog get
// consecutive seqs in the order they were acknowledged, and each is
// answered once, in seq order.
func TestOfferedMessagesFromDevices(t *testing.T) {
	t.Parallel()
	h, _ := newWriteHub(t, echo)
	sub := parkedConversation(t, h)
	const devices, each = 4, 25
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[int64]string{}
	for d := range devices {
		wg.Go(func() {
			for i := range each {
				m, _, err := h.Send(context.Background(), alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: string(rune('a'+d)) + string(rune('0'+i%10))})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked[m.Seq] = m.Content
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := h.stored(t, sub.Session.ID)
	var pending []string // user messages not answered yet, in seq order
	for i, m := range msgs {
		if m.Seq != int64(i+1) {
			t.Fatalf("stored seqs have a gap at %d: %d", i+1, m.Seq)
		}
		switch m.Sender {
		case runtime.SenderUser:
			if i > 1 && acked[m.Seq] != m.Content {
				t.Fatalf("seq %d stored %q, acknowledged %q", m.Seq, m.Content, acked[m.Seq])
			}
			pending = append(pending, m.Content)
		case runtime.SenderBot:
			if len(pending) == 0 || m.Content != "echo: "+pending[0] {
				t.Fatalf("seq %d answers %q; want the oldest unanswered of %q", m.Seq, m.Content, pending)
			}
			pending = pending[1:]
		}
	}
	if len(msgs) != 2+2*devices*each || len(pending) != 0 {
		t.Fatalf("%d messages stored, %d unanswered; want %d and none", len(msgs), len(pending), 2+2*devices*each)
	}
}

// A repeat of a stored message (its client id) reaching a parked dialog
// cannot make the bot's HTTP request again: a turn commits the message it
// answers before anything leaves the server, and that commit finds the
// repeat. (The dialog heard it, so it is rebuilt from its journal.)
func TestOfferedRepeatMakesNoRequest(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "order %d", hits.Add(1))
	}))
	defer srv.Close()
	order := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil {
			return nil
		}
		resp, err := h.HTTP(ctx, runtime.HTTPRequest{Method: http.MethodPost, URL: srv.URL + "/order"})
		if err != nil {
			return err
		}
		return h.Talk(ctx, resp.Body)
	}
	h := newHub(t, order, runtime.Config{})
	h.engine.httpAllow = []string{strings.TrimPrefix(srv.URL, "http://")}
	sub := h.join(t, alice, runtime.JoinRequest{})
	if err := sub.WaitIdle(context.Background()); err != nil { // parked in HEAR
		t.Fatal(err)
	}
	req := runtime.SendRequest{SessionID: sub.Session.ID, Content: "buy", ClientID: "k1"}
	for i := range 2 { // the second time, a retry whose ack was lost
		m, created, err := h.Send(context.Background(), alice, req)
		if err != nil || created != (i == 0) || m.Content != "buy" {
			t.Fatalf("send %d: %+v, created %v, err %v", i, m, created, err)
		}
		if err := sub.WaitIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("the bot's POST went out %d times for one message", n)
	}
	expectMessage(t, sub, runtime.SenderUser, "buy")
	expectMessage(t, sub, runtime.SenderBot, "order 1")
	expectQuiet(t, sub)
}

// A typing indicator shown before slow work is published once the
// message it answers is, not held back until the turn's commit.
func TestOfferedTurnShowsTyping(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in == nil || h.Replaying() {
			return nil
		}
		if err := h.Typing(ctx, true); err != nil {
			return err
		}
		<-release // an HTTP call, or Lua computing
		return h.Talk(ctx, "done")
	}
	h := newHub(t, step, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.send(t, alice, sub.Session.ID, "slow") // the sender stores it after 20 ms
	expectMessage(t, sub, runtime.SenderUser, "slow")
	if e := nextEvent(t, sub); e.Type != runtime.EventTyping || !e.Active {
		t.Fatalf("event %s while the bot works; want typing", describe(e))
	}
}

// A turn that fails in the host before it committed the message it
// answers leaves the message stored and acknowledged, as a failed turn
// always did: the dialog, rebuilt, answers it.
func TestOfferedTurnHostFailure(t *testing.T) {
	t.Parallel()
	var fail atomic.Bool
	step := func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
		if in != nil && !h.Replaying() && fail.CompareAndSwap(true, false) {
			return errors.New("a store read failed")
		}
		return echo(ctx, h, in)
	}
	h := newHub(t, step, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	m, created, err := h.Send(context.Background(), alice, runtime.SendRequest{SessionID: sub.Session.ID, Content: "hi"})
	if err != nil || !created || m.Seq == 0 {
		t.Fatalf("Send: %+v, created %v, err %v; want it stored", m, created, err)
	}
	expectMessage(t, sub, runtime.SenderUser, "hi")
	for e := nextEvent(t, sub); ; e = nextEvent(t, sub) {
		if e.Type == runtime.EventMessage {
			if e.Message.Content != "echo: hi" {
				t.Fatalf("published %s; want the answer to hi", describe(e))
			}
			break
		}
	}
}

// anotherNodesMessage stores a user message of sid as another node would:
// in the store, and nowhere in h.
func anotherNodesMessage(t *testing.T, h *testHub, sid runtime.SessionID, content string) {
	t.Helper()
	m := &runtime.Message{SessionID: sid, Sender: runtime.SenderUser, SenderID: alice.UserID, SenderName: alice.Name, Content: content}
	if _, err := h.store.AppendMessage(context.Background(), m); err != nil {
		t.Error(err)
	}
}

// A user message another node stored while the dialog sat parked, which
// this node has not heard of yet, comes before the one offered now: the
// store refuses the turn (ErrInputBehind), the offered message is stored
// on its own after the other, both are published in seq order, and the
// dialog, rebuilt, answers them in that order.
func TestOfferedBehindAnotherNodesMessage(t *testing.T) {
	t.Parallel()
	h, st := newWriteHub(t, echo)
	sub := parkedConversation(t, h)
	anotherNodesMessage(t, h, sub.Session.ID, "elsewhere")
	inputs, appends := st.inputs.Load(), st.appends.Load()

	m := h.send(t, alice, sub.Session.ID, "mine")
	other := expectMessage(t, sub, runtime.SenderUser, "elsewhere")
	got := expectMessage(t, sub, runtime.SenderUser, "mine")
	expectMessage(t, sub, runtime.SenderBot, "echo: elsewhere")
	expectMessage(t, sub, runtime.SenderBot, "echo: mine")
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.Seq != m.Seq || m.Seq != other.Seq+1 {
		t.Fatalf("seqs: other node's %d, mine %d (acknowledged %d); want mine right after", other.Seq, got.Seq, m.Seq)
	}
	if in, n := st.inputs.Load()-inputs, st.appends.Load()-appends; in != 1 || n != 1 {
		t.Fatalf("%d commits with an input, %d appends; want the refused turn, then the message stored alone", in, n)
	}
	s, heard := heardSeqs(t, h, sub.Session.ID)
	if n := len(heard); n < 2 || heard[n-2] != other.Seq || heard[n-1] != m.Seq || s.ConsumedSeq != m.Seq {
		t.Fatalf("HEAR entries %v, consumed %d; want [… %d %d], %d", heard, s.ConsumedSeq, other.Seq, m.Seq, m.Seq)
	}
	expectQuiet(t, sub)
}

// A slow script's message, stored by its sender on its own, may come
// after a user message another node stored meanwhile: the turn that heard
// it first is not written (nothing of it is published), and the dialog,
// rebuilt, answers both in seq order.
func TestOfferedStoredBehindAnotherNodesMessage(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once atomic.Bool
	var h *testHub
	step := func(ctx context.Context, host runtime.DialogHost, in *runtime.Message) error {
		if in != nil && in.Content == "slow" && !host.Replaying() && once.CompareAndSwap(false, true) {
			anotherNodesMessage(t, h, in.SessionID, "elsewhere") // while the script runs
			<-release
		}
		return echo(ctx, host, in)
	}
	h, st := newWriteHub(t, step)
	sub := parkedConversation(t, h)
	inputs := st.inputs.Load()

	slow := h.send(t, alice, sub.Session.ID, "slow") // stored by the sender after flushAfter
	other := expectMessage(t, sub, runtime.SenderUser, "elsewhere")
	expectMessage(t, sub, runtime.SenderUser, "slow")
	if slow.Seq != other.Seq+1 {
		t.Fatalf("seqs: other node's %d, slow %d; want slow right after", other.Seq, slow.Seq)
	}
	close(release)
	expectMessage(t, sub, runtime.SenderBot, "echo: elsewhere")
	expectMessage(t, sub, runtime.SenderBot, "echo: slow")
	if err := sub.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := st.inputs.Load() - inputs; n != 0 {
		t.Fatalf("%d commits carried an input; the sender stored it", n)
	}
	s, heard := heardSeqs(t, h, sub.Session.ID)
	if n := len(heard); n < 2 || heard[n-2] != other.Seq || heard[n-1] != slow.Seq || s.ConsumedSeq != slow.Seq {
		t.Fatalf("HEAR entries %v, consumed %d; want [… %d %d], %d", heard, s.ConsumedSeq, other.Seq, slow.Seq, slow.Seq)
	}
	expectQuiet(t, sub)
}
