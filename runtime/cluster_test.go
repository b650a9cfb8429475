package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/runtime"
	"parley/runtime/runtimetest"
)

// A node's picture of a conversation (its last seq, what its sockets were
// sent) must not be older than the store when a socket joins: the real
// processes are in cmd/parley (cluster and chaos tests); these pin the
// windows down one at a time, with another node played by writes straight
// to the store.

// otherNodes is a runtime.Cluster in which another node runs every dialog
// (Acquire answers 0) and whose wake-ups the test sends by hand.
type otherNodes struct {
	changes chan []runtime.SessionID
	events  chan *runtime.Event
}

func newOtherNodes() *otherNodes {
	return &otherNodes{changes: make(chan []runtime.SessionID), events: make(chan *runtime.Event)}
}

func (o *otherNodes) Acquire(context.Context, runtime.SessionID) (int64, error) { return 0, nil }
func (o *otherNodes) Release(context.Context, runtime.SessionID, int64) error   { return nil }
func (o *otherNodes) Orphans(context.Context) ([]runtime.SessionID, error)      { return nil, nil }
func (o *otherNodes) Changes() <-chan []runtime.SessionID                       { return o.changes }
func (o *otherNodes) Broadcast(*runtime.Event)                                  {}
func (o *otherNodes) Events() <-chan *runtime.Event                             { return o.events }
func (o *otherNodes) SweepEvery() time.Duration                                 { return time.Hour }
func (o *otherNodes) Lock(context.Context, string) (func(), error)              { return func() {}, nil }
func (o *otherNodes) SaveTicket(context.Context, string, runtime.Identity, time.Time) error {
	return errors.New("no tickets here")
}
func (o *otherNodes) RedeemTicket(context.Context, string) (runtime.Identity, bool, error) {
	return runtime.Identity{}, false, nil
}

// racingStore is a MemStore on which another node stores a message right
// after this node has read a session (once, when armed): the write lands
// between the read and the conversation going live, so its wake-up found
// nothing live here to wake.
type racingStore struct {
	*runtimetest.MemStore
	mu    sync.Mutex
	armed *runtime.Message
}

func (s *racingStore) FindSession(ctx context.Context, id runtime.SessionID) (*runtime.Session, error) {
	sess, err := s.MemStore.FindSession(ctx, id)
	s.mu.Lock()
	m := s.armed
	s.armed = nil
	s.mu.Unlock()
	if err == nil && m != nil && m.SessionID == id {
		if _, err := s.MemStore.AppendMessage(ctx, m); err != nil {
			return nil, err
		}
	}
	return sess, err
}

// clusterHub is a hub on racingStore whose dialogs another node runs.
func clusterHub(t *testing.T) (*runtime.Hub, *racingStore) {
	t.Helper()
	store := &racingStore{MemStore: runtimetest.NewMemStore()}
	h := runtime.New(runtime.Config{Store: store, Engine: &fakeEngine{step: echo}, Cluster: newOtherNodes()})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		h.Close(ctx)
	})
	return h, store
}

// storedConversation creates alice's conversation with one message in it,
// as another node would have.
func storedConversation(t *testing.T, store runtime.Store) runtime.SessionID {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	s := &runtime.Session{ID: runtime.SessionID(runtime.NewID()), BotID: "echo", UserID: alice.UserID, UserName: alice.Name,
		Status: runtime.StatusActive, Suggestions: []string{}, CreatedAt: now, LastActivity: now, Run: 1}
	if err := store.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AppendMessage(ctx, &runtime.Message{SessionID: s.ID, Sender: runtime.SenderBot, Content: "hello"}); err != nil {
		t.Fatal(err)
	}
	return s.ID
}

// A conversation that goes live on this node while another node writes to
// it: the message stored between this node's read and the conversation
// going live is part of what a joining socket is told (last_seq) and
// replayed, not lost between the replay and live delivery.
func TestJoinWhileAnotherNodeWrites(t *testing.T) {
	h, store := clusterHub(t)
	sid := storedConversation(t, store)
	store.mu.Lock()
	store.armed = &runtime.Message{SessionID: sid, Sender: runtime.SenderBot, Content: "stored by the other node"}
	store.mu.Unlock()

	sub, err := h.Join(context.Background(), alice, runtime.JoinRequest{SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if sub.Session.LastSeq != 2 {
		t.Fatalf("the joining socket's last seq is %d; the store has 2", sub.Session.LastSeq)
	}
	var replayed []string
	if err := sub.Backlog(context.Background(), 0, func(m *runtime.Message) error {
		replayed = append(replayed, m.Content)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(replayed) != 2 || replayed[1] != "stored by the other node" {
		t.Fatalf("replayed %q; want both stored messages", replayed)
	}
	expectQuiet(t, sub)
}

// A socket joining a conversation that is live here, while the wake-up
// for another node's newest message has not arrived yet: its snapshot is
// read from the store, so it is not behind what that node's sockets were
// already sent, and the socket already there gets the message live once.
func TestJoinBeforeTheWakeUp(t *testing.T) {
	h, store := clusterHub(t)
	sid := storedConversation(t, store)
	first, err := h.Join(context.Background(), alice, runtime.JoinRequest{SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if first.Session.LastSeq != 1 {
		t.Fatalf("last seq %d; want 1", first.Session.LastSeq)
	}
	// The other node stores a message; its wake-up is still on its way.
	if _, err := store.MemStore.AppendMessage(context.Background(), &runtime.Message{SessionID: sid, Sender: runtime.SenderBot, Content: "in flight"}); err != nil {
		t.Fatal(err)
	}

	second, err := h.Join(context.Background(), alice, runtime.JoinRequest{SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.Session.LastSeq != 2 {
		t.Fatalf("a socket joining after the other node stored seq 2 was told last seq %d", second.Session.LastSeq)
	}
	expectMessage(t, first, runtime.SenderBot, "in flight")
	expectQuiet(t, first)
	expectQuiet(t, second)
}

// countingStore is a MemStore that counts the reads a catch-up may make.
type countingStore struct {
	*runtimetest.MemStore
	sessions, messages, since atomic.Int64
}

func (s *countingStore) FindSession(ctx context.Context, id runtime.SessionID) (*runtime.Session, error) {
	s.sessions.Add(1)
	return s.MemStore.FindSession(ctx, id)
}

func (s *countingStore) FindMessages(ctx context.Context, f runtime.MessageFilter) ([]*runtime.Message, error) {
	s.messages.Add(1)
	return s.MemStore.FindMessages(ctx, f)
}

func (s *countingStore) FindSince(ctx context.Context, marks []runtime.SeqMark, limit int) ([]*runtime.SessionNews, error) {
	s.since.Add(1)
	return s.MemStore.FindSince(ctx, marks, limit)
}

// One wake-up naming several conversations that another node wrote to:
// this node reads them all at once (one FindSince, where it made two
// reads per conversation), and the socket here of each gets every new
// message once, in seq order, then the suggestions the other node left;
// a conversation with more messages than one read brings reads the rest
// on its own, and one deleted meanwhile ends its socket.
func TestCatchUpOneBatchSeveralConversations(t *testing.T) {
	store := &countingStore{MemStore: runtimetest.NewMemStore()}
	nodes := newOtherNodes()
	h := runtime.New(runtime.Config{Store: store, Engine: &fakeEngine{step: echo}, Cluster: nodes})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		h.Close(ctx)
	})
	ctx := context.Background()
	const convs, long = 4, 60 // long: more than one read brings
	var ids []runtime.SessionID
	var subs []*runtime.Subscription
	for range convs + 1 {
		sid := storedConversation(t, store.MemStore)
		sub, err := h.Join(ctx, alice, runtime.JoinRequest{SessionID: sid})
		if err != nil {
			t.Fatal(err)
		}
		defer sub.Close()
		ids, subs = append(ids, sid), append(subs, sub)
	}
	gone := ids[convs]

	// The other node: a few messages in each, many in the first, the
	// user's among them; suggestions in the last; one conversation deleted.
	want := make([][]*runtime.Message, convs)
	for i, sid := range ids[:convs] {
		n := 2 + i
		if i == 0 {
			n = long
		}
		for k := range n {
			m := &runtime.Message{SessionID: sid, Sender: runtime.SenderBot, Content: fmt.Sprintf("c%d m%d", i, k)}
			if k%3 == 1 {
				m.Sender = runtime.SenderUser
			}
			if _, err := store.MemStore.AppendMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
			want[i] = append(want[i], m)
		}
	}
	sugg := []string{"yes", "no"}
	if _, err := store.MemStore.UpdateSession(ctx, ids[convs-1], runtime.SessionUpdate{Suggestions: &sugg}); err != nil {
		t.Fatal(err)
	}
	if err := store.MemStore.DeleteSession(ctx, gone); err != nil {
		t.Fatal(err)
	}

	store.sessions.Store(0)
	store.messages.Store(0)
	store.since.Store(0)
	nodes.changes <- slices.Concat(ids, ids[:1]) // the first named twice
	for i := range convs {
		for _, m := range want[i] {
			got := expectMessage(t, subs[i], m.Sender, m.Content)
			if got.Seq != m.Seq {
				t.Fatalf("conversation %d: %q has seq %d; want %d", i, m.Content, got.Seq, m.Seq)
			}
		}
	}
	if e := nextEvent(t, subs[convs-1]); e.Type != runtime.EventSuggestion || !slices.Equal(e.Suggestions, sugg) {
		t.Fatalf("after the messages: %s %q; want the suggestions %q", describe(e), e.Suggestions, sugg)
	}
	expectDone(t, subs[convs], runtime.ReasonDeleted)
	for _, sub := range subs[:convs] {
		expectQuiet(t, sub)
	}
	// One read for the batch, and one more for the rest of the long
	// conversation; nothing per conversation.
	if s, m, f := store.sessions.Load(), store.messages.Load(), store.since.Load(); s != 0 || f != 1 || m != 1 {
		t.Errorf("the batch took %d FindSince, %d FindSession, %d FindMessages; want 1, 0, 1", f, s, m)
	}
}
