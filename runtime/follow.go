package runtime

import "context"

// One socket may follow several conversations (docs/support.md,
// "Following several conversations"): an agent's console, or an app that
// shows a user's conversations side by side. It connects to one, its
// first, and joins and leaves others with frames. Each conversation it
// follows is a subscription of its own (its snapshot, its after= replay,
// its place among the conversation's subscribers) on the socket's one
// queue (socket.go), and the access rule decides each join as it decides
// a connect.

// MaxFollows bounds the conversations one socket follows at once, its
// first included: a socket costs a subscription in each, and a client
// that wants more opens another socket.
const MaxFollows = 50

// Follow makes the socket of s follow conversation sid as well (a join
// frame). The socket gets what a new socket of sid gets, in its queue
// before any live event of sid: a connected status whose Follow is the
// new subscription (the transport writes the connected frame, the
// messages after `after` when it is not negative, and the suggestions in
// force, as it does for a new socket), then the presence of the people of
// sid who are online, then live events. Anonymous visitors follow only
// their own conversation.
func (s *Subscription) Follow(ctx context.Context, sid SessionID, after int64) error {
	h, id := s.conv.hub, s.Identity
	if id.Anonymous {
		return Errorf(KindForbidden, "anonymous visitors follow only their own conversation")
	}
	if s.sock.followsSession(sid) {
		// Checked again as it subscribes; here it costs no lookup.
		return Errorf(KindInvalid, "this socket already follows conversation %s", sid)
	}
	sess, err := h.session(ctx, sid)
	if err != nil {
		return err
	}
	if err := mayAccess(id, sess); err != nil {
		return err
	}
	_, err = h.subscribe(ctx, id, sess, s.sock, after, false)
	return err
}

// Leave stops the socket of s following sid (a leave frame), its first
// conversation included. The socket is sent a left status after the last
// event of sid it gets; notifications of sid reach it again.
func (s *Subscription) Leave(sid SessionID) error {
	sub := s.sock.following(sid)
	if sub == nil {
		return Errorf(KindInvalid, "this socket does not follow conversation %s", sid)
	}
	c := sub.conv
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, sub)
	c.roomLocked(false)
	if sub.sock.remove(sub) {
		sub.sock.offer(&Event{Type: EventStatus, SessionID: sid, Status: StatusLeft})
	}
	return nil
}

// For returns the subscription a client frame is for: that of sid, or
// with sid empty that of the socket's first conversation. A frame naming
// a conversation the socket does not follow is refused: it must join it
// first.
func (s *Subscription) For(sid SessionID) (*Subscription, error) {
	if sid == "" {
		first := s.sock.first.Session.ID
		if sub := s.sock.following(first); sub != nil {
			return sub, nil
		}
		return nil, Errorf(KindInvalid, "this socket left conversation %s; name the session_id of one it follows", first)
	}
	if sub := s.sock.following(sid); sub != nil {
		return sub, nil
	}
	return nil, Errorf(KindForbidden, "this socket does not follow conversation %s; join it first", sid)
}
