// Package wire holds the shapes that clients see the same way on every
// channel: a message is one JSON object on /ws, in REST history and in
// whatever channel comes next, so a client parses it once. It also holds
// the one table of HTTP statuses for error kinds (status.go), which every
// HTTP API answers by. ws, rest and supportapp use it (they never import
// each other); it knows only runtime.
package wire

import (
	"encoding/json"
	"time"

	"parley/runtime"
)

// Message is a message as clients see it (protocol §3 and §4). On /ws it
// is a frame with Type "message"; elsewhere Type is left out.
type Message struct {
	Type        string          `json:"type,omitempty"`
	ID          string          `json:"id"`
	Seq         int64           `json:"seq"`
	SessionID   string          `json:"session_id"`
	Sender      string          `json:"sender"`
	SenderName  string          `json:"sender_name,omitempty"`
	Content     string          `json:"content"`
	Timestamp   string          `json:"timestamp"`
	ClientID    string          `json:"client_id,omitempty"`
	Attachments json.RawMessage `json:"attachments,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
}

// NewMessage is m's wire shape, without Type.
func NewMessage(m *runtime.Message) Message {
	return Message{
		ID: m.ID, Seq: m.Seq, SessionID: string(m.SessionID), Sender: string(m.Sender), SenderName: m.SenderName,
		Content: m.Content, Timestamp: Timestamp(m.CreatedAt), ClientID: m.ClientID,
		Attachments: m.Attachments, Metadata: m.Metadata,
	}
}

// Timestamp is how every time is written: RFC 3339 in UTC with as much
// precision as stored, so a client can page history with a message's own
// timestamp.
func Timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
