package runtime

import (
	"context"
	"time"
)

// The people of a conversation see each other typing and reading
// (docs/support.md, "Typing and read receipts"). Neither is a row: both
// are events published here and broadcast to the other nodes, and each
// person's own sockets do not get them (Event.User). An anonymous
// visitor is alone in their conversation, so nobody is told of theirs.
//
// Typing costs one timer per person typing in a conversation, on the
// node of the socket they type on. Only changes are published: a refresh
// moves the deadline without a frame, and the timer publishes
// active:false when the deadline passes (Config.TypingExpiry), unless
// the person stopped or sent a message first.

// typist is a person typing in a conversation.
type typist struct {
	sender   Sender
	name     string    // their display name, for the event
	deadline time.Time // monotonic, as the timer
	timer    *time.Timer
}

// Typing shows (active) or ends the caller's typing indicator to the
// conversation's other sockets. sid, when set, must name the socket's
// conversation.
func (s *Subscription) Typing(sid SessionID, active bool) error {
	if sid != "" && sid != s.Session.ID {
		return Errorf(KindForbidden, "this socket belongs to conversation %s", s.Session.ID)
	}
	s.conv.typing(s.Identity, active)
	return nil
}

// typing sets id's typing indicator and publishes the change, if any.
func (c *conv) typing(id Identity, active bool) {
	if id.Anonymous || id.UserID == "" {
		return
	}
	c.mu.Lock()
	e := c.setTypingLocked(id, active)
	c.mu.Unlock()
	c.broadcast(e)
}

// setTypingLocked records id's typing and returns the event it published,
// nil when nothing changed.
func (c *conv) setTypingLocked(id Identity, active bool) *Event {
	expiry := c.hub.cfg.TypingExpiry
	t := c.typists[id.UserID]
	switch {
	case active && t != nil:
		t.deadline = time.Now().Add(expiry) // the timer sees it when it fires
		return nil
	case active:
		sender, name := authorOf(id, c.session)
		t = &typist{sender: sender, name: name, deadline: time.Now().Add(expiry)}
		t.timer = time.AfterFunc(expiry, func() { c.expireTyping(id.UserID, t) })
		if c.typists == nil {
			c.typists = make(map[string]*typist)
		}
		c.typists[id.UserID] = t
	case t == nil:
		return nil
	default:
		t.timer.Stop()
		delete(c.typists, id.UserID)
	}
	e := &Event{Type: EventTyping, SessionID: c.id, Sender: t.sender, User: id.UserID, Name: t.name, Active: active}
	c.publishLocked(e)
	return e
}

// expireTyping ends t's indicator when its deadline has passed, or waits
// for the deadline a refresh moved.
func (c *conv) expireTyping(user string, t *typist) {
	c.mu.Lock()
	if c.typists[user] != t {
		c.mu.Unlock()
		return // stopped meanwhile
	}
	if wait := time.Until(t.deadline); wait > 0 {
		t.timer.Reset(wait)
		c.mu.Unlock()
		return
	}
	delete(c.typists, user)
	e := &Event{Type: EventTyping, SessionID: c.id, Sender: t.sender, User: user, Name: t.name, Active: false}
	c.publishLocked(e)
	c.mu.Unlock()
	c.broadcast(e)
}

// MarkRead records that the caller has read conversation sid up to seq
// and tells its other sockets; it returns the caller's read mark.
func (h *Hub) MarkRead(ctx context.Context, id Identity, sid SessionID, seq int64) (mark int64, err error) {
	if seq < 0 {
		return 0, Errorf(KindInvalid, "seq must not be negative")
	}
	err = h.retryEvicted(ctx, sid, func(c *conv) error {
		if err := mayAccess(id, c.snapshot()); err != nil {
			return err
		}
		mark, err = c.markRead(ctx, id, seq)
		return err
	})
	return mark, err
}

// MarkRead is Hub.MarkRead for the conversation of a socket.
func (s *Subscription) MarkRead(ctx context.Context, seq int64) error {
	if seq < 0 {
		return Errorf(KindInvalid, "seq must not be negative")
	}
	_, err := s.conv.markRead(ctx, s.Identity, seq)
	return err
}

// markRead moves id's read mark forward to seq (never past the last
// message) and publishes the receipt. A mark that does not move costs
// nothing and publishes nothing, so clients may repeat read frames. The
// owner's mark is stored (Session.ReadSeq); the others' are kept in
// memory only, until the store has a mark per member.
func (c *conv) markRead(ctx context.Context, id Identity, seq int64) (int64, error) {
	c.mu.Lock()
	e, mark, err := c.markReadLocked(ctx, id, seq)
	c.mu.Unlock()
	c.broadcast(e)
	return mark, err
}

func (c *conv) markReadLocked(ctx context.Context, id Identity, seq int64) (*Event, int64, error) {
	if c.evicted {
		return nil, 0, errEvicted
	}
	owner := id.Anonymous || id.UserID == c.session.UserID
	seq = min(seq, c.session.LastSeq)
	cur := c.session.ReadSeq
	if !owner {
		cur = c.reads[id.UserID]
	}
	if seq <= cur {
		return nil, cur, nil
	}
	if owner {
		upd := SessionUpdate{ReadSeq: &seq}
		if !id.Anonymous {
			upd.ReadBy = id.UserID
		}
		s, err := c.hub.store.UpdateSession(ctx, c.id, upd)
		if err != nil {
			return nil, 0, err
		}
		c.refreshLocked(s)
	} else {
		if fs, ok := c.hub.store.(FeedStore); ok {
			r := &FeedRow{SessionID: c.id, Kind: FeedRead, Seq: seq, Reader: id.UserID}
			if err := fs.AppendFeed(ctx, r); err != nil {
				return nil, 0, err
			}
		}
		c.noteReadLocked(id.UserID, seq)
	}
	if id.Anonymous {
		return nil, seq, nil
	}
	e := &Event{Type: EventRead, SessionID: c.id, User: id.UserID, Seq: seq}
	c.publishLocked(e)
	return e, seq, nil
}

// noteReadLocked keeps the read mark of a reader who is not the owner.
func (c *conv) noteReadLocked(user string, seq int64) {
	if c.reads == nil {
		c.reads = make(map[string]int64)
	}
	c.reads[user] = max(c.reads[user], seq)
}

// remoteLocked takes note of an event another node published, so that
// a receipt it already told this node's sockets is not told again.
func (c *conv) remoteLocked(e *Event) {
	if e.Type != EventRead || e.User == "" {
		return
	}
	if e.User == c.session.UserID {
		c.session.ReadSeq = max(c.session.ReadSeq, e.Seq)
		return
	}
	c.noteReadLocked(e.User, e.Seq)
}
