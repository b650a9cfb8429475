package rest

import (
	"encoding/json"
	"net/http"

	"parley/runtime"
)

func (h *Handler) startConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		BotID          string `json:"bot_id"`
		InitialMessage string `json:"initial_message"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	s, err := h.hub.StartConversation(r.Context(), id, runtime.BotID(req.BotID), req.InitialMessage)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{
		"conversation_id": string(s.ID), "session_id": string(s.ID),
		"bot_id": string(s.BotID), "status": s.Status,
	})
	return nil
}

// createConversation is POST /api/conversations: a conversation with a
// bot (the default when bot_id is left out), a title, participants and
// metadata; 201 with the conversation.
func (h *Handler) createConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	return h.createWith(w, r, id, "")
}

// createWith creates a conversation; bot, when set, is the path's and
// the body may not name one.
func (h *Handler) createWith(w http.ResponseWriter, r *http.Request, id runtime.Identity, bot runtime.BotID) error {
	var req struct {
		BotID          *string         `json:"bot_id"`
		Title          string          `json:"title"`
		Participants   []string        `json:"participants"`
		Metadata       json.RawMessage `json:"metadata"`
		InitialMessage string          `json:"initial_message"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if string(req.Metadata) == "null" {
		req.Metadata = nil
	}
	switch {
	case bot != "" && req.BotID != nil:
		return runtime.Errorf(runtime.KindInvalid, "the bot is the path's: leave bot_id out")
	case req.BotID != nil:
		bot = runtime.BotID(*req.BotID)
	}
	s, err := h.hub.CreateConversation(r.Context(), id, runtime.NewConversation{
		BotID: bot, Title: req.Title, Participants: req.Participants,
		Metadata: req.Metadata, Initial: req.InitialMessage,
	})
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, http.StatusCreated, s)
}

func (h *Handler) listConversations(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	f, err := parseListQuery(r.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := h.hub.Conversations(r.Context(), id, f)
	if err != nil {
		return err
	}
	out := make([]conversationJSON, len(rows))
	for i, c := range rows {
		out[i] = newConversationJSON(&c.Session, c.BotName, c.LastMessage)
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out, "total": total})
	return nil
}

// patchConversation is PATCH /api/conversations/:id {status?, title?,
// support_status?, note?}: 200 with the conversation, every field changed
// or none. note goes with support_status resolved or closed.
func (h *Handler) patchConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Status        *string `json:"status"`
		Title         *string `json:"title"`
		SupportStatus *string `json:"support_status"`
		Note          *string `json:"note"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Status == nil && req.Title == nil && req.SupportStatus == nil {
		return runtime.Errorf(runtime.KindInvalid, "nothing to change: send {\"status\":\"archived\"}, {\"title\":\"…\"} or {\"support_status\":\"resolved\"}")
	}
	s, err := h.hub.Patch(r.Context(), id, runtime.SessionID(r.PathValue("id")), runtime.ConversationPatch{
		Title: req.Title, Status: req.Status, SupportStatus: req.SupportStatus, Note: req.Note,
	})
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, http.StatusOK, s)
}

// setBot is POST /api/conversations/:id/bots {enabled}: the bot of the
// conversation on or off; 200 with the conversation.
func (h *Handler) setBot(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Enabled == nil {
		return runtime.Errorf(runtime.KindInvalid, "send {\"enabled\":true} or {\"enabled\":false}")
	}
	s, err := h.hub.SetBot(r.Context(), id, runtime.SessionID(r.PathValue("id")), *req.Enabled)
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, http.StatusOK, s)
}

// writeConversation answers with s as the list shows it, its last
// message included.
func (h *Handler) writeConversation(w http.ResponseWriter, r *http.Request, status int, s *runtime.Session) error {
	last, err := h.hub.LastMessage(r.Context(), s)
	if err != nil {
		return err
	}
	writeJSON(w, status, newConversationJSON(s, h.botName(s.BotID), last))
	return nil
}

// botName is a bot's name, or its id when it is no longer loaded.
func (h *Handler) botName(bot runtime.BotID) string {
	if b, err := h.hub.Bot(bot); err == nil {
		return b.Name
	}
	return string(bot)
}

// deleteConversation deletes one of the caller's conversations: 204.
func (h *Handler) deleteConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	if err := h.hub.DeleteConversation(r.Context(), id, runtime.SessionID(r.PathValue("id"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listBots(w http.ResponseWriter, r *http.Request, _ runtime.Identity) error {
	bots := h.hub.Bots()
	out := make([]botJSON, len(bots))
	for i, b := range bots {
		out[i] = botJSON{ID: string(b.ID), Name: b.Name, Description: b.Description, Default: b.Default}
	}
	writeJSON(w, http.StatusOK, map[string]any{"bots": out})
	return nil
}

func (h *Handler) issueTicket(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	ticket, ttl, err := h.hub.IssueTicket(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket": ticket, "expires_in": int(ttl.Seconds())})
	return nil
}
