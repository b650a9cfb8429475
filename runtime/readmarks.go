package runtime

import (
	"context"
	"math"
)

// Read marks as the support app shows them: whether anyone but a
// message's sender has read it, the caller's unread count of one
// conversation, and marking all of it read (people.go keeps the marks).

// ReadMarks returns the read marks of the people of s (user id → the
// seq they have read up to), as far as this node knows: the owner's is
// stored, the others' are kept while the conversation is live
// (people.go). The caller must be allowed to read s (Lookup).
func (h *Hub) ReadMarks(s *Session) map[string]int64 {
	marks := map[string]int64{}
	if s.ReadSeq > 0 {
		marks[s.UserID] = s.ReadSeq
	}
	h.mu.Lock()
	c, ok := h.convs[s.ID]
	h.mu.Unlock()
	if !ok {
		return marks
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	marks[c.session.UserID] = max(marks[c.session.UserID], c.session.ReadSeq)
	for user, seq := range c.reads {
		marks[user] = max(marks[user], seq)
	}
	return marks
}

// Unread counts the messages of s after the caller's read mark that
// others wrote, at most MaxUnread, as the inbox does.
func (h *Hub) Unread(ctx context.Context, id Identity, s *Session) (int, error) {
	return h.unread(ctx, id, s, h.readMark(id, s))
}

// MarkAllRead marks everything in conversation sid read by the caller
// and returns their read mark.
func (h *Hub) MarkAllRead(ctx context.Context, id Identity, sid SessionID) (int64, error) {
	return h.MarkRead(ctx, id, sid, math.MaxInt64) // markRead stops at the last message
}
