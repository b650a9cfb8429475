package runtime_test

import (
	"fmt"
	"testing"

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
