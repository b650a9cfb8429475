package rest

import (
	"net/http"

	"parley/runtime"
)

// teamJSON is a team as GET /api/teams lists it.
type teamJSON struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Members    []string `json:"members"`
	SummaryBot *string  `json:"summary_bot"` // null without one
}

// teamResponseJSON is one member's answer.
type teamResponseJSON struct {
	BotID    string `json:"bot_id"`
	BotName  string `json:"bot_name"`
	Content  string `json:"content"`
	Complete bool   `json:"complete"`
	Error    string `json:"error,omitempty"`
	Message  string `json:"message,omitempty"`
}

func (h *Handler) listTeams(w http.ResponseWriter, r *http.Request, _ runtime.Identity) error {
	teams := h.hub.Teams()
	out := make([]teamJSON, len(teams))
	for i, t := range teams {
		out[i] = teamJSON{ID: string(t.ID), Name: t.Name, Members: make([]string, len(t.Members))}
		for j, m := range t.Members {
			out[i].Members[j] = string(m)
		}
		if t.SummaryBot != "" {
			s := string(t.SummaryBot)
			out[i].SummaryBot = &s
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": out})
	return nil
}

// teamChat asks a team one question (protocol: POST /api/teams/:id/chat).
func (h *Handler) teamChat(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var req struct {
		Message string `json:"message"`
		Mode    string `json:"mode"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	ans, err := h.hub.TeamChat(r.Context(), id, runtime.TeamRequest{
		Team: runtime.BotID(r.PathValue("id")), Message: req.Message, Mode: req.Mode,
	})
	if err != nil {
		return err
	}
	out := make([]teamResponseJSON, len(ans.Responses))
	for i, x := range ans.Responses {
		out[i] = teamResponseJSON{BotID: string(x.BotID), BotName: x.BotName, Content: x.Content, Complete: x.Complete}
		if x.Error != "" {
			out[i].Error, out[i].Message = string(x.ErrorCode), x.Error
		}
		if x.ErrorCode == runtime.KindInternal { // as writeError: no internals
			out[i].Message = "internal error"
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"responses": out, "summary": ans.Summary, "mode": ans.Mode})
	return nil
}
