package runtime

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// StartConversation creates a new conversation of a user with bot and
// starts its dialog. An initial message is stored before it returns.
func (h *Hub) StartConversation(ctx context.Context, id Identity, bot BotID, initial string) (*Session, error) {
	if bot == "" && !id.Anonymous {
		return nil, Errorf(KindInvalid, "bot_id is required")
	}
	return h.CreateConversation(ctx, id, NewConversation{BotID: bot, Initial: initial})
}

// NewConversation is what a caller may give a conversation it creates.
type NewConversation struct {
	BotID        BotID           // empty: the default bot
	Title        string          // renamable later
	Participants []string        // user ids who may read and write it, besides the caller
	Metadata     json.RawMessage // a JSON object, kept and returned as given
	Initial      string          // a first message from the caller, stored before it returns
}

// Limits of what NewConversation carries.
const (
	MaxTitleLen     = 200      // characters
	MaxParticipants = 50       // user ids
	MaxMetadata     = 16 << 10 // bytes of JSON
	maxUserIDLen    = 255      // bytes of a participant's user id
)

// CreateConversation creates a conversation of the caller with a bot and
// the participants, and starts its dialog; an initial message is stored
// before it returns.
func (h *Hub) CreateConversation(ctx context.Context, id Identity, req NewConversation) (*Session, error) {
	if id.Anonymous {
		return nil, Errorf(KindUnauthorized, "log in to start a conversation over REST")
	}
	if err := validateNew(req); err != nil {
		return nil, err
	}
	bot, initial := req.BotID, req.Initial
	if initial != "" {
		// Checked before anything is created: a refused first message
		// must not leave a conversation behind.
		if err := validateSend(SendRequest{Content: initial}); err != nil {
			return nil, err
		}
		if err := h.allow(BucketMessages, id); err != nil {
			return nil, err
		}
	}
	b, err := h.botFor(id, bot)
	if err != nil {
		return nil, err
	}
	if err := h.allow(BucketConversations, id); err != nil {
		return nil, err // each one holds memory until it is evicted
	}
	if err := h.store.UpsertUser(ctx, id); err != nil {
		return nil, err
	}
	s, err := h.createSession(ctx, id, b.ID, "", func(s *Session) {
		s.Title, s.Members, s.Metadata = req.Title, req.Participants, req.Metadata
	})
	if err != nil {
		return nil, err
	}
	c, err := h.adopt(s)
	if err != nil {
		return nil, err
	}
	c.enqueue(startInput)
	if initial != "" {
		sender, name := authorOf(id, s)
		m := &Message{Sender: sender, SenderName: name, SenderID: senderID(id, s), Content: initial}
		if _, err := c.append(ctx, m); err != nil {
			return nil, err
		}
	}
	return c.snapshot(), nil
}

// HistoryQuery pages through a conversation. Before and After are message
// ids or RFC 3339 times; the page is the newest Limit messages before
// Before (or overall), unless After is given, when it is the oldest Limit
// messages after it. Messages come oldest first either way.
type HistoryQuery struct {
	Limit    int
	BeforeID string
	// BeforeSeq, when set, ends the page before this seq too: seqs are
	// gapless, so a client that knows the last seq pages by number.
	BeforeSeq  int64
	AfterID    string
	BeforeTime time.Time
	AfterTime  time.Time
}

// History returns one page of a conversation and whether more messages
// lie beyond it in the direction of paging.
func (h *Hub) History(ctx context.Context, id Identity, sid SessionID, q HistoryQuery) ([]*Message, bool, error) {
	s, err := h.accessible(ctx, id, sid)
	if err != nil {
		return nil, false, err
	}
	if err := h.allow(BucketHistory, id); err != nil {
		return nil, false, err
	}
	f := MessageFilter{SessionID: s.ID, Limit: q.Limit + 1, AfterTime: q.AfterTime, BeforeTime: q.BeforeTime}
	if f.AfterSeq, err = h.seqOf(ctx, s.ID, q.AfterID); err != nil {
		return nil, false, err
	}
	if f.BeforeSeq, err = h.seqOf(ctx, s.ID, q.BeforeID); err != nil {
		return nil, false, err
	}
	if q.BeforeSeq > 0 && (f.BeforeSeq == 0 || q.BeforeSeq < f.BeforeSeq) {
		f.BeforeSeq = q.BeforeSeq
	}
	f.Newest = q.AfterID == "" && q.AfterTime.IsZero()
	msgs, err := h.store.FindMessages(ctx, f)
	if err != nil || len(msgs) <= q.Limit {
		return msgs, false, err
	}
	if f.Newest {
		return msgs[1:], true, nil
	}
	return msgs[:q.Limit], true, nil
}

// seqOf resolves a message id of conversation sid to its seq (0 for "").
func (h *Hub) seqOf(ctx context.Context, sid SessionID, msgID string) (int64, error) {
	if msgID == "" {
		return 0, nil
	}
	m, err := h.store.FindMessage(ctx, msgID)
	if err != nil || m.SessionID != sid {
		return 0, Errorf(KindInvalid, "message %q is not in this conversation", msgID)
	}
	return m.Seq, nil
}

// ConversationFilter selects a user's conversations.
type ConversationFilter struct {
	// Participant lists another user's conversations (those they started
	// or are a member of): for agents and admins only. Empty: the caller's.
	Participant string
	BotID       BotID
	Status      string
	Limit       int
	Offset      int
}

// Conversation is a row of a user's conversation list.
type Conversation struct {
	*SessionSummary
	BotName string
}

// Conversations lists the caller's conversations, most recent first, and
// how many match in all.
func (h *Hub) Conversations(ctx context.Context, id Identity, f ConversationFilter) ([]Conversation, int, error) {
	if id.Anonymous {
		return nil, 0, Errorf(KindUnauthorized, "log in to list conversations")
	}
	if err := h.allow(BucketList, id); err != nil {
		return nil, 0, err
	}
	sf := SessionFilter{UserID: id.UserID, BotID: f.BotID, Status: f.Status, Limit: f.Limit, Offset: f.Offset}
	if f.Participant != "" && f.Participant != id.UserID {
		if id.Role != RoleAgent && id.Role != RoleAdmin {
			return nil, 0, Errorf(KindForbidden, "only agents and admins may list another user's conversations")
		}
		sf.UserID = f.Participant
	}
	rows, total, err := h.listVisible(ctx, id, sf)
	if err != nil {
		return nil, 0, err
	}
	return h.named(rows), total, nil
}

// named gives list rows their bots' names.
func (h *Hub) named(rows []*SessionSummary) []Conversation {
	out := make([]Conversation, len(rows))
	for i, r := range rows {
		out[i] = Conversation{SessionSummary: r, BotName: h.botName(r.BotID)}
	}
	return out
}

// maxAgentList bounds the conversations of one user an agent's list
// reads to pick those the agent may see.
const maxAgentList = 1000

// listVisible is ListSessions through the access rule. The caller's own
// list and an admin's need no filter; an agent listing another user sees
// only the conversations the rule lets them (in the queue, assigned to
// them, or joined), picked from the user's newest maxAgentList.
func (h *Hub) listVisible(ctx context.Context, id Identity, f SessionFilter) ([]*SessionSummary, int, error) {
	if f.UserID == id.UserID || id.Role == RoleAdmin {
		return h.store.ListSessions(ctx, f)
	}
	page := f
	page.Limit, page.Offset = maxAgentList, 0
	rows, _, err := h.store.ListSessions(ctx, page)
	if err != nil {
		return nil, 0, err
	}
	var visible []*SessionSummary
	for _, r := range rows {
		if mayAccess(id, &r.Session) == nil {
			visible = append(visible, r)
		}
	}
	total := len(visible)
	visible = visible[min(max(f.Offset, 0), total):]
	if f.Limit > 0 {
		visible = visible[:min(f.Limit, len(visible))]
	}
	return visible, total, nil
}

func (h *Hub) botName(id BotID) string {
	if b, err := h.Bot(id); err == nil {
		return b.Name
	}
	return string(id)
}

// validateNew applies NewConversation's limits.
func validateNew(req NewConversation) error {
	switch {
	case utf8.RuneCountInString(req.Title) > MaxTitleLen || !utf8.ValidString(req.Title):
		return Errorf(KindInvalid, "title must be valid UTF-8 of at most %d characters", MaxTitleLen)
	case len(req.Participants) > MaxParticipants:
		return Errorf(KindInvalid, "at most %d participants", MaxParticipants)
	case len(req.Metadata) > MaxMetadata:
		return Errorf(KindTooLarge, "metadata is larger than %d bytes", MaxMetadata)
	}
	for _, p := range req.Participants {
		if !validUserID(p) {
			return Errorf(KindInvalid, "participant %q is not a user id (1 to %d bytes)", p, maxUserIDLen)
		}
	}
	if len(req.Metadata) > 0 {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(req.Metadata, &obj); err != nil || obj == nil {
			return Errorf(KindInvalid, "metadata must be a JSON object")
		}
	}
	return nil
}

// validUserID reports whether u can name a user (a JWT sub): not empty,
// not too long, and not an anonymous visitor's generated id.
func validUserID(u string) bool {
	return u != "" && len(u) <= maxUserIDLen && !strings.HasPrefix(u, "anon:")
}

// ConversationPatch names what PATCH changes in a conversation; nil
// fields are unchanged.
type ConversationPatch struct {
	Title  *string
	Status *string // StatusActive or StatusArchived
	// SupportStatus is one of the Support* statuses: agents and admins only.
	SupportStatus *string
	// Note goes with a SupportStatus of resolved or closed: the agent's
	// note, which a pending TRANSFER returns (transfer.go).
	Note *string
}

// Patch changes a conversation the caller may write to, all of p or
// nothing: a refused field (a user's support status) changes no other.
func (h *Hub) Patch(ctx context.Context, id Identity, sid SessionID, p ConversationPatch) (*Session, error) {
	if p.Title != nil {
		if err := validateNew(NewConversation{Title: *p.Title}); err != nil {
			return nil, err
		}
	}
	if p.Status != nil && *p.Status != StatusActive && *p.Status != StatusArchived {
		return nil, Errorf(KindInvalid, "status must be %q or %q", StatusActive, StatusArchived)
	}
	if p.SupportStatus != nil {
		if err := mayWorkDesk(id); err != nil {
			return nil, err
		}
		if err := validSupportStatus(*p.SupportStatus); err != nil {
			return nil, err
		}
	}
	upd := SessionUpdate{Title: p.Title, Status: p.Status, SupportStatus: p.SupportStatus}
	if p.Note != nil {
		if p.SupportStatus == nil || (*p.SupportStatus != SupportResolved && *p.SupportStatus != SupportClosed) {
			return nil, Errorf(KindInvalid, "a note goes with support_status %q or %q", SupportResolved, SupportClosed)
		}
		if utf8.RuneCountInString(*p.Note) > MaxNoteLen || !utf8.ValidString(*p.Note) {
			return nil, Errorf(KindInvalid, "a note must be valid UTF-8 of at most %d characters", MaxNoteLen)
		}
	}
	if p.SupportStatus != nil {
		var note string
		if p.Note != nil {
			note = *p.Note
		}
		h.supportChange(&upd, id, *p.SupportStatus, note)
	}
	s, err := h.update(ctx, id, sid, upd)
	if err == nil && p.SupportStatus != nil && *p.SupportStatus == SupportWaiting {
		// Back in the queue: the next agent online, not who put it back.
		if taken := h.autoAssign(ctx, sid, id.UserID); taken != nil {
			s = taken
		}
	}
	return s, err
}

// Rename sets the title of a conversation the caller may write to.
func (h *Hub) Rename(ctx context.Context, id Identity, sid SessionID, title string) (*Session, error) {
	return h.Patch(ctx, id, sid, ConversationPatch{Title: &title})
}

// SetStatus archives (or reactivates) one of the caller's conversations.
func (h *Hub) SetStatus(ctx context.Context, id Identity, sid SessionID, status string) (*Session, error) {
	return h.Patch(ctx, id, sid, ConversationPatch{Status: &status})
}

// update changes one of the caller's conversations.
func (h *Hub) update(ctx context.Context, id Identity, sid SessionID, upd SessionUpdate) (s *Session, err error) {
	err = h.retryEvicted(ctx, sid, func(c *conv) error {
		if err := mayAccess(id, c.snapshot()); err != nil {
			return err
		}
		s, err = c.update(ctx, upd)
		return err
	})
	return s, err
}

// accessible loads a conversation the caller may read.
func (h *Hub) accessible(ctx context.Context, id Identity, sid SessionID) (*Session, error) {
	s, err := h.session(ctx, sid)
	if err != nil {
		return nil, err
	}
	return s, mayAccess(id, s)
}
