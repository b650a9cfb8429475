package rest

import (
	"net/http"

	"parley/runtime"
	"parley/wire"
)

// A user's conversations with one bot, and their inbox (protocol §6).

// roles name a message's sender as chat clients and LLM prompts do.
var roles = map[runtime.Sender]string{
	runtime.SenderUser: "user", runtime.SenderBot: "assistant", runtime.SenderAgent: "agent",
}

// botHistory is GET /api/bots/:id/history?limit=&conversation_id=:
// {conversation_id, messages:[{role, content, created_at}]}, the newest
// limit (default 20) messages, oldest first.
func (h *Handler) botHistory(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	v := r.URL.Query()
	limit, err := intParam(v, "limit", 20, 1, maxHistoryLimit)
	if err != nil {
		return err
	}
	s, msgs, err := h.hub.BotHistory(r.Context(), id, runtime.BotID(r.PathValue("id")), runtime.SessionID(v.Get("conversation_id")), limit)
	if err != nil {
		return err
	}
	type line struct {
		Role      string `json:"role"`
		Content   string `json:"content"`
		CreatedAt string `json:"created_at"`
	}
	out := make([]line, len(msgs))
	for i, m := range msgs {
		out[i] = line{Role: roles[m.Sender], Content: m.Content, CreatedAt: wire.Timestamp(m.CreatedAt)}
	}
	var sid *runtime.SessionID
	if s != nil {
		sid = &s.ID
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversation_id": sid, "messages": out})
	return nil
}

// botConversations is GET /api/bots/:id/conversations: the caller's
// conversations with the bot, as GET /api/conversations?bot_id= lists
// them.
func (h *Handler) botConversations(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	bot, err := h.hub.Bot(runtime.BotID(r.PathValue("id")))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	q.Set("bot_id", string(bot.ID))
	r.URL.RawQuery = q.Encode()
	return h.listConversations(w, r, id)
}

// createBotConversation is POST /api/bots/:id/conversations {title?,
// participants?, metadata?, initial_message?}: POST /api/conversations
// with the bot of the path.
func (h *Handler) createBotConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	return h.createWith(w, r, id, runtime.BotID(r.PathValue("id")))
}

// inbox is GET /api/inbox?limit=&offset=: {conversations:[{conversation_id,
// bot_id, bot_name, title, status, unread, read_seq, last_seq,
// last_message, last_activity}], total}, most recent activity first.
func (h *Handler) inbox(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	v := r.URL.Query()
	limit, err := intParam(v, "limit", defaultListLimit, 1, maxListLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(v, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	rows, total, err := h.hub.Inbox(r.Context(), id, limit, offset)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(rows))
	for i, e := range rows {
		var last *wire.Message
		if e.LastMessage != nil {
			m := wire.NewMessage(e.LastMessage)
			last = &m
		}
		out[i] = map[string]any{
			"conversation_id": e.ID, "bot_id": e.BotID, "bot_name": e.BotName, "title": e.Title,
			"status": e.Status, "unread": e.Unread, "read_seq": e.ReadSeq, "last_seq": e.LastSeq,
			"last_message": last, "last_activity": wire.Timestamp(e.LastActivity),
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out, "total": total})
	return nil
}
