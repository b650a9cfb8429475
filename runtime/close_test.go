package runtime_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"parley/runtime"
)

// blocker is a dialog whose steps wait for release (or cancellation) and
// record what they finished.
type blocker struct {
	started chan string // each user input as its step begins
	release chan struct{}

	mu   sync.Mutex
	done []string
}

func newBlocker() *blocker {
	return &blocker{started: make(chan string, 100), release: make(chan struct{})}
}

func (b *blocker) step(ctx context.Context, h runtime.DialogHost, in *runtime.Message) error {
	if in == nil {
		return nil
	}
	b.started <- in.Content
	select {
	case <-b.release:
		b.record(in.Content)
		return nil
	case <-ctx.Done():
		b.record("cancelled " + in.Content)
		return ctx.Err()
	}
}

func (b *blocker) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = append(b.done, s)
}

func (b *blocker) finished() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.done)
}

func (b *blocker) waitStarted(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-b.started:
		if got != want {
			t.Fatalf("step started with %q, want %q", got, want)
		}
	case <-time.After(waitFor):
		t.Fatalf("no step started within %v", waitFor)
	}
}

// Close tells every subscriber the server is shutting down and ends it,
// lets dialogs finish the inputs already stored, and then returns.
func TestCloseDrains(t *testing.T) {
	t.Parallel()
	b := newBlocker()
	h := newHub(t, b.step, runtime.Config{})
	a1 := h.join(t, alice, runtime.JoinRequest{})
	a2 := h.join(t, alice, runtime.JoinRequest{SessionID: a1.Session.ID})
	other := h.join(t, bob, runtime.JoinRequest{})
	for _, m := range []string{"m1", "m2", "m3"} {
		h.send(t, alice, a1.Session.ID, m)
	}
	b.waitStarted(t, "m1")

	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		closed <- h.Close(ctx)
	}()
	for _, sub := range []*runtime.Subscription{a1, a2, other} {
		e := nextEvent(t, sub)
		for e.Type == runtime.EventMessage {
			e = nextEvent(t, sub)
		}
		if e.Type != runtime.EventStatus || e.Status != runtime.StatusShuttingDown || e.SessionID != sub.Session.ID {
			t.Fatalf("event = %+v, want status shutting_down", e)
		}
		expectDone(t, sub, runtime.ReasonShuttingDown)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a dialog was still running", err)
	default:
	}
	close(b.release)
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close = %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Close did not return")
	}
	if got := b.finished(); !slices.Equal(got, []string{"m1", "m2", "m3"}) {
		t.Fatalf("dialog finished %v, want [m1 m2 m3]", got)
	}
}

// At the deadline Close cancels the dialogs, skips what is still queued
// and returns the context's error.
func TestCloseDeadlineCancelsDialogs(t *testing.T) {
	t.Parallel()
	b := newBlocker()
	h := newHub(t, b.step, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	h.send(t, alice, sub.Session.ID, "m1")
	h.send(t, alice, sub.Session.ID, "m2")
	b.waitStarted(t, "m1")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := h.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want the deadline", err)
	}
	if got := b.finished(); !slices.Equal(got, []string{"cancelled m1"}) {
		t.Fatalf("dialog finished %v, want [cancelled m1]", got)
	}
}

// A closed hub refuses new work: no new conversation, no new user message
// (which no dialog would ever answer).
func TestClosedHubRefusesWork(t *testing.T) {
	t.Parallel()
	h := newHub(t, echo, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	sid := sub.Session.ID
	if err := h.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err := h.Join(ctx, bob, runtime.JoinRequest{})
	expectKind(t, err, runtime.KindUnavailable)
	_, err = h.StartConversation(ctx, bob, "echo", "")
	expectKind(t, err, runtime.KindUnavailable)
	_, _, err = h.Send(ctx, alice, runtime.SendRequest{SessionID: sid, Content: "too late"})
	expectKind(t, err, runtime.KindUnavailable)
	_, _, err = sub.Send(ctx, runtime.SendRequest{Content: "too late"})
	expectKind(t, err, runtime.KindUnavailable)
	if n := len(h.stored(t, sid)); n != 0 {
		t.Fatalf("%d messages stored after Close", n)
	}
}
