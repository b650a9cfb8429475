package rest

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"parley/runtime"
	"parley/wire"
)

// Chat with a bot over request and response (protocol §6, "Streams and
// bot APIs"): POST /api/bots/:id/chat sends one message and answers with
// the bot's reply once the turn is over, or after ChatTimeout with what
// there is; …/chat/stream (chat_stream.go) gives the reply as it comes.
// Both run on runtime.Hub.Chat: the path of a socket's message.

// chatRequest is the body of both chat calls.
type chatRequest struct {
	Message        string `json:"message"`
	ConversationID string `json:"conversation_id"`
	ClientID       string `json:"client_id"`
}

// startChat decodes the request and sends its message.
func (h *Handler) startChat(r *http.Request, id runtime.Identity) (*runtime.Turn, error) {
	var req chatRequest
	if err := decode(r, &req); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Message) == "" {
		return nil, runtime.Errorf(runtime.KindInvalidMsg, "message is required: send {\"message\":\"…\"}")
	}
	return h.hub.Chat(r.Context(), id, runtime.ChatRequest{
		BotID: runtime.BotID(r.PathValue("id")), SessionID: runtime.SessionID(req.ConversationID),
		Content: req.Message, ClientID: req.ClientID,
	})
}

// chat is POST /api/bots/:id/chat: 200 {response, bot_id, bot_name,
// conversation_id, messages, complete}.
func (h *Handler) chat(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	turn, err := h.startChat(r, id)
	if err != nil {
		return err
	}
	defer turn.Close()
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.ChatTimeout)
	defer cancel()
	err = turn.Wait(ctx)
	complete := err == nil && !turn.Elsewhere
	if err != nil && (r.Context().Err() != nil || !errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	reply, err := turn.Reply(r.Context())
	if err != nil {
		return err
	}
	texts := make([]string, len(reply))
	msgs := make([]wire.Message, len(reply))
	for i, m := range reply {
		texts[i], msgs[i] = m.Content, wire.NewMessage(m)
	}
	bot := turn.Session.BotID
	writeJSON(w, http.StatusOK, map[string]any{
		"response": strings.Join(texts, "\n"), "bot_id": bot, "bot_name": h.botName(bot),
		"conversation_id": turn.Session.ID, "messages": msgs, "complete": complete,
	})
	return nil
}
