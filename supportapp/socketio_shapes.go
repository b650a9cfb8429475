package supportapp

import (
	"encoding/json"
	"strings"

	"parley/runtime"
)

// The payloads of the Socket.IO events (docs/socketio.md), beside the
// objects of shapes.go that they carry.

// inPayload is what the client events carry; each event reads its own
// fields of it.
type inPayload struct {
	ConversationID string          `json:"conversationId"`
	MessageID      string          `json:"messageId"`
	MessageType    string          `json:"messageType"`
	Content        string          `json:"content"`
	MediaID        json.RawMessage `json:"mediaId"`
	ClientID       string          `json:"clientId"`
}

// newMessageOut is message:new.
type newMessageOut struct {
	Message        Message `json:"message"`
	ConversationID string  `json:"conversationId"`
}

// sentOut is message:sent, and the acknowledgement of message:send.
type sentOut struct {
	MessageID string `json:"messageId"`
	Timestamp string `json:"timestamp"`
	ClientID  string `json:"clientId,omitempty"`
}

// notificationOut is notification:new-message.
type notificationOut struct {
	ConversationID string   `json:"conversationId"`
	Message        Message  `json:"message"`
	Sender         senderID `json:"sender"`
}

type senderID struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// typingOut is typing:user-typing (with UserName) and
// typing:user-stopped (without).
type typingOut struct {
	ConversationID string `json:"conversationId"`
	UserID         string `json:"userId"`
	UserName       string `json:"userName,omitempty"`
}

// receiptOut is message:read-receipt.
type receiptOut struct {
	MessageID      string `json:"messageId"`
	ConversationID string `json:"conversationId"`
	ReadBy         string `json:"readBy"`
	ReadAt         string `json:"readAt"`
}

// presenceOut is user:online and user:offline.
type presenceOut struct {
	UserID string `json:"userId"`
}

// errorOut is error: what went wrong with one of the client's events.
type errorOut struct {
	Message string `json:"message"`
	// ConversationID names the conversation the failed event was about,
	// when it named one.
	ConversationID string `json:"conversationId,omitempty"`
	// Code is Parley's error kind (invalid, forbidden, not_found, …).
	Code string `json:"code,omitempty"`
}

func errorPayload(err error) errorOut {
	return errorOut{Message: runtime.ErrorMessage(err), Code: string(runtime.ErrorKind(err))}
}

// fullName is a user's name as one string.
func fullName(u User) string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }
