package runtime

import (
	"context"
	"time"
)

// SessionStore keeps conversations.
type SessionStore interface {
	// CreateSession inserts s; s.ID, CreatedAt and LastActivity are set
	// by the caller.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns KindNotFound when there is no such session.
	FindSession(ctx context.Context, id SessionID) (*Session, error)
	// FindLatestSession returns the user's most recently active conversation
	// with the bot that has status active, or KindNotFound.
	FindLatestSession(ctx context.Context, userID string, bot BotID) (*Session, error)
	// ListSessions returns one page of a user's conversations, most recent
	// activity first, and the total that match the filter.
	ListSessions(ctx context.Context, f SessionFilter) ([]*SessionSummary, int, error)
	// ListSupport returns one page of the support queue: conversations of
	// one support status, least recent activity first (ties by id), and
	// the total that match. Anonymous conversations are never listed.
	ListSupport(ctx context.Context, f SupportFilter) ([]*SessionSummary, int, error)
	// SupportStats reads what the desk's statistics are made of, over the
	// conversations that entered the support queue at or after since
	// (WaitingSince >= since): their number by support status and
	// assigned agent, and the times of the most recent sample of them
	// (WaitingSince descending, ties by id descending).
	SupportStats(ctx context.Context, since time.Time, sample int) (*SupportTally, error)
	// UpdateSession applies the non-nil fields of upd and returns the result.
	UpdateSession(ctx context.Context, id SessionID, upd SessionUpdate) (*Session, error)
	// DeleteIdleAnonymous deletes anonymous sessions (their messages and
	// memory too) whose last activity is before cutoff, and returns their ids.
	DeleteIdleAnonymous(ctx context.Context, cutoff time.Time) ([]SessionID, error)
	// DeleteSession deletes one session with its messages, journal and
	// session-owned memory, or returns KindNotFound.
	DeleteSession(ctx context.Context, id SessionID) error
}

// SessionFilter selects conversations of one user: those they started
// and those they are a member of.
type SessionFilter struct {
	UserID string
	BotID  BotID  // optional
	Status string // optional
	Limit  int
	Offset int
}

// SupportFilter selects conversations of the support queue.
type SupportFilter struct {
	SupportStatus string // required: one of the Support* statuses
	// Agent keeps those assigned to this user id; with Unassigned, those
	// assigned to nobody. Neither: any.
	Agent      string
	Unassigned bool
	Limit      int
	Offset     int
}

// SupportTally is what SupportStats reads: the counts, and the times
// the percentiles are taken from (supportstats.go).
type SupportTally struct {
	Groups []SupportGroup // one per support status and assigned agent present
	Times  []SupportTimes // at most the sample asked for, most recent first
}

// SupportGroup counts the conversations of one support status assigned to
// one agent ("" for nobody).
type SupportGroup struct {
	SupportStatus string
	AssignedAgent string
	Count         int
}

// SupportTimes are one conversation's desk times (zero: not happened).
type SupportTimes struct {
	SupportStatus string
	WaitingSince  time.Time
	FirstReplyAt  time.Time
	ResolvedAt    time.Time
}

// SessionSummary is a row of the conversation list.
type SessionSummary struct {
	Session
	LastMessage *Message // nil when the conversation has no messages
}

// SessionUpdate names the fields to change; nil means unchanged.
type SessionUpdate struct {
	Status  *string
	ReadSeq *int64
	// ReadBy, with ReadSeq, is who read: the store writes their receipt
	// to the feed (FeedStore) in the same transaction.
	ReadBy      string
	Suggestions *[]string
	// LastActivity keeps a conversation with open sockets from counting
	// as idle (the anonymous expiry sweep).
	LastActivity *time.Time
	Title        *string
	// AddMember adds a user to Members, unless they are one already.
	AddMember     *string
	SupportStatus *string
	AssignedAgent *string
	BotOff        *bool

	// The handover (transfer.go). A zero time clears a time. Setting
	// Transfer starts a handover: TransferOutcome becomes "".
	Transfer       *string
	TransferReason *string
	// EndTransfer sets TransferOutcome, only if a TRANSFER is pending
	// (Transfer set, TransferOutcome ""): the first ending wins.
	EndTransfer  *string
	SupportNote  *string
	ResolvedBy   *string
	WaitingSince *time.Time
	FirstReplyAt *time.Time
	ResolvedAt   *time.Time
	// IfSupportStatus makes the whole update conditional: nothing changes
	// unless the conversation's support status is this one (the session
	// read back shows what is there).
	IfSupportStatus *string
}

// MessageStore keeps messages.
type MessageStore interface {
	// AppendMessage stores m in one transaction with the next seq of its
	// session, and sets m.ID (when empty), m.Seq and m.CreatedAt. The
	// session's LastSeq and LastActivity move with it; a user message
	// also clears the session's Suggestions (the choice is over).
	//
	// When m.ClientID is set and the session already has a message with
	// that client id, nothing is stored: m is overwritten with the stored
	// message and created is false.
	AppendMessage(ctx context.Context, m *Message) (created bool, err error)
	// FindMessages returns messages of one session, oldest first.
	FindMessages(ctx context.Context, f MessageFilter) ([]*Message, error)
	// FindMessage returns one message by id, or KindNotFound.
	FindMessage(ctx context.Context, id string) (*Message, error)
	// FindSince reads several conversations at once, as a node catches up
	// with what other nodes stored (cluster.go): for each mark, the
	// session and its messages with seq after AfterSeq, oldest first.
	// Each conversation is read as of one moment (one statement or
	// transaction): the messages run without a gap from AfterSeq+1 and
	// none is after Session.LastSeq, so the session is as it stood after
	// the last of them when they reach Session.LastSeq. At most limit
	// are returned per conversation (limit < 1 means 100): when the last
	// one is before Session.LastSeq, the rest are for FindMessages. A
	// conversation that does not exist is left out; the others come in
	// the order of marks, once each (the first mark naming one counts).
	FindSince(ctx context.Context, marks []SeqMark, limit int) ([]*SessionNews, error)
}

// SeqMark names a conversation and the last seq a reader has of it.
type SeqMark struct {
	SessionID SessionID
	AfterSeq  int64
}

// SessionNews is one conversation as FindSince reads it.
type SessionNews struct {
	Session  *Session
	Messages []*Message
}

// DefaultSinceLimit is FindSince's limit when the caller gives none.
const DefaultSinceLimit = 100

// MessageFilter selects messages of one session. Zero fields do not filter.
// When Newest is set the page is the newest Limit messages that match
// (still returned oldest first); otherwise the oldest.
type MessageFilter struct {
	SessionID  SessionID
	AfterSeq   int64
	BeforeSeq  int64
	AfterTime  time.Time // created strictly after
	BeforeTime time.Time // created strictly before
	Limit      int
	Newest     bool
}

// MemoryScope addresses a bot's memory of one user (or, for anonymous
// visitors, of one conversation).
type MemoryScope struct {
	BotID BotID
	Owner string // "user:<id>" or "session:<id>"
}

// MemoryStore keeps the SET/GET memory of dialogs. Values are JSON.
type MemoryStore interface {
	// GetMemory returns the value and whether it was set.
	GetMemory(ctx context.Context, scope MemoryScope, key string) (string, bool, error)
	// SetMemory stores value; an empty value deletes the key.
	SetMemory(ctx context.Context, scope MemoryScope, key, value string) error
}

// UserStore keeps the users the server has seen.
type UserStore interface {
	// UpsertUser records a user's latest name and role.
	UpsertUser(ctx context.Context, id Identity) error
}

// UserDirectory reads back the users the server has seen. A store
// implements it when it can; without it, people are known by id alone
// (Hub.People).
type UserDirectory interface {
	// FindUsers returns the users among ids that exist (UserID, Name,
	// Role), in no order.
	FindUsers(ctx context.Context, ids []string) ([]Identity, error)
}

// Store is everything the runtime keeps on disk.
type Store interface {
	SessionStore
	MessageStore
	MemoryStore
	UserStore
	DialogStore
	APIKeyStore
	UploadStore
	// Ping reports whether the database answers (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}
