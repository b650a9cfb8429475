package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// A dialog is durable because everything it does is written to a journal,
// in the same transaction as its effects: the user messages it took
// (EntryHear), what it said and did, and every value that could differ on
// a second run (NOW, RANDOM, GET, WAIT deadlines, HTTP responses, LLM replies,
// HISTORY). To
// bring a dialog back after eviction or a crash, the runtime runs its
// script again from the top, answers each keyword from the journal
// instead of doing it, and goes live where the journal ends (replay.go).

// Journal entry kinds.
const (
	EntryHear    = "hear"    // the dialog took a user message: Seq, Value = its content, or with Found the JSON of its content and attachments (hearEntry)
	EntryPark    = "park"    // the dialog waits in HEAR with nothing left to take
	EntryTalk    = "talk"    // it said something; Value = a hash of the text (and files), then " " and the error of a TALK refused (host_talk.go)
	EntrySuggest = "suggest" // it set suggestions
	EntryNow     = "now"     // NOW(): Value = the time, RFC 3339 with nanoseconds
	EntryRandom  = "random"  // RANDOM(): Value = "N LO HI"
	EntryGet     = "get"     // GET(): Value = the JSON value; Found = whether set
	EntrySet     = "set"     // SET(): Value = the key
	EntryWait    = "wait"    // WAIT(): Value = the deadline, RFC 3339 with nanoseconds
	EntryHTTP    = "http"    // HTTP_GET/POST: Value = JSON {req hash, status, body} or {req hash, error} (host_http.go)
	EntryLLM     = "llm"     // LLM(): Value = JSON {req hash, reply} or {req hash, error} (host_llm.go)
	EntryHistory = "history" // HISTORY(): Value = JSON list of HistoryMessage

	EntryTransfer    = "transfer"    // TRANSFER began: Value = JSON {reason, deadline} (transfer.go)
	EntryTransferred = "transferred" // TRANSFER returned: Value = JSON TransferOutcome
)

// JournalEntry is one step of a dialog's current run.
type JournalEntry struct {
	Run   int64
	Index int64 // position in the run, from 1
	Kind  string
	Value string
	Found bool  // EntryGet: whether set; EntryHear: Value is JSON (hearEntry)
	Seq   int64 // EntryHear: the message's seq
}

// hearEntry is the journal entry of a HEAR that took m. Its Value is m's
// content; when m has attachments it is the JSON of heardValue instead,
// and Found says so, so that a replay gives HEAR the attachments too (an
// entry without Found, as all were before attachments, is plain content).
func hearEntry(m *Message) JournalEntry {
	e := JournalEntry{Kind: EntryHear, Seq: m.Seq, Value: m.Content}
	if len(m.Attachments) > 0 && hasAttachments(m.Attachments) {
		if b, err := json.Marshal(heardValue{Content: m.Content, Attachments: m.Attachments}); err == nil {
			e.Value, e.Found = string(b), true
		}
	}
	return e
}

// heardValue is the Value of an EntryHear with Found.
type heardValue struct {
	Content     string          `json:"content"`
	Attachments json.RawMessage `json:"attachments"`
}

// heardMessage is the user message a HEAR entry of conversation sid
// took, as a replay gives it to the dialog again.
func heardMessage(sid SessionID, e JournalEntry) (*Message, error) {
	m := &Message{SessionID: sid, Seq: e.Seq, Sender: SenderUser, Content: e.Value}
	if e.Found {
		var v heardValue
		if err := json.Unmarshal([]byte(e.Value), &v); err != nil {
			return nil, divergence(EntryHear+" of a message that can be read", e)
		}
		m.Content, m.Attachments = v.Content, v.Attachments
	}
	return m, nil
}

// Script is one version of a bot's script. Version is a hash of Source:
// a conversation pins the version its run started with.
type Script struct {
	Bot     BotID
	Version string
	Source  string
}

// MemoryWrite is a SET.
type MemoryWrite struct {
	Scope MemoryScope
	Key   string
	Value string // JSON; "" deletes
}

// RunState starts or ends a run of a conversation's script.
type RunState struct {
	Run     int64  // the run number
	Ended   bool   // the run returned or failed: its journal is deleted
	Version string // the script version the run uses (when starting)
}

// DialogWrite is what a dialog changes between two commits, written in
// one transaction: journal entries, bot messages, memory, suggestions and
// the conversation's dialog state. Nothing of it is visible to anyone
// before it has committed.
//
// Its Uploads (of a TALK with files) are linked to the conversation as
// LinkUploads does, so an upload becomes reachable with the message that
// shows it; one stored for a write that never commits stays an orphan,
// which the sweep deletes.
type DialogWrite struct {
	SessionID   SessionID
	Entries     []JournalEntry // appended to the journal
	Messages    []*Message     // bot messages; ID, Seq and CreatedAt are set on commit
	Uploads     []string       // the uploads Messages carry, linked with them (above)
	Memory      []MemoryWrite
	Suggestions *[]string
	ConsumedSeq int64      // raises the session's ConsumedSeq to this (0: unchanged)
	WakeAt      *time.Time // sets the WAIT deadline (zero time: clears it)
	Run         *RunState  // starts or ends a run
	// MessageEntries says, for each of Messages, which of Entries is
	// its TALK (an index; -1: none, as for an LLM reply). A message and
	// its TALK are written together, so a store may keep the entry in
	// the message's row rather than in a journal row of its own (as it
	// may the HEAR of Input), provided Journal gives it back in order.
	// Nil: no message has an entry.
	MessageEntries []int
	// Input, when set, is the user message the write answers, not yet
	// stored (a turn in one commit, early.go): the store appends it first,
	// as AppendMessage would (the next seq, LastUserSeq, the suggestions
	// in force cleared; Input gets its ID, Seq and CreatedAt), then gives
	// its seq to the journal entry Entries[InputEntry] and to ConsumedSeq,
	// and writes the rest after it. If a message with Input's client id is
	// stored already, nothing of w is written: CommitDialog returns
	// ErrInputStored, and Input holds the stored message. If the session
	// holds a user message the dialog has not taken (LastUserSeq >
	// ConsumedSeq: another node stored it meanwhile), nothing of w is
	// written either: CommitDialog returns ErrInputBehind, as the dialog
	// must hear that message first.
	Input      *Message
	InputEntry int
	// Fence is the lease the write was made under (cluster.go); the store
	// refuses the write with ErrNotRunner once the conversation's fence
	// has moved on. 0: a single node, not checked.
	Fence int64
}

// ErrInputStored is CommitDialog's answer to a DialogWrite whose Input
// was stored before (its client id is taken): nothing was written.
var ErrInputStored = errors.New("the message was stored before")

// ErrInputBehind is CommitDialog's answer to a DialogWrite whose Input
// would be stored behind a user message the dialog has not heard yet
// (another node stored it meanwhile): nothing was written.
var ErrInputBehind = errors.New("a message the dialog has not heard comes before the input")

// DialogStore keeps durable dialogs.
type DialogStore interface {
	// CommitDialog applies w in one transaction. A RunState that ends a run
	// deletes the run's journal (including w.Entries) and sets RunEnded; one
	// that starts a run sets Run, ScriptVersion and clears RunEnded.
	// Messages move LastSeq and LastActivity as AppendMessage does.
	CommitDialog(ctx context.Context, w *DialogWrite) error
	// Journal returns the entries of one run of a conversation, in order.
	Journal(ctx context.Context, sid SessionID, run int64) ([]JournalEntry, error)
	// SaveScript stores a script version; saving one again is not an error.
	SaveScript(ctx context.Context, sc *Script) error
	// FindScript returns a stored version, or KindNotFound.
	FindScript(ctx context.Context, bot BotID, version string) (*Script, error)
	// PendingDialogs lists the conversations whose dialog has work to do
	// without a new message: a user message it has not taken
	// (LastUserSeq > ConsumedSeq), a WAIT deadline (WakeAt set), or a run
	// that is neither ended nor parked (its last journal entry is not
	// EntryPark), as after a crash in the middle of a turn.
	PendingDialogs(ctx context.Context) ([]PendingDialog, error)
}

// PendingDialog is a conversation to bring back at start-up.
type PendingDialog struct {
	SessionID SessionID
	WakeAt    time.Time // zero: now
}
