package ws

import (
	"encoding/json"
	"time"
	"unicode/utf8"

	"parley/runtime"
	"parley/wire"
)

// inFrame is every frame a client may send; Type says which fields count.
type inFrame struct {
	Type        string          `json:"type"`
	Content     string          `json:"content"`
	SessionID   string          `json:"session_id"`
	ClientID    string          `json:"client_id"`
	Attachments json.RawMessage `json:"attachments"`
	Seq         *int64          `json:"seq"`
	Active      bool            `json:"active"` // typing; missing is false
	After       *int64          `json:"after"`  // join; missing: no replay
}

// decodeFrame parses one client frame. Errors are KindInvalid with a
// message that says what was wrong.
func decodeFrame(data []byte) (*inFrame, error) {
	if !utf8.Valid(data) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame is not valid UTF-8")
	}
	if err := runtime.CheckJSONDepth(data); err != nil {
		return nil, err
	}
	var f inFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame is not a JSON object: %v", err)
	}
	switch f.Type {
	case "message", "typing":
	case "read":
		if f.Seq == nil {
			return nil, runtime.Errorf(runtime.KindInvalid, "a read frame needs seq")
		}
	case "join", "leave":
		if f.SessionID == "" {
			return nil, runtime.Errorf(runtime.KindInvalid, "a %s frame needs session_id", f.Type)
		}
		if f.After != nil && *f.After < 0 {
			return nil, runtime.Errorf(runtime.KindInvalid, "after must be a message seq (a whole number >= 0)")
		}
	case "":
		return nil, runtime.Errorf(runtime.KindInvalid, "the frame has no type")
	default:
		return nil, runtime.Errorf(runtime.KindInvalid, "unknown frame type %q", f.Type)
	}
	return &f, nil
}

// typingFrame is a person's typing (with user) or the bot's (without).
type typingFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	Sender    string `json:"sender"`
	User      string `json:"user,omitempty"`
	Active    bool   `json:"active"`
}

// readFrame is a read receipt: reader has read up to seq.
type readFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	Seq       int64  `json:"seq"`
	Reader    string `json:"reader"`
}

// presenceFrame says that user, one of the people of the conversation,
// came online or went offline.
type presenceFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	User      string `json:"user"`
	Role      string `json:"role"`
	Online    bool   `json:"online"`
}

type suggestionFrame struct {
	Type        string   `json:"type"`
	SessionID   string   `json:"session_id"`
	Suggestions []string `json:"suggestions"`
}

type statusFrame struct {
	Type        string `json:"type"`
	Status      string `json:"status"`
	SessionID   string `json:"session_id"`
	BotID       string `json:"bot_id,omitempty"`
	LastSeq     *int64 `json:"last_seq,omitempty"`
	Anonymous   *bool  `json:"anonymous,omitempty"`
	ResumeToken string `json:"resume_token,omitempty"`
	// agent_joined: who joined (user id, and name as their messages have it).
	User string `json:"user,omitempty"`
	Name string `json:"name,omitempty"`
}

type errorFrame struct {
	Type         string `json:"type"`
	Code         string `json:"code"`
	Message      string `json:"message"`
	SessionID    string `json:"session_id,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	RetryAfterMS int64  `json:"retry_after_ms,omitempty"`
}

// streamFrame is a bot message still being written: the whole text so
// far, under the id its final message frame will have.
type streamFrame struct {
	Type      string `json:"type"`
	SessionID string `json:"session_id"`
	ID        string `json:"id"`
	Sender    string `json:"sender"`
	Content   string `json:"content"`
}

// notificationFrame tells a socket of a new message in another
// conversation of its user.
type notificationFrame struct {
	Type      string       `json:"type"`
	SessionID string       `json:"session_id"`
	Message   wire.Message `json:"message"`
}

// newMessageFrame is m as a message frame.
func newMessageFrame(m *runtime.Message) wire.Message {
	f := wire.NewMessage(m)
	f.Type = "message"
	return f
}

// encodeEvent returns the frame for one event.
func encodeEvent(e *runtime.Event) ([]byte, error) {
	sid := string(e.SessionID)
	switch e.Type {
	case runtime.EventMessage:
		return json.Marshal(newMessageFrame(e.Message))
	case runtime.EventTyping:
		return json.Marshal(typingFrame{"typing", sid, string(e.Sender), e.User, e.Active})
	case runtime.EventRead:
		return json.Marshal(readFrame{"read", sid, e.Seq, e.User})
	case runtime.EventSuggestion:
		return json.Marshal(suggestionFrame{"suggestion", sid, nonNil(e.Suggestions)})
	case runtime.EventStatus:
		return json.Marshal(statusFrame{Type: "status", Status: e.Status, SessionID: sid, User: e.Agent, Name: e.AgentName})
	case runtime.EventPresence:
		return json.Marshal(presenceFrame{"presence", sid, e.User, e.Role, e.Online})
	case runtime.EventStream:
		return json.Marshal(streamFrame{"stream", sid, e.Message.ID, string(e.Message.Sender), e.Message.Content})
	case runtime.EventNotification:
		return json.Marshal(notificationFrame{Type: "notification", SessionID: sid, Message: newMessageFrame(e.Message)})
	default:
		return json.Marshal(errorFrame{
			Type: "error", Code: wireCode(e.Code), Message: e.Text, SessionID: sid,
			ClientID: e.ClientID, RetryAfterMS: (e.RetryAfter + time.Millisecond - 1).Milliseconds(), // rounded up
		})
	}
}

// connectedFrame is the first frame of every connection.
func connectedFrame(sub *runtime.Subscription) statusFrame {
	s := sub.Session
	return statusFrame{
		Type: "status", Status: runtime.StatusConnected, SessionID: string(s.ID),
		BotID: string(s.BotID), LastSeq: &s.LastSeq, Anonymous: &s.Anonymous,
		ResumeToken: sub.ResumeToken,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
