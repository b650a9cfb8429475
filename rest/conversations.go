package rest

import (
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

func (h *Handler) patchConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Status *string `json:"status"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Status == nil {
		return runtime.Errorf(runtime.KindInvalid, "nothing to change: send {\"status\":\"archived\"}")
	}
	s, err := h.hub.SetStatus(r.Context(), id, runtime.SessionID(r.PathValue("id")), *req.Status)
	if err != nil {
		return err
	}
	bot, _ := h.hub.Bot(s.BotID)
	name := string(s.BotID)
	if bot != nil {
		name = bot.Name
	}
	writeJSON(w, http.StatusOK, newConversationJSON(s, name, nil))
	return nil
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
