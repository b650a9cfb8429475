package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/outbound"
	"parley/runtime"
	"parley/runtime/runtimetest"
)

// The callers of these tests.
var (
	alice = runtime.Identity{UserID: "alice", Name: "Alice", Role: runtime.RoleUser, IP: "10.0.0.1"}
	bob   = runtime.Identity{UserID: "bob", Name: "Bob", Role: runtime.RoleUser, IP: "10.0.0.2"}
	admin = runtime.Identity{UserID: "root", Name: "Root", Role: runtime.RoleAdmin, IP: "10.0.0.3"}
	anon  = runtime.Identity{Anonymous: true, IP: "10.0.0.9"}
)

// waitFor bounds every wait on a channel; nothing in these tests should
// come close to it.
const waitFor = 5 * time.Second

// stepFunc is one turn of a fake dialog: in is nil when the conversation
// starts, else the user message.
type stepFunc func(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error

// silent never answers.
func silent(context.Context, runtime.DialogHost, *runtime.Message) error { return nil }

// echo answers every user message with "echo: " and its content.
func echo(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	if in == nil {
		return nil
	}
	return h.Talk(ctx, "echo: "+in.Content)
}

// fakeEngine is a runtime.DialogEngine with two bots, "echo" (the default)
// and "other"; every dialog runs step and counts its calls.
type fakeEngine struct {
	step      stepFunc
	newErr    error    // NewDialog fails with it when set
	httpAllow []string // both bots' http_allow; set before the hub runs
	steps     atomic.Int64
}

var _ runtime.DialogEngine = (*fakeEngine)(nil)

func (e *fakeEngine) Bots() []*runtime.Bot {
	return []*runtime.Bot{
		{ID: "echo", Name: "Echo", Description: "says it back", Default: true, HTTPAllow: e.httpAllow},
		{ID: "other", Name: "Other", Description: "for users only", HTTPAllow: e.httpAllow},
	}
}

func (e *fakeEngine) Script(bot runtime.BotID) (*runtime.Script, error) {
	return &runtime.Script{Bot: bot, Version: "v1", Source: "-- fake"}, nil
}

func (e *fakeEngine) NewDialog(s *runtime.Session, sc *runtime.Script, h runtime.DialogHost) (runtime.Dialog, error) {
	if e.newErr != nil {
		return nil, e.newErr
	}
	return &fakeDialog{e: e, host: h}, nil
}

type fakeDialog struct {
	e    *fakeEngine
	host runtime.DialogHost
}

// Step never ends the run: like a script looping over HEAR, unless the
// step fails.
func (d *fakeDialog) Step(ctx context.Context, in *runtime.Message) (bool, error) {
	d.e.steps.Add(1)
	err := d.e.step(ctx, d.host, in)
	return err != nil, err
}

func (d *fakeDialog) Close() {}

// testHub is a Hub over a MemStore with its engine at hand.
type testHub struct {
	*runtime.Hub
	store  *runtimetest.MemStore
	engine *fakeEngine
	cfg    runtime.Config // what the hub was made with
}

// newHub starts a hub whose dialogs run step; cfg's Store and Engine are
// filled in, and its HTTP is the real one (package outbound) unless cfg
// has one. The hub is closed when the test ends.
func newHub(t *testing.T, step stepFunc, cfg runtime.Config) *testHub {
	t.Helper()
	store := runtimetest.NewMemStore()
	if cfg.Now != nil {
		store.Now = cfg.Now
	}
	eng := &fakeEngine{step: step}
	cfg.Store, cfg.Engine = store, eng
	if cfg.HTTP == nil {
		cfg.HTTP = outbound.Client{}
	}
	h := runtime.New(cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		h.Close(ctx)
	})
	return &testHub{Hub: h, store: store, engine: eng, cfg: cfg}
}

// join subscribes id, failing the test on error.
func (h *testHub) join(t *testing.T, id runtime.Identity, req runtime.JoinRequest) *runtime.Subscription {
	t.Helper()
	sub, err := h.Join(context.Background(), id, req)
	if err != nil {
		t.Fatalf("Join(%+v, %+v): %v", id, req, err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// send stores a user message through the hub, failing the test on error.
func (h *testHub) send(t *testing.T, id runtime.Identity, sid runtime.SessionID, content string) *runtime.Message {
	t.Helper()
	m, _, err := h.Send(context.Background(), id, runtime.SendRequest{SessionID: sid, Content: content})
	if err != nil {
		t.Fatalf("Send(%q): %v", content, err)
	}
	return m
}

// stored returns every stored message of a conversation.
func (h *testHub) stored(t *testing.T, sid runtime.SessionID) []*runtime.Message {
	t.Helper()
	msgs, err := h.store.FindMessages(context.Background(), runtime.MessageFilter{SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// nextEvent returns the subscriber's next event, failing after waitFor.
func nextEvent(t *testing.T, sub *runtime.Subscription) *runtime.Event {
	t.Helper()
	select {
	case e := <-sub.Events():
		return e
	case <-time.After(waitFor):
		t.Fatalf("no event within %v", waitFor)
		return nil
	}
}

// expectMessage waits for the next event and checks it is a message from
// sender with content.
func expectMessage(t *testing.T, sub *runtime.Subscription, sender runtime.Sender, content string) *runtime.Message {
	t.Helper()
	e := nextEvent(t, sub)
	if e.Type != runtime.EventMessage || e.Message.Sender != sender || e.Message.Content != content {
		t.Fatalf("event = %s, want %s message %q", describe(e), sender, content)
	}
	return e.Message
}

// expectQuiet checks that nothing is queued for sub. Publishing is
// synchronous, so once the call that would have published returned, its
// event would already be queued.
func expectQuiet(t *testing.T, sub *runtime.Subscription) {
	t.Helper()
	select {
	case e := <-sub.Events():
		t.Fatalf("unexpected event %s", describe(e))
	default:
	}
}

// expectDone waits for sub to end and checks why.
func expectDone(t *testing.T, sub *runtime.Subscription, reason string) {
	t.Helper()
	select {
	case <-sub.Done():
	case <-time.After(waitFor):
		t.Fatalf("subscription did not end within %v", waitFor)
	}
	if got := sub.Reason(); got != reason {
		t.Fatalf("Reason() = %q, want %q", got, reason)
	}
}

func describe(e *runtime.Event) string {
	switch e.Type {
	case runtime.EventMessage:
		return string(e.Type) + " " + string(e.Message.Sender) + " " + e.Message.Content
	case runtime.EventError:
		return string(e.Type) + " " + string(e.Code) + " " + e.Text
	case runtime.EventStatus:
		return string(e.Type) + " " + e.Status
	case runtime.EventPresence:
		return fmt.Sprintf("presence %s online %v", e.User, e.Online)
	}
	return string(e.Type)
}

// expectEvents checks sub's next events, each as describe has it.
func expectEvents(t *testing.T, sub *runtime.Subscription, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := describe(nextEvent(t, sub)); got != w {
			t.Fatalf("event %q, want %q", got, w)
		}
	}
}

// expectKind fails the test unless err is an *runtime.Error of kind k.
func expectKind(t *testing.T, err error, k runtime.Kind) {
	t.Helper()
	if !runtime.IsKind(err, k) {
		t.Fatalf("err = %v, want kind %s", err, k)
	}
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
