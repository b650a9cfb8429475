package runtime

import (
	"context"
	"slices"
)

// The support desk (docs/support.md, "The support queue"): agents and
// admins list the queue, take conversations and change their support
// status. Who may read and write a conversation is still mayAccess.

// supportStatuses are the values of Session.SupportStatus.
var supportStatuses = []string{SupportOpen, SupportWaiting, SupportResolved, SupportClosed}

// SupportQuery selects a page of the support queue. Status is required;
// Agent "" is any agent, and Unassigned keeps those assigned to nobody.
type SupportQuery struct {
	Status     string
	Agent      string
	Unassigned bool
	Limit      int
	Offset     int
}

// SupportQueue lists the conversations of one support status, least
// recent activity first, for agents and admins, and how many match. It
// lists only what the access rule lets the caller reach: an agent sees
// every waiting conversation, and of the other statuses those assigned
// to them (a filter by another agent, or by nobody, finds none).
func (h *Hub) SupportQueue(ctx context.Context, id Identity, q SupportQuery) ([]Conversation, int, error) {
	if err := mayWorkDesk(id); err != nil {
		return nil, 0, err
	}
	if err := validSupportStatus(q.Status); err != nil {
		return nil, 0, err
	}
	if err := h.allow(BucketList, id); err != nil {
		return nil, 0, err
	}
	if id.Role == RoleAgent && q.Status != SupportWaiting {
		if q.Unassigned || (q.Agent != "" && q.Agent != id.UserID) {
			return []Conversation{}, 0, nil
		}
		q.Agent = id.UserID
	}
	rows, total, err := h.store.ListSupport(ctx, SupportFilter{
		SupportStatus: q.Status, Agent: q.Agent, Unassigned: q.Unassigned, Limit: q.Limit, Offset: q.Offset,
	})
	if err != nil {
		return nil, 0, err
	}
	return h.named(rows), total, nil
}

// Assign gives a conversation to agent ("" to nobody). An admin may
// assign anyone; an agent only themselves, and only a conversation the
// rule lets them reach. The agent becomes a member too, so they keep
// access once it leaves the queue; a waiting conversation becomes open.
func (h *Hub) Assign(ctx context.Context, id Identity, sid SessionID, agent string) (*Session, error) {
	if err := mayWorkDesk(id); err != nil {
		return nil, err
	}
	if id.Role != RoleAdmin && agent != id.UserID {
		return nil, Errorf(KindForbidden, "an agent may assign a conversation only to themselves")
	}
	if agent != "" && !validUserID(agent) {
		return nil, Errorf(KindInvalid, "agent %q is not a user id", agent)
	}
	var s *Session
	err := h.retryEvicted(ctx, sid, func(c *conv) error {
		cur := c.snapshot()
		if err := mayAccess(id, cur); err != nil {
			return err
		}
		var err error
		s, err = c.update(ctx, assignUpdate(cur.SupportStatus, agent))
		return err
	})
	return s, err
}

// assignUpdate assigns a conversation of support status status to agent.
func assignUpdate(status, agent string) SessionUpdate {
	upd := SessionUpdate{AssignedAgent: &agent}
	if agent != "" {
		upd.AddMember = &agent
		if status == SupportWaiting {
			// Taken: it leaves the queue of those waiting, and a
			// TRANSFER's timeout no longer applies.
			open := SupportOpen
			upd.SupportStatus = &open
		}
	}
	return upd
}

// mayWorkDesk: the desk's endpoints are for agents and admins.
func mayWorkDesk(id Identity) error {
	switch {
	case id.Anonymous:
		return Errorf(KindUnauthorized, "log in as an agent or admin")
	case id.Role != RoleAgent && id.Role != RoleAdmin:
		return Errorf(KindForbidden, "only agents and admins work the support desk")
	}
	return nil
}

func validSupportStatus(s string) error {
	if !slices.Contains(supportStatuses, s) {
		return Errorf(KindInvalid, "support status must be one of %q", supportStatuses)
	}
	return nil
}
