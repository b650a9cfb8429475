package wire

import (
	"encoding/json"

	"parley/runtime"
)

// conversationFrame is a feed event of a conversation started (change
// "created") or whose status, support status or agent changed
// ("updated"): its state after the change.
type conversationFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	Change    string `json:"change"`
	runtime.FeedConversation
}

// resetFrame says that events were lost to the feed's retention.
type resetFrame struct {
	Type string `json:"type"`
}

// FeedFrame returns the frame of a feed event and its type: a message or
// a read receipt as /ws sends it, a conversation frame, or a reset.
func FeedFrame(e *runtime.FeedEvent) (string, []byte, error) {
	if e.Reset {
		data, err := json.Marshal(resetFrame{"reset"})
		return "reset", data, err
	}
	r := e.Row
	switch r.Kind {
	case runtime.FeedMessage:
		data, err := EncodeEvent(&runtime.Event{Type: runtime.EventMessage, SessionID: r.SessionID, Message: e.Message})
		return "message", data, err
	case runtime.FeedRead:
		data, err := EncodeEvent(&runtime.Event{Type: runtime.EventRead, SessionID: r.SessionID, User: r.Reader, Seq: r.Seq})
		return "read", data, err
	}
	f := conversationFrame{Type: "conversation", SessionID: string(r.SessionID), Change: string(r.Kind)}
	if r.Conversation != nil {
		f.FeedConversation = *r.Conversation
	}
	data, err := json.Marshal(f)
	return "conversation", data, err
}
