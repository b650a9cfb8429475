package rest

import (
	"encoding/json"

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
	// People (docs/support.md).
	Title         string          `json:"title"`
	UserID        string          `json:"user_id"`
	Participants  []string        `json:"participants"`
	SupportStatus string          `json:"support_status"`
	AssignedAgent *string         `json:"assigned_agent"`
	BotEnabled    bool            `json:"bot_enabled"`
	Metadata      json.RawMessage `json:"metadata"`
	// The handover (TRANSFER) and its resolution.
	TransferReason string  `json:"transfer_reason"`
	WaitingSince   *string `json:"waiting_since"`
	ResolvedBy     string  `json:"resolved_by"`
	Note           string  `json:"note"`
}

func newConversationJSON(s *runtime.Session, botName string, last *runtime.Message) conversationJSON {
	c := conversationJSON{
		ID: string(s.ID), ConversationID: string(s.ID), SessionID: string(s.ID),
		BotID: string(s.BotID), BotName: botName, Status: s.Status,
		LastActivity: wire.Timestamp(s.LastActivity), LastSeq: s.LastSeq, ReadSeq: s.ReadSeq,
		CreatedAt: wire.Timestamp(s.CreatedAt),
		Title:     s.Title, UserID: s.UserID, Participants: s.Members, SupportStatus: s.SupportStatus,
		Metadata: s.Metadata, BotEnabled: !s.BotOff,
		TransferReason: s.TransferReason, ResolvedBy: s.ResolvedBy, Note: s.SupportNote,
	}
	if !s.WaitingSince.IsZero() {
		t := wire.Timestamp(s.WaitingSince)
		c.WaitingSince = &t
	}
	if c.Participants == nil {
		c.Participants = []string{}
	}
	if c.SupportStatus == "" {
		c.SupportStatus = runtime.SupportOpen
	}
	if s.AssignedAgent != "" {
		c.AssignedAgent = &s.AssignedAgent
	}
	if len(c.Metadata) == 0 {
		c.Metadata = json.RawMessage(`{}`)
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
