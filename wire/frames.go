package wire

import (
	"encoding/json"
	"time"

	"parley/runtime"
)

// The server's frames. Every channel that streams a conversation (the
// /ws socket, the SSE streams of rest) writes an event as EncodeEvent
// does, so a client that parses a /ws frame parses an SSE event's data.

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

// Suggestion is the frame of the quick replies in force (empty: none).
type Suggestion struct {
	Type        string   `json:"type"`
	SessionID   string   `json:"session_id"`
	Suggestions []string `json:"suggestions"`
}

// Status is a status frame: connected (the first frame of a stream), the
// support desk's statuses, shutting_down, …
type Status struct {
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
	Type      string  `json:"type"`
	SessionID string  `json:"session_id"`
	Message   Message `json:"message"`
}

// MessageFrame is m as a message frame.
func MessageFrame(m *runtime.Message) Message {
	f := NewMessage(m)
	f.Type = "message"
	return f
}

// SuggestionFrame is the frame of suggestions in force in sid.
func SuggestionFrame(sid runtime.SessionID, s []string) Suggestion {
	return Suggestion{"suggestion", string(sid), nonNil(s)}
}

// EncodeEvent returns the frame of one event, as JSON.
func EncodeEvent(e *runtime.Event) ([]byte, error) {
	sid := string(e.SessionID)
	switch e.Type {
	case runtime.EventMessage:
		return json.Marshal(MessageFrame(e.Message))
	case runtime.EventTyping:
		return json.Marshal(typingFrame{"typing", sid, string(e.Sender), e.User, e.Active})
	case runtime.EventRead:
		return json.Marshal(readFrame{"read", sid, e.Seq, e.User})
	case runtime.EventSuggestion:
		return json.Marshal(SuggestionFrame(e.SessionID, e.Suggestions))
	case runtime.EventStatus:
		return json.Marshal(Status{Type: "status", Status: e.Status, SessionID: sid, User: e.Agent, Name: e.AgentName})
	case runtime.EventPresence:
		return json.Marshal(presenceFrame{"presence", sid, e.User, e.Role, e.Online})
	case runtime.EventStream:
		return json.Marshal(streamFrame{"stream", sid, e.Message.ID, string(e.Message.Sender), e.Message.Content})
	case runtime.EventNotification:
		return json.Marshal(notificationFrame{Type: "notification", SessionID: sid, Message: MessageFrame(e.Message)})
	default:
		return json.Marshal(errorFrame{
			Type: "error", Code: Code(e.Code), Message: e.Text, SessionID: sid,
			ClientID: e.ClientID, RetryAfterMS: (e.RetryAfter + time.Millisecond - 1).Milliseconds(), // rounded up
		})
	}
}

// Connected is the first frame of every stream of a conversation: its
// last_seq says that every message with a higher seq follows.
func Connected(sub *runtime.Subscription) Status {
	s := sub.Session
	return Status{
		Type: "status", Status: runtime.StatusConnected, SessionID: string(s.ID),
		BotID: string(s.BotID), LastSeq: &s.LastSeq, Anonymous: &s.Anonymous,
		ResumeToken: sub.ResumeToken,
	}
}

// Code is the error code a client sees for k. Too many connections is a
// rate limit to the client (protocol §4: "a refused socket gets
// rate_limited, close 4029").
func Code(k runtime.Kind) string {
	if k == runtime.KindTooMany {
		return string(runtime.KindRateLimited)
	}
	return string(k)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
