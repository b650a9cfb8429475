package rest

import (
	"net/http"
	"time"

	"parley/runtime"
	"parley/wire"
)

// statsJSON is GET /api/support/stats's answer: the contract's four keys,
// and the window and the number of conversations counted, without which
// the figures cannot be read.
type statsJSON struct {
	Since         string                        `json:"since"`
	Conversations int                           `json:"conversations"`
	ByStatus      map[string]int                `json:"by_status"`
	ByAgent       map[string]runtime.AgentStats `json:"by_agent"`
	FirstResponse runtime.Percentiles           `json:"first_response_seconds"`
	Resolution    runtime.Percentiles           `json:"resolution_seconds"`
}

// supportStats is GET /api/support/stats?since=RFC3339 (default: 30 days
// ago), for agents and admins.
func (h *Handler) supportStats(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		var err error
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return runtime.Errorf(runtime.KindInvalid, "since must be an RFC 3339 time, like 2024-05-01T00:00:00Z")
		}
	}
	st, err := h.hub.SupportStats(r.Context(), id, since)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, statsJSON{
		Since: wire.Timestamp(st.Since), Conversations: st.Conversations, ByStatus: st.ByStatus,
		ByAgent: st.ByAgent, FirstResponse: st.FirstResponse, Resolution: st.Resolution,
	})
	return nil
}
