package rest

import (
	"encoding/json"
	"net/http"

	"parley/runtime"
	"parley/wire"
)

func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Content     string          `json:"content"`
		Attachments json.RawMessage `json:"attachments"`
		ClientID    string          `json:"client_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	m, _, err := h.hub.Send(r.Context(), id, runtime.SendRequest{
		SessionID: runtime.SessionID(r.PathValue("id")), Content: req.Content,
		ClientID: req.ClientID, Attachments: req.Attachments,
	})
	if err != nil {
		return err
	}
	// A repeated client_id answers with the stored message, as the first
	// send did: retries are safe.
	writeJSON(w, http.StatusCreated, map[string]any{
		"message_id": m.ID, "seq": m.Seq, "timestamp": wire.Timestamp(m.CreatedAt), "status": "delivered",
	})
	return nil
}

func (h *Handler) history(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	q, err := parseHistoryQuery(r.URL.Query())
	if err != nil {
		return err
	}
	msgs, more, err := h.hub.History(r.Context(), id, runtime.SessionID(r.PathValue("id")), q)
	if err != nil {
		return err
	}
	out := make([]wire.Message, len(msgs))
	for i, m := range msgs {
		out[i] = wire.NewMessage(m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"messages": out, "has_more": more})
	return nil
}

// markRead is POST /api/conversations/:id/read {seq}: the caller has read
// up to seq. It answers 200 {read_seq} with the caller's read mark, which
// only moves forward and never past the last message; the other sockets
// of the conversation get a read receipt when it moved.
func (h *Handler) markRead(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Seq *int64 `json:"seq"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Seq == nil {
		return runtime.Errorf(runtime.KindInvalid, "seq is required")
	}
	mark, err := h.hub.MarkRead(r.Context(), id, runtime.SessionID(r.PathValue("id")), *req.Seq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"read_seq": mark})
	return nil
}
