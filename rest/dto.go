package rest

import (
	"parley/runtime"
	"parley/wire"
)

// The wire shapes of protocol §4.

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
		LastActivity: wire.Timestamp(s.LastActivity), LastSeq: s.LastSeq, ReadSeq: s.ReadSeq,
		CreatedAt: wire.Timestamp(s.CreatedAt),
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
