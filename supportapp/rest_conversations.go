package supportapp

import (
	"context"
	"net/http"

	"parley/runtime"
)

// The conversation endpoints: a user's conversation with support, the
// caller's list, mark-all-read and the support status.

// postConversation is POST /conversations: the user's open conversation
// with support (the default bot, which greets and can hand over to the
// desk), created when there is none.
func (a *REST) postConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	s, created, err := a.hub.SupportConversation(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := NewView(a.hub, id).Conversation(r.Context(), s, nil)
	if err != nil {
		return err
	}
	msg := "Conversation retrieved"
	if created {
		msg = "Conversation created"
	}
	reply(w, http.StatusOK, msg, c)
	return nil
}

// maxUserScan bounds the conversations of a user that a status filter
// looks through: their most recent.
const maxUserScan = 1000

// listConversations is GET /conversations: a user's own conversations
// (most recent first), an agent's assigned ones, an admin's all (the
// desk's order: by status, least recent first).
func (a *REST) listConversations(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	p, err := pageOf(r, 20)
	if err != nil {
		return err
	}
	status, err := statusParam(r)
	if err != nil {
		return err
	}
	var rows []runtime.Conversation
	var total int
	if id.Role == runtime.RoleAgent || id.Role == runtime.RoleAdmin {
		rows, total, err = a.hub.DeskConversations(r.Context(), id, deskQuery(status, id.Role == runtime.RoleAgent, p))
	} else {
		rows, total, err = a.userConversations(r.Context(), id, status, p)
	}
	if err != nil {
		return err
	}
	return a.replyConversations(w, r, id, rows, p, total)
}

// userConversations is a page of a user's conversations, those of one
// support status when status is set (picked from their newest
// maxUserScan: the store filters users' lists by bot and status only).
func (a *REST) userConversations(ctx context.Context, id runtime.Identity, status string, p page) ([]runtime.Conversation, int, error) {
	if status == "" {
		return a.hub.Conversations(ctx, id, runtime.ConversationFilter{Limit: p.Limit, Offset: p.offset()})
	}
	all, _, err := a.hub.Conversations(ctx, id, runtime.ConversationFilter{Limit: maxUserScan})
	if err != nil {
		return nil, 0, err
	}
	var match []runtime.Conversation
	for _, c := range all {
		if StatusOf(&c.Session) == status {
			match = append(match, c)
		}
	}
	from := min(p.offset(), len(match))
	return match[from:min(from+p.Limit, len(match))], len(match), nil
}

func deskQuery(status string, mine bool, p page) runtime.DeskQuery {
	q := runtime.DeskQuery{Mine: mine, Limit: p.Limit, Offset: p.offset()}
	if status != "" {
		q.Statuses = []string{status}
	}
	return q
}

// replyConversations answers with a page of conversations.
func (a *REST) replyConversations(w http.ResponseWriter, r *http.Request, id runtime.Identity, rows []runtime.Conversation, p page, total int) error {
	v := NewView(a.hub, id)
	agents := make([]string, len(rows))
	for i, row := range rows {
		agents[i] = row.AssignedAgent
	}
	var last []*runtime.Message
	for _, row := range rows {
		if row.LastMessage != nil {
			last = append(last, row.LastMessage)
		}
	}
	if err := v.Learn(r.Context(), agents...); err != nil {
		return err // one query for the page's agents, not one each
	}
	if err := v.LearnAuthors(r.Context(), last); err != nil {
		return err
	}
	out := make([]Conversation, len(rows))
	for i, row := range rows {
		c, err := v.Conversation(r.Context(), &row.Session, row.LastMessage)
		if err != nil {
			return err
		}
		out[i] = c
	}
	replyPage(w, "Conversations retrieved", out, p, total)
	return nil
}

// markRead is PATCH /conversations/{conversationId}/read: everything in
// it is read by the caller. It answers with the conversation.
func (a *REST) markRead(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	sid := runtime.SessionID(r.PathValue("conversationId"))
	if _, err := a.hub.MarkAllRead(r.Context(), id, sid); err != nil {
		return err
	}
	s, err := a.hub.Lookup(r.Context(), id, sid)
	if err != nil {
		return err
	}
	return a.replyConversation(w, r, id, s, "Conversation marked as read")
}

// setStatus is PATCH /conversations/{conversationId}/status {status}.
func (a *REST) setStatus(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var body struct {
		Status string `json:"status"`
	}
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	if body.Status == "" {
		return runtime.Errorf(runtime.KindInvalid, "status is required: open, waiting, resolved or closed")
	}
	sid := runtime.SessionID(r.PathValue("conversationId"))
	s, err := a.hub.Patch(r.Context(), id, sid, runtime.ConversationPatch{SupportStatus: &body.Status})
	if err != nil {
		return err
	}
	return a.replyConversation(w, r, id, s, "Conversation status updated")
}

// replyConversation answers with conversation s as the change that
// returned it left it. Not read again: the change may have taken it out
// of the caller's reach (an agent resolving one from the queue).
func (a *REST) replyConversation(w http.ResponseWriter, r *http.Request, id runtime.Identity, s *runtime.Session, msg string) error {
	c, err := NewView(a.hub, id).Conversation(r.Context(), s, nil)
	if err != nil {
		return err
	}
	reply(w, http.StatusOK, msg, c)
	return nil
}
