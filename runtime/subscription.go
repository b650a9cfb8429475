package runtime

import "context"

// Subscription is one socket's subscription to one conversation. The hub
// offers it events without ever blocking: when the socket's queue is full
// the socket is dropped, and the transport closes the connection so that
// the client reconnects and catches up from its last seq. The
// subscriptions of one socket share its queue and its end (socket.go):
// Events, Done, Reason, Offer and Close are the socket's.
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
	// After is, for a conversation the socket joined after it connected
	// (Follow), the seq after which its messages are replayed; -1 for
	// none.
	After int64

	conv   *conv
	sock   *socket
	events chan *Event // sock.events, where the publish loop puts them
}

// Drop reasons.
const (
	ReasonSlow         = "slow_reader"
	ReasonShuttingDown = StatusShuttingDown
	ReasonDeleted      = "conversation_deleted"
	ReasonClosed       = "closed"
)

// Events delivers the events of every conversation the socket follows,
// each conversation's in order.
func (s *Subscription) Events() <-chan *Event { return s.sock.events }

// Done is closed when the socket ends; Reason then says why.
func (s *Subscription) Done() <-chan struct{} { return s.sock.done }

// Notify makes the socket call wake after each event it queues and once
// when it ends (after Reason is set), from whichever goroutine queued or
// ended it: wake must return at once and never call the hub. A transport
// then needs no goroutine parked on Events and Done while the socket is
// idle; it drains them when woken. Events queued before Notify do not
// call wake, so the transport drains once after it. Without Notify
// (the default) Events and Done work as always.
func (s *Subscription) Notify(wake func()) { s.sock.wake.Store(&wake) }

// Reason says why the socket ended (one of the Reason constants).
func (s *Subscription) Reason() string {
	s.sock.mu.Lock()
	defer s.sock.mu.Unlock()
	return s.sock.reason
}

// Offer queues e for this socket alone (for example an error that
// concerns only its own frame). It never blocks; a full queue drops the
// socket.
func (s *Subscription) Offer(e *Event) { s.sock.offer(e) }

// Close ends the socket: every conversation it follows stops sending to
// it.
func (s *Subscription) Close() { s.sock.close() }

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
