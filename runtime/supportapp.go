package runtime

import (
	"context"
	"math"
)

// What the support app's interface (package supportapp: Socket.IO and
// /api/v1/chat) asks of the hub beyond what /ws and /api use: the one
// open conversation of a user with support, a conversation read through
// the access rule, and its people's read marks and unread counts.

// maxSupportScan bounds the user's conversations SupportConversation
// looks through for an open one: their most recent.
const maxSupportScan = 50

// SupportConversation returns the caller's open conversation with
// support, creating it if there is none (created is then true): their
// most recently active conversation with the default bot that they
// started, that is not archived and whose support status is neither
// resolved nor closed. Two calls at once find or create the same one.
func (h *Hub) SupportConversation(ctx context.Context, id Identity) (s *Session, created bool, err error) {
	if id.Anonymous || id.UserID == "" {
		return nil, false, Errorf(KindUnauthorized, "log in to talk to support")
	}
	bot, err := h.botFor(id, "")
	if err != nil {
		return nil, false, err
	}
	unlock, err := h.joinLock(ctx, id)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if s, err = h.openSupport(ctx, id, bot.ID); s != nil || err != nil {
		return s, false, err
	}
	s, err = h.CreateConversation(ctx, id, NewConversation{BotID: bot.ID})
	return s, err == nil, err
}

// openSupport finds the conversation SupportConversation returns, nil
// when there is none.
func (h *Hub) openSupport(ctx context.Context, id Identity, bot BotID) (*Session, error) {
	rows, _, err := h.store.ListSessions(ctx, SessionFilter{UserID: id.UserID, BotID: bot, Status: StatusActive, Limit: maxSupportScan})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		st := r.SupportStatus
		if r.UserID == id.UserID && st != SupportResolved && st != SupportClosed {
			return h.session(ctx, r.ID) // as it stands now, live or stored
		}
	}
	return nil, nil
}

// Lookup returns conversation sid if the caller may read it.
func (h *Hub) Lookup(ctx context.Context, id Identity, sid SessionID) (*Session, error) {
	return h.accessible(ctx, id, sid)
}

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

// DeskQuery selects a page of the desk's conversations across support
// statuses.
type DeskQuery struct {
	Statuses []string // in this order; empty: every support status
	// Mine keeps those assigned to the caller, the queue included.
	Mine   bool
	Limit  int
	Offset int
}

// DeskConversations lists the conversations of several support statuses
// as one list, status by status in q.Statuses' order and each as
// SupportQueue orders it, and how many there are in all. What an agent
// sees is what SupportQueue shows them: every waiting conversation and
// the others assigned to them; with Mine, only those assigned to them.
// It counts as one list against the rate limit.
func (h *Hub) DeskConversations(ctx context.Context, id Identity, q DeskQuery) ([]Conversation, int, error) {
	if err := mayWorkDesk(id); err != nil {
		return nil, 0, err
	}
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = supportStatuses
	}
	for _, st := range statuses {
		if err := validSupportStatus(st); err != nil {
			return nil, 0, err
		}
	}
	if err := h.allow(BucketList, id); err != nil {
		return nil, 0, err
	}
	var out []*SessionSummary
	total := 0
	for _, st := range statuses {
		f := SupportFilter{SupportStatus: st, Offset: max(q.Offset-total, 0)}
		if q.Mine || (id.Role == RoleAgent && st != SupportWaiting) {
			f.Agent = id.UserID
		}
		// A page that is full still needs each status's count: one row.
		f.Limit = max(q.Limit-len(out), 1)
		rows, n, err := h.store.ListSupport(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		if len(out) < q.Limit {
			out = append(out, rows[:min(len(rows), q.Limit-len(out))]...)
		}
		total += n
	}
	return h.named(out), total, nil
}
