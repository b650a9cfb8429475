package runtime

import "context"

// A Socket is a runtime socket that connects to no conversation: it
// follows the conversations it joins, one by one, and none at first. The
// Socket.IO transport (package supportapp) is made of these, because a
// Socket.IO client connects first and joins conversation rooms after.
// Everything else is a socket's as /ws has it (socket.go): one bounded
// queue shared by its subscriptions, dropped once when it falls behind,
// presence while it is open, notifications of the conversations of its
// user that it does not follow.
type Socket struct{ k *socket }

// OpenSocket opens a socket of id that follows nothing yet. Its user
// counts as online (presence.go) until Close. Anonymous visitors have no
// conversation to name before they connect, so they cannot open one.
func (h *Hub) OpenSocket(ctx context.Context, id Identity) (*Socket, error) {
	if id.Anonymous || id.UserID == "" {
		return nil, Errorf(KindUnauthorized, "a socket without a conversation needs a logged-in user")
	}
	if err := h.store.UpsertUser(ctx, id); err != nil {
		return nil, err
	}
	k := newSocket(h, id)
	h.register(k)
	h.arrive(k)
	return &Socket{k: k}, nil
}

// Events delivers the events of every conversation the socket follows,
// each conversation's in order, and its notifications and errors.
func (s *Socket) Events() <-chan *Event { return s.k.events }

// Done is closed when the socket ends; Reason then says why.
func (s *Socket) Done() <-chan struct{} { return s.k.done }

// Reason says why the socket ended (one of the Reason constants).
func (s *Socket) Reason() string {
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	return s.k.reason
}

// Offer queues e for this socket alone; a full queue drops the socket.
func (s *Socket) Offer(e *Event) { s.k.offer(e) }

// Close ends the socket: every conversation it follows stops sending to
// it, and its user may go offline. Twice is harmless.
func (s *Socket) Close() { s.k.close() }

// Follow makes the socket follow sid, as Subscription.Follow does (the
// access rule decides), and returns the new subscription; its connected
// status comes first in the queue, before any live event of sid.
func (s *Socket) Follow(ctx context.Context, sid SessionID, after int64) (*Subscription, error) {
	return s.k.follow(ctx, sid, after)
}

// Leave stops the socket following sid; a left status comes after the
// last event of sid.
func (s *Socket) Leave(sid SessionID) error { return s.k.leave(sid) }

// Following returns the subscription of sid, nil when the socket does
// not follow it.
func (s *Socket) Following(sid SessionID) *Subscription { return s.k.following(sid) }

// MarkReadMessage is Hub.MarkRead up to message msgID of sid, for
// clients that know messages by id rather than by seq.
func (h *Hub) MarkReadMessage(ctx context.Context, id Identity, sid SessionID, msgID string) (mark int64, err error) {
	if msgID == "" {
		return 0, Errorf(KindInvalid, "name the message read")
	}
	if _, err := h.accessible(ctx, id, sid); err != nil {
		return 0, err
	}
	seq, err := h.seqOf(ctx, sid, msgID)
	if err != nil {
		return 0, err
	}
	return h.MarkRead(ctx, id, sid, seq)
}

// MessageAt returns the message of the subscription's conversation
// with seq, to name the message a read receipt (which carries a seq)
// is about.
func (s *Subscription) MessageAt(ctx context.Context, seq int64) (*Message, error) {
	msgs, err := s.conv.hub.store.FindMessages(ctx, MessageFilter{SessionID: s.Session.ID, AfterSeq: seq - 1, BeforeSeq: seq + 1, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, Errorf(KindNotFound, "conversation %s has no message %d", s.Session.ID, seq)
	}
	return msgs[0], nil
}
