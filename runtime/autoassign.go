package runtime

import (
	"context"
	"slices"
	"sync"
)

// Automatic assignment (docs/support.md, "Automatic assignment"): with
// Config.AutoAssign, a conversation that enters the support queue on this
// node (a bot's TRANSFER, or PATCH support_status waiting) is assigned at
// once to the next agent online, round robin, by the same update as an
// agent's own Assign: it becomes open and the agent a member. With nobody
// online it stays waiting, for the agents to take from the queue.
//
// "Online" is presence's view (Hub.Online): users of role agent with a
// socket open on this node or, with several nodes, on another as far as
// this node has heard. Each node keeps its own turn, so with several
// nodes the turns interleave rather than alternate exactly.

// assigner is the round robin's turn: the agent given the last one.
type assigner struct {
	mu   sync.Mutex
	last string
}

// autoAssign gives sid, which has just entered the queue, to the next
// agent online other than skip (who put it back in the queue). It returns
// the conversation as assigned, or nil when it stays as it is: the
// option is off, nobody is online, or someone took it meanwhile.
func (h *Hub) autoAssign(ctx context.Context, sid SessionID, skip string) *Session {
	if !h.cfg.AutoAssign {
		return nil
	}
	agent := h.assigner.next(h.agentsOnline(skip))
	if agent == "" {
		return nil
	}
	s, err := h.takeWaiting(ctx, sid, agent)
	if err != nil {
		h.log.Warn("assigning a waiting conversation failed", "session", sid, "agent", agent, "err", err)
		return nil
	}
	if s.AssignedAgent != agent {
		return nil
	}
	return s
}

// agentsOnline lists, sorted, the users of role agent online (presence:
// with a socket open here, or on another node as far as this one has
// heard), but skip.
func (h *Hub) agentsOnline(skip string) []string {
	return slices.DeleteFunc(h.Online(RoleAgent), func(u string) bool { return u == skip })
}

// next is the agent after the last one given a conversation, in the
// order of their ids, wrapping around; "" when there is none. The turn
// survives agents coming and going: whoever follows the last in id order.
func (a *assigner) next(agents []string) string {
	if len(agents) == 0 {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	i, found := slices.BinarySearch(agents, a.last)
	if found {
		i++
	}
	a.last = agents[i%len(agents)]
	return a.last
}

// takeWaiting assigns sid to agent as Assign does, only while it is still
// waiting: an agent or an admin who took it meanwhile keeps it.
func (h *Hub) takeWaiting(ctx context.Context, sid SessionID, agent string) (*Session, error) {
	var s *Session
	err := h.retryEvicted(ctx, sid, func(c *conv) error {
		waiting := SupportWaiting
		upd := assignUpdate(SupportWaiting, agent)
		upd.IfSupportStatus = &waiting
		var err error
		s, err = c.update(ctx, upd)
		return err
	})
	return s, err
}
