package runtime

import (
	"context"
	"sync"
)

// Subscription is one subscriber (a socket) of one conversation. The hub
// offers it events without ever blocking: when its queue is full it is
// dropped, and the transport closes the connection so that the client
// reconnects and catches up from its last seq.
type Subscription struct {
	// Session is the conversation as it was when the subscription began:
	// every message with Seq <= Session.LastSeq was published before, every
	// later one will arrive on Events. Session.Suggestions are in force.
	Session *Session
	// ResumeToken is set for anonymous conversations: the token that
	// resumes this conversation after a reload.
	ResumeToken string
	// Identity is who subscribed.
	Identity Identity

	conv   *conv
	events chan *Event

	mu     sync.Mutex
	done   chan struct{}
	reason string // why it ended; set before done is closed
}

// Drop reasons.
const (
	ReasonSlow         = "slow_reader"
	ReasonShuttingDown = StatusShuttingDown
	ReasonDeleted      = "conversation_deleted"
	ReasonClosed       = "closed"
)

func newSubscription(c *conv, id Identity, queue int) *Subscription {
	return &Subscription{
		Identity: id,
		conv:     c,
		events:   make(chan *Event, queue),
		done:     make(chan struct{}),
	}
}

// Events delivers the conversation's events in order.
func (s *Subscription) Events() <-chan *Event { return s.events }

// Done is closed when the subscription ends; Reason then says why.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Reason says why the subscription ended (one of the Reason constants).
func (s *Subscription) Reason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// Offer queues e for this subscriber alone (for example an error that
// concerns only its own frame). It never blocks; a full queue drops the
// subscriber.
func (s *Subscription) Offer(e *Event) {
	select {
	case <-s.done:
	case s.events <- e:
	default:
		s.end(ReasonSlow)
		s.conv.hub.counters.slowDrops.Add(1)
	}
}

// Close ends the subscription; the conversation stops sending to it.
func (s *Subscription) Close() {
	s.end(ReasonClosed)
	s.conv.unsubscribe(s)
}

// Backlog calls fn with every message after seq up to Session.LastSeq, in
// order, reading the store in pages.
func (s *Subscription) Backlog(ctx context.Context, after int64, fn func(*Message) error) error {
	const page = 100
	for after < s.Session.LastSeq {
		msgs, err := s.conv.hub.store.FindMessages(ctx, MessageFilter{
			SessionID: s.Session.ID, AfterSeq: after, BeforeSeq: s.Session.LastSeq + 1, Limit: page,
		})
		if err != nil || len(msgs) == 0 {
			return err
		}
		for _, m := range msgs {
			if err := fn(m); err != nil {
				return err
			}
			after = m.Seq
		}
	}
	return nil
}

// WaitIdle returns once the dialog has answered every message stored so
// far: it waits in HEAR again, or has returned, or waits for people in a
// TRANSFER (the messages are theirs). Terminal and test clients use it to
// know that a turn is over.
func (s *Subscription) WaitIdle(ctx context.Context) error {
	return s.conv.waitIdle(ctx)
}

// end marks the subscription ended once.
func (s *Subscription) end(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
	default:
		s.reason = reason
		close(s.done)
	}
}
