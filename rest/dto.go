package rest

import (
	"encoding/json"
	"time"

	"parley/runtime"
)

// The wire shapes of protocol §4.

type messageJSON struct {
	ID          string          `json:"id"`
	Seq         int64           `json:"seq"`
	SessionID   string          `json:"session_id"`
	Sender      string          `json:"sender"`
	Content     string          `json:"content"`
	Timestamp   string          `json:"timestamp"`
	ClientID    string          `json:"client_id,omitempty"`
	Attachments json.RawMessage `json:"attachments,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
}

func newMessageJSON(m *runtime.Message) messageJSON {
	return messageJSON{
		ID: m.ID, Seq: m.Seq, SessionID: string(m.SessionID), Sender: string(m.Sender),
		Content: m.Content, Timestamp: timestamp(m.CreatedAt), ClientID: m.ClientID,
		Attachments: m.Attachments, Metadata: m.Metadata,
	}
}

type conversationJSON struct {
	ID             string  `json:"id"`
	ConversationID string  `json:"conversation_id"`
	SessionID      string  `json:"session_id"`
	BotID          string  `json:"bot_id"`
	BotName        string  `json:"bot_name"`
	Status         string  `json:"status"`
	LastMessage    *string `json:"last_message"`
	LastActivity   string  `json:"last_activity"`
	LastSeq        int64   `json:"last_seq"`
	ReadSeq        int64   `json:"read_seq"`
	CreatedAt      string  `json:"created_at"`
}

func newConversationJSON(s *runtime.Session, botName string, last *runtime.Message) conversationJSON {
	c := conversationJSON{
		ID: string(s.ID), ConversationID: string(s.ID), SessionID: string(s.ID),
		BotID: string(s.BotID), BotName: botName, Status: s.Status,
		LastActivity: timestamp(s.LastActivity), LastSeq: s.LastSeq, ReadSeq: s.ReadSeq,
		CreatedAt: timestamp(s.CreatedAt),
	}
	if last != nil {
		c.LastMessage = &last.Content
	}
	return c
}

type botJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
}

// timestamp is RFC 3339 in UTC at full precision, so that a message's own
// timestamp can be passed back as before/after.
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
