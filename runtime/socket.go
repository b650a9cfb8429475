package runtime

import (
	"sync"
	"sync/atomic"
)

// A socket is what the subscriptions of one connection share: one queue
// of events and one end. It follows the conversation it connected to
// (first, the subscription the transport holds) and may follow more
// (follow.go). Each conversation it follows has a subscription of its own
// among that conversation's subscribers, and all of them write to the same
// queue, so the transport drains one channel in publish order, and a
// socket that reads too slowly is dropped once, whichever conversation
// filled its queue. A socket of one conversation costs a struct more than
// a subscription did before sockets could follow several, and nothing more
// per event.
type socket struct {
	hub    *Hub
	id     Identity
	events chan *Event
	first  *Subscription

	// The conversations it follows now: its first unless it left it, and
	// those it joined (nil until it joins one, so that a socket of one
	// conversation costs no map).
	mu      sync.Mutex
	onFirst bool
	joined  map[SessionID]*Subscription
	closed  bool // Close ran: it follows nothing more
	done    chan struct{}
	reason  string // why it ended; set before done is closed

	present bool // counted online (presence.go); under hub.reg.mu

	// wake, when set (Subscription.Notify), is called after an event is
	// queued and once the socket ends, so that a transport need not keep
	// a goroutine waiting on events and done while the socket is idle.
	wake atomic.Pointer[func()]
}

func newSocket(h *Hub, id Identity) *socket {
	return &socket{
		hub: h, id: id,
		events: make(chan *Event, h.cfg.QueueSize),
		done:   make(chan struct{}),
	}
}

// offer queues e without blocking, unless the socket has ended; a full
// queue ends the socket. It reports whether e was queued.
func (k *socket) offer(e *Event) bool {
	select {
	case <-k.done:
		return false
	default:
		return k.enqueue(e.SessionID, e)
	}
}

// enqueue queues e, an event of sid, without blocking and wakes the
// transport; a full queue ends the socket as slow, and enqueue reports
// false. Every event reaches a socket's queue here.
func (k *socket) enqueue(sid SessionID, e *Event) bool {
	select {
	case k.events <- e:
		k.notify()
		return true
	default:
		k.dropSlow(sid)
		return false
	}
}

// dropSlow ends a socket whose queue is full, and counts it once.
func (k *socket) dropSlow(sid SessionID) {
	if k.end(ReasonSlow) {
		k.hub.counters.slowDrops.Add(1)
		k.hub.log.Info("dropped slow subscriber", "session", sid)
	}
}

// end marks the socket ended, once; it reports whether this call did.
func (k *socket) end(reason string) bool {
	k.mu.Lock()
	select {
	case <-k.done:
		k.mu.Unlock()
		return false
	default:
		k.reason = reason
		close(k.done)
	}
	k.mu.Unlock()
	k.notify()
	return true
}

// notify calls the waker, if any, after an event was queued or the
// socket ended. It is called under locks of the hub (a conversation's
// mu), so the waker must not block.
func (k *socket) notify() {
	if f := k.wake.Load(); f != nil {
		(*f)()
	}
}

// following returns the subscription of sid, nil when the socket does not
// follow it.
func (k *socket) following(sid SessionID) *Subscription {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.followingLocked(sid)
}

func (k *socket) followingLocked(sid SessionID) *Subscription {
	if k.onFirst && k.first.conv.id == sid {
		return k.first
	}
	return k.joined[sid]
}

// followsSession reports whether the socket follows sid: notifications
// of sid skip it.
func (k *socket) followsSession(sid SessionID) bool { return k.following(sid) != nil }

// add records that the socket follows sub's conversation too, within the
// bound; the caller holds that conversation's mu.
func (k *socket) add(sub *Subscription) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	sid := sub.conv.id
	n := len(k.joined)
	if k.onFirst {
		n++
	}
	switch {
	case k.closed:
		return Errorf(KindUnavailable, "the socket is closing")
	case k.followingLocked(sid) != nil:
		return Errorf(KindInvalid, "this socket already follows conversation %s", sid)
	case n >= MaxFollows:
		return Errorf(KindTooMany, "a socket follows at most %d conversations; leave one first", MaxFollows)
	}
	if k.joined == nil {
		k.joined = make(map[SessionID]*Subscription)
	}
	k.joined[sid] = sub
	return nil
}

// remove forgets sub; it reports whether the socket still followed it.
func (k *socket) remove(sub *Subscription) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.followingLocked(sub.conv.id) != sub {
		return false
	}
	if sub == k.first {
		k.onFirst = false
	} else {
		delete(k.joined, sub.conv.id)
	}
	return true
}

// close ends the socket and unsubscribes it from every conversation it
// follows, then takes it off the hub's registry, where its user may go
// offline (presence.go). Twice is harmless.
func (k *socket) close() {
	k.end(ReasonClosed)
	k.mu.Lock()
	if k.closed {
		k.mu.Unlock()
		return
	}
	k.closed = true
	subs := make([]*Subscription, 0, 1+len(k.joined))
	if k.onFirst {
		subs = append(subs, k.first)
	}
	for _, sub := range k.joined {
		subs = append(subs, sub)
	}
	k.onFirst, k.joined = false, nil
	k.mu.Unlock()
	for _, sub := range subs {
		sub.conv.unsubscribe(sub)
	}
	k.hub.unregister(k)
}
