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
	_, err := s.sock.follow(ctx, sid, after)
	return err
}

// follow subscribes the socket to sid, through the access rule.
func (k *socket) follow(ctx context.Context, sid SessionID, after int64) (*Subscription, error) {
	h, id := k.hub, k.id
	if id.Anonymous {
		return nil, Errorf(KindForbidden, "anonymous visitors follow only their own conversation")
	}
	if k.followsSession(sid) {
		// Checked again as it subscribes; here it costs no lookup.
		return nil, Errorf(KindInvalid, "this socket already follows conversation %s", sid)
	}
	sess, err := h.session(ctx, sid)
	if err != nil {
		return nil, err
	}
	if err := mayAccess(id, sess); err != nil {
		return nil, err
	}
	return h.subscribe(ctx, id, sess, k, after, false)
}

// Leave stops the socket of s following sid (a leave frame), its first
// conversation included. The socket is sent a left status after the last
// event of sid it gets; notifications of sid reach it again.
func (s *Subscription) Leave(sid SessionID) error { return s.sock.leave(sid) }

func (k *socket) leave(sid SessionID) error {
	sub := k.following(sid)
	if sub == nil {
		return Errorf(KindInvalid, "this socket does not follow conversation %s", sid)
	}
	c := sub.conv
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.subs, sub)
	c.roomLocked(false)
	if k.remove(sub) {
		k.offer(&Event{Type: EventStatus, SessionID: sid, Status: StatusLeft})
	}
	return nil
}

// For returns the subscription a client frame is for: that of sid, or
// with sid empty that of the socket's first conversation. A frame naming
// a conversation the socket does not follow is refused: it must join it
// first.
func (s *Subscription) For(sid SessionID) (*Subscription, error) {
	if sid == "" && s.sock.first == nil {
		return nil, Errorf(KindInvalid, "name the conversation this is for")
	}
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
