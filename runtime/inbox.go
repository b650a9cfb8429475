package runtime

import "context"

// The inbox: each conversation of the caller (as the list has them, most
// recent activity first) with its last message and how many messages
// others wrote after the caller's read mark. It costs the list's one
// query, plus, for each conversation of the page with messages after
// the mark, one read of at most MaxUnread of them by the seq index.

// MaxUnread caps an inbox count: MaxUnread means that many or more.
const MaxUnread = 100

// InboxEntry is one conversation of the inbox.
type InboxEntry struct {
	Conversation
	Unread  int
	ReadSeq int64 // the caller's read mark
}

// Inbox returns one page of the caller's conversations with their unread
// counts, and how many conversations there are in all.
func (h *Hub) Inbox(ctx context.Context, id Identity, limit, offset int) ([]InboxEntry, int, error) {
	rows, total, err := h.Conversations(ctx, id, ConversationFilter{Limit: limit, Offset: offset})
	if err != nil {
		return nil, 0, err
	}
	out := make([]InboxEntry, len(rows))
	for i, c := range rows {
		out[i] = InboxEntry{Conversation: c, ReadSeq: h.readMark(id, &c.Session)}
		if out[i].Unread, err = h.unread(ctx, id, &c.Session, out[i].ReadSeq); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// readMark is id's read mark in s: stored for the user who started it,
// kept in memory for the others (people.go), 0 when not live here.
func (h *Hub) readMark(id Identity, s *Session) int64 {
	if id.UserID == s.UserID {
		return s.ReadSeq
	}
	h.mu.Lock()
	c, ok := h.convs[s.ID]
	h.mu.Unlock()
	if !ok {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads[id.UserID]
}

// unread counts the messages of s after mark that id did not write.
func (h *Hub) unread(ctx context.Context, id Identity, s *Session, mark int64) (int, error) {
	if s.LastSeq <= mark {
		return 0, nil
	}
	list, err := h.store.FindMessages(ctx, MessageFilter{SessionID: s.ID, AfterSeq: mark, Limit: MaxUnread})
	if err != nil {
		return 0, err
	}
	sender, name := authorOf(id, s)
	me := senderID(id, s)
	n := 0
	for _, m := range list {
		// By id when the message has one; older messages (and the
		// bot's) by role and name.
		if (m.SenderID != "" && m.SenderID != me) || (m.SenderID == "" && (m.Sender != sender || m.SenderName != name)) {
			n++
		}
	}
	return n, nil
}
