package rest

import (
	"net/http"
	"net/url"

	"parley/runtime"
)

// The support desk (docs/support.md, "The support queue").

// Paging of GET /api/support/conversations.
const (
	defaultSupportLimit = 20
	maxSupportLimit     = 100
)

// supportQueue is GET /api/support/conversations?status&agent&page&limit:
// 200 {conversations, total, page, limit}, oldest activity first.
func (h *Handler) supportQueue(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	q, pageNo, err := parseSupportQuery(r.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := h.hub.SupportQueue(r.Context(), id, q)
	if err != nil {
		return err
	}
	out := make([]conversationJSON, len(rows))
	for i, c := range rows {
		out[i] = newConversationJSON(&c.Session, c.BotName, c.LastMessage)
	}
	writeJSON(w, http.StatusOK, map[string]any{"conversations": out, "total": total, "page": pageNo, "limit": q.Limit})
	return nil
}

// parseSupportQuery reads the queue's parameters: status (default
// waiting, checked by the hub), agent (a user id, or "none"), page from
// 1 and limit from 1 (capped at maxSupportLimit).
func parseSupportQuery(v url.Values) (runtime.SupportQuery, int, error) {
	q := runtime.SupportQuery{Status: v.Get("status"), Agent: v.Get("agent")}
	if q.Status == "" {
		q.Status = runtime.SupportWaiting
	}
	if q.Agent == "none" {
		q.Agent, q.Unassigned = "", true
	}
	var err error
	if q.Limit, err = intParam(v, "limit", defaultSupportLimit, 1, maxSupportLimit); err != nil {
		return q, 0, err
	}
	pageNo, err := intParam(v, "page", 1, 1, 1<<31/maxSupportLimit)
	q.Offset = (pageNo - 1) * q.Limit
	return q, pageNo, err
}

// assign is POST /api/conversations/:id/assign {agent}: 200 with the
// conversation. "" unassigns (admins only).
func (h *Handler) assign(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Agent *string `json:"agent"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Agent == nil {
		return runtime.Errorf(runtime.KindInvalid, "send {\"agent\":\"<user id>\"}, or {\"agent\":\"\"} to unassign")
	}
	s, err := h.hub.Assign(r.Context(), id, runtime.SessionID(r.PathValue("id")), *req.Agent)
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, http.StatusOK, s)
}
