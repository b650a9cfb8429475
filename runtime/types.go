package runtime

import (
	"encoding/json"
	"time"
)

// SessionID identifies a conversation. The REST API calls the same value
// conversation_id and session_id.
type SessionID string

// BotID is a bot's slug: the name of its folder.
type BotID string

// Sender says who wrote a message.
type Sender string

const (
	SenderUser  Sender = "user"
	SenderBot   Sender = "bot"
	SenderAgent Sender = "agent"
)

// Session statuses.
const (
	StatusActive   = "active"
	StatusArchived = "archived"
)

// Support statuses: where a conversation stands with the people of the
// support desk, apart from its Status. A conversation is open until a
// bot hands it over (waiting, in the support queue), then resolved by an
// agent, or closed.
const (
	SupportOpen     = "open"
	SupportWaiting  = "waiting"
	SupportResolved = "resolved"
	SupportClosed   = "closed"
)

// Outcomes of a TRANSFER (Session.TransferOutcome).
const (
	TransferResolved = "resolved"
	TransferClosed   = "closed"
	TransferTimeout  = "timeout"
)

// Session is one conversation between a user (or an anonymous visitor) and
// a bot.
type Session struct {
	ID        SessionID
	BotID     BotID
	UserID    string // the JWT sub; for anonymous visitors a generated id
	UserName  string
	Anonymous bool
	Status    string // StatusActive or StatusArchived

	// ResumeTokenHash is the SHA-256 of the anonymous resume token; the
	// token itself is shown once, in the connected frame.
	ResumeTokenHash string

	LastSeq     int64    // seq of the newest message, 0 when there is none
	ReadSeq     int64    // messages up to here are read by the user
	Suggestions []string // quick replies in force
	Metadata    json.RawMessage

	// People. Title names the conversation (renamable). Members are the
	// users besides UserID who may read and write it: participants added
	// at creation and agents who joined; the store keeps them in the order
	// added, without repeats. SupportStatus is one of the Support
	// constants ("" reads as SupportOpen); AssignedAgent is the user id of
	// the agent it is assigned to, "" when none.
	Title         string
	Members       []string
	SupportStatus string
	AssignedAgent string
	// BotOff: the bot is switched off in this conversation; user messages
	// are stored and delivered, and the dialog does not hear them.
	BotOff bool

	// The handover (transfer.go). Transfer is the dialog's latest TRANSFER
	// ("RUN.INDEX" of its journal entry, "" when none) and TransferOutcome
	// how it ended: "" while it waits for people (user messages are then
	// not heard), TransferResolved, TransferClosed or TransferTimeout.
	// SupportNote and ResolvedBy are the resolving agent's note and name.
	// The times are zero until they happen: WaitingSince when it last
	// entered the queue, FirstReplyAt the first agent message after that,
	// ResolvedAt when it was last resolved or closed.
	Transfer        string
	TransferReason  string
	TransferOutcome string
	SupportNote     string
	ResolvedBy      string
	WaitingSince    time.Time
	FirstReplyAt    time.Time
	ResolvedAt      time.Time

	// The durable dialog (journal.go). LastUserSeq is the seq of the newest
	// user message (kept by AppendMessage); ConsumedSeq that of the newest
	// one the dialog has taken. Run counts the script's runs from the top;
	// RunEnded says the current one returned or failed, so the next
	// message starts another. ScriptVersion pins the script the run uses.
	// WakeAt is the deadline of a pending WAIT (zero: none).
	LastUserSeq   int64
	ConsumedSeq   int64
	Run           int64
	RunEnded      bool
	ScriptVersion string
	WakeAt        time.Time

	CreatedAt    time.Time
	LastActivity time.Time
}

// Message is one line of a conversation.
type Message struct {
	ID         string
	SessionID  SessionID
	Seq        int64 // per conversation, from 1, gapless; set on commit
	Sender     Sender
	SenderName string // who wrote it, from their credentials; "" for the bot
	// SenderID is the user id of the person who wrote it (a visitor's:
	// their conversation's UserID); "" for the bot's, and for messages
	// stored before Parley kept it.
	SenderID    string
	Content     string
	ClientID    string // the client's idempotency key, may be empty
	Attachments json.RawMessage
	Metadata    json.RawMessage
	CreatedAt   time.Time // UTC, set on commit
}

// Bot is a loaded bot.
type Bot struct {
	ID          BotID
	Name        string
	Description string
	Default     bool
	// HTTPAllow is bot.yaml's http_allow: the hosts HTTP_GET and HTTP_POST
	// may reach (http_allow.go has the syntax). Empty: none. Read-only.
	HTTPAllow []string
	// LLM is bot.yaml's llm section: the bot's endpoint, model and limits
	// for LLM (llm.go). Read-only.
	LLM BotLLM
}

// Roles of authenticated users.
const (
	RoleUser  = "user"
	RoleAgent = "agent"
	RoleAdmin = "admin"
)

// Identity is who is calling: a user from a verified token, or an
// anonymous visitor known only by address.
type Identity struct {
	UserID    string
	Name      string
	Role      string
	Anonymous bool
	IP        string // remote address without port; the rate-limit key of anonymous callers
}

// Limits every transport applies to user input.
const (
	MaxClientIDLen = 64
	MaxContentLen  = 32 << 10 // bytes of a message's content
)
