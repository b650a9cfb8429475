package runtime_test

import (
	"fmt"
	"testing"
	"time"

	"parley/runtime"
)

// A subscriber that stops reading is dropped once its queue is full; the
// others of the conversation keep receiving everything, in seq order.
func TestSlowSubscriberDropped(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{QueueSize: 2})
	slow := h.join(t, alice, runtime.JoinRequest{})
	fast := h.join(t, alice, runtime.JoinRequest{SessionID: slow.Session.ID})

	const n = 10
	for i := 1; i <= n; i++ {
		m := h.send(t, alice, slow.Session.ID, fmt.Sprint("m", i))
		got := expectMessage(t, fast, runtime.SenderUser, fmt.Sprint("m", i))
		if got.Seq != int64(i) || got.Seq != m.Seq {
			t.Fatalf("message %d arrived with seq %d (stored as %d)", i, got.Seq, m.Seq)
		}
	}
	expectDone(t, slow, runtime.ReasonSlow)
	for i := 1; i <= 2; i++ { // what fitted in its queue, and nothing after
		expectMessage(t, slow, runtime.SenderUser, fmt.Sprint("m", i))
	}
	expectQuiet(t, slow)
	select {
	case <-fast.Done():
		t.Fatalf("the reading subscriber was dropped too: %s", fast.Reason())
	default:
	}
}

// Offer queues an event for one subscriber and drops it when its queue is
// full; after the end it never blocks.
func TestOfferDropsWhenFull(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{QueueSize: 1})
	sub := h.join(t, alice, runtime.JoinRequest{})
	other := h.join(t, alice, runtime.JoinRequest{SessionID: sub.Session.ID})

	e := &runtime.Event{Type: runtime.EventError, SessionID: sub.Session.ID, Code: runtime.KindInvalid}
	sub.Offer(e)
	if got := nextEvent(t, sub); got != e {
		t.Fatalf("Offer delivered %s, want the offered event", describe(got))
	}
	expectQuiet(t, other) // Offer is for one subscriber only
	sub.Offer(e)
	sub.Offer(e) // queue full
	expectDone(t, sub, runtime.ReasonSlow)
	sub.Offer(e) // ended with a full queue: must not block
	nextEvent(t, sub)
	expectQuiet(t, sub)
}

// Close ends a subscription; the conversation stops sending to it.
func TestSubscriptionClose(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	sub.Close()
	expectDone(t, sub, runtime.ReasonClosed)
	h.send(t, alice, sub.Session.ID, "after close")
	expectQuiet(t, sub)
	sub.Close() // twice is harmless
	if sub.Reason() != runtime.ReasonClosed {
		t.Fatalf("Reason() changed to %q", sub.Reason())
	}
}

// Notify's waker runs after each event is queued for the socket, whether
// the conversation published it or the transport offered it, and once
// when the socket ends, after Reason is set: a transport that parks no
// goroutine on Events and Done learns of both.
func TestNotify(t *testing.T) {
	t.Parallel()
	h := newHub(t, silent, runtime.Config{})
	sub := h.join(t, alice, runtime.JoinRequest{})
	type wake struct {
		queued int
		done   bool
	}
	wakes := make(chan wake, 8)
	sub.Notify(func() {
		w := wake{queued: len(sub.Events())}
		select {
		case <-sub.Done():
			w.done = true
		default:
		}
		wakes <- w
	})
	next := func() wake {
		t.Helper()
		select {
		case w := <-wakes:
			return w
		case <-time.After(waitFor):
			t.Fatal("the waker was not called")
			return wake{}
		}
	}

	h.send(t, alice, sub.Session.ID, "published")
	if w := next(); w.queued != 1 || w.done {
		t.Fatalf("after a publish the waker saw %+v, want one event queued", w)
	}
	expectMessage(t, sub, runtime.SenderUser, "published")

	sub.Offer(runtime.ErrorEvent(sub.Session.ID, runtime.Errorf(runtime.KindInvalid, "x"), ""))
	if w := next(); w.queued != 1 || w.done {
		t.Fatalf("after Offer the waker saw %+v, want one event queued", w)
	}
	nextEvent(t, sub)

	sub.Close()
	if w := next(); !w.done {
		t.Fatalf("after Close the waker saw %+v, want the socket ended", w)
	}
	sub.Close() // the socket ends once
	select {
	case w := <-wakes:
		t.Fatalf("the waker ran for a second Close: %+v", w)
	default:
	}
}
