package runtime

import (
	"context"
	"time"
)

// DialogEngine runs bot scripts (package dialogs implements it).
type DialogEngine interface {
	// Bots lists the loaded bots, sorted by ID. Exactly one is Default.
	Bots() []*Bot
	// Script returns the bot's current script: the version new runs use.
	Script(bot BotID) (*Script, error)
	// NewDialog prepares the dialog of one conversation, running script
	// sc (the current one or an older version a run is pinned to),
	// without running it. The dialog calls host for everything it does.
	NewDialog(s *Session, sc *Script, host DialogHost) (Dialog, error)
}

// Dialog is the running script of one conversation.
//
// Step runs the script until it waits for the next user message (HEAR) or
// returns; done says it returned or failed. input is nil when a conversation starts: the script runs from
// its first line to its first HEAR. Otherwise input is the user message,
// given to the HEAR the script waits in. If the script has returned or
// failed (or never ran, as after a restart), Step runs it again from the
// top and its first HEAR gets input. input may not be stored yet: a
// message for a dialog parked in HEAR is stored with its answer
// (early.go), so its ID, Seq and CreatedAt may be unset.
//
// A script error is returned as an *Error of KindDialog (with done true);
// the dialog is then ready to start again. An error of the host (a failed
// commit, a divergence from the journal) is returned as it is, also with
// done true. Step and Close are called from one goroutine.
//
// The script must reach the host for everything that is not pure Lua:
// each keyword that says, stores or reads something, the time, random
// numbers and pauses. That is what makes a run repeatable from the
// journal.
type Dialog interface {
	Step(ctx context.Context, input *Message) (done bool, err error)
	Close()
}

// DialogHost is what a dialog can do to its conversation. Its methods are
// called only while Step runs. During a replay the host answers from the
// journal and does nothing; the dialog cannot tell.
type DialogHost interface {
	// Talk stores and publishes a bot message.
	Talk(ctx context.Context, text string) error
	// TalkFiles is Talk with files attached (TALK{attachments=…}; text
	// may be empty): each is stored as an upload of the bot, checked as a
	// person's are, and the message carries them (host_talk.go). A file
	// that cannot be sent is a *TalkError, the script's to handle (and
	// journaled); any other error is the host's. A replay stores nothing.
	TalkFiles(ctx context.Context, text string, files []BotFile) error
	// Suggest replaces the quick replies in force (empty clears them).
	Suggest(ctx context.Context, suggestions []string) error
	// Typing shows or hides the bot's typing indicator.
	Typing(ctx context.Context, active bool) error
	// GetMemory and SetMemory reach the bot's memory of this user (of this
	// conversation for anonymous visitors). Values are JSON; "" deletes.
	GetMemory(ctx context.Context, key string) (string, bool, error)
	SetMemory(ctx context.Context, key, value string) error
	// Now is the time for NOW() and relative dates.
	Now(ctx context.Context) (time.Time, error)
	// Random returns an integer in [lo, hi] (RANDOM, math.random).
	Random(ctx context.Context, lo, hi int) (int, error)
	// Wait pauses the script for d (WAIT, TYPING's pause); a WAIT pending
	// when the server stops fires after a restart at its deadline.
	Wait(ctx context.Context, d time.Duration) error
	// HTTP makes an HTTP request (HTTP_GET, HTTP_POST) to a host the bot's
	// http_allow lists; a replay answers it from the journal. A request
	// refused or failed is an *HTTPError, which is the script's to handle
	// (and journaled, so a replay fails alike); any other error is the
	// host's. A non-2xx status is not an error.
	HTTP(ctx context.Context, req HTTPRequest) (HTTPResponse, error)
	// Transfer hands the conversation to people (TRANSFER) and returns
	// when they end the handover, or when nobody took it within timeout
	// (0: no timeout). It is durable: a handover pending when the server
	// stops is waited for again after a restart, on any node.
	Transfer(ctx context.Context, reason string, timeout time.Duration) (TransferOutcome, error)
	// LLM asks a language model for a reply (LLM) and returns it. Unless
	// req.Silent, the reply streams to the conversation while it is
	// written (EventStream) and is then stored as a bot message. A replay
	// answers from the journal and calls nothing. A call that failed is
	// an *LLMError, the script's to handle (and journaled); any other
	// error is the host's.
	LLM(ctx context.Context, req LLMRequest) (string, error)
	// History returns the last n messages of the conversation, oldest
	// first, for a prompt (HISTORY); a replay answers from the journal.
	History(ctx context.Context, n int) ([]HistoryMessage, error)
	// Replaying reports whether the host answers from the journal: side
	// effects outside the host (LOG lines) should be skipped.
	Replaying() bool
}
