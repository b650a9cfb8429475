package runtime_test

import (
	"context"
	"errors"
	"sync"
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
func storedConversation(t *testing.T, store *racingStore) runtime.SessionID {
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
