package supportapp

import (
	"maps"
	"net/http"
	"slices"
	"time"

	"parley/runtime"
)

// The desk's endpoints: its list, reassigning, and the statistics.

// deskConversations is GET /support/conversations?page&limit&status:
// for Support the queue (every waiting conversation) and their own, for
// Admin all; status by status (open, waiting, resolved, closed), each
// least recently active first, as the desk works them.
func (a *REST) deskConversations(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	p, err := pageOf(r, 20)
	if err != nil {
		return err
	}
	status, err := statusParam(r)
	if err != nil {
		return err
	}
	rows, total, err := a.hub.DeskConversations(r.Context(), id, deskQuery(status, false, p))
	if err != nil {
		return err
	}
	return a.replyConversations(w, r, id, rows, p, total)
}

// reassign is POST /support/reassign {conversationId, supportId}: Admin
// gives a conversation to an agent (who becomes a member; a waiting one
// becomes open). It answers with the conversation.
func (a *REST) reassign(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var body struct {
		ConversationID string `json:"conversationId"`
		SupportID      string `json:"supportId"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	if body.ConversationID == "" || body.SupportID == "" {
		return runtime.Errorf(runtime.KindInvalid, "conversationId and supportId are required")
	}
	if err := a.mayBeAssigned(r, body.SupportID); err != nil {
		return err
	}
	s, err := a.hub.Assign(r.Context(), id, runtime.SessionID(body.ConversationID), body.SupportID)
	if err != nil {
		return err
	}
	return a.replyConversation(w, r, id, s, "Conversation reassigned")
}

// mayBeAssigned refuses to assign a conversation to someone the server
// knows as a user (their latest credentials say so). Someone it has not
// seen may be an agent who has not signed in yet: Parley has no list of
// agents but their tokens.
func (a *REST) mayBeAssigned(r *http.Request, user string) error {
	people, err := a.hub.People(r.Context(), []string{user})
	if err != nil {
		return err
	}
	if p, seen := people[user]; seen && p.Role != runtime.RoleAgent && p.Role != runtime.RoleAdmin {
		return runtime.Errorf(runtime.KindInvalid, "%s is not Support or Admin", user)
	}
	return nil
}

// statsJSON is GET /support/stats's data.
type statsJSON struct {
	Since              string              `json:"since"`
	TotalConversations int                 `json:"totalConversations"`
	ByStatus           map[string]int      `json:"byStatus"`
	ByAgent            []agentStatsJSON    `json:"byAgent"`
	ResponseTime       runtime.Percentiles `json:"responseTimeSeconds"`
	ResolutionTime     runtime.Percentiles `json:"resolutionTimeSeconds"`
}

// agentStatsJSON is one agent's line: their conversations counted,
// those still in hand and those resolved or closed.
type agentStatsJSON struct {
	Support  User `json:"support"`
	Assigned int  `json:"assigned"`
	Open     int  `json:"open"`
	Resolved int  `json:"resolved"`
}

// stats is GET /support/stats?since=RFC3339: the desk's figures over the
// conversations that entered the queue since then (default 30 days):
// counts per status and per agent, and the 50th and 90th percentiles of
// the time to a first agent response and to a resolution, in seconds.
func (a *REST) stats(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		var err error
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return runtime.Errorf(runtime.KindInvalid, "since must be an ISO 8601 time, like 2024-05-01T00:00:00.000Z")
		}
	}
	st, err := a.hub.SupportStats(r.Context(), id, since)
	if err != nil {
		return err
	}
	out := statsJSON{
		Since: Time(st.Since), TotalConversations: st.Conversations, ByStatus: st.ByStatus,
		ByAgent: []agentStatsJSON{}, ResponseTime: st.FirstResponse, ResolutionTime: st.Resolution,
	}
	agents := slices.Sorted(maps.Keys(st.ByAgent))
	v := NewView(a.hub, id)
	if err := v.Learn(r.Context(), agents...); err != nil {
		return err
	}
	for _, agent := range agents {
		s := st.ByAgent[agent]
		out.ByAgent = append(out.ByAgent, agentStatsJSON{
			Support: UserOf(agent, v.Name(agent), runtime.RoleAgent), Assigned: s.Assigned, Open: s.Open, Resolved: s.Resolved,
		})
	}
	reply(w, http.StatusOK, "Support statistics retrieved", out)
	return nil
}
