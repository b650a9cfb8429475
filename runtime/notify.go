package runtime

// Notifications: a socket follows one conversation, or a few (follow.go),
// but its user may be in others (a participant, an agent who joined). When
// a message is published in a conversation, each of its people's sockets
// that do not follow it gets a notification event (session_id and the message), so
// that a client can show an unread mark without joining everything. The
// node that stored the message tells its own sockets and, with several
// nodes and a conversation of several people, the others (a best-effort
// broadcast, as typing is; one that does not fit a NOTIFY, a message of
// several KB, reaches only the storing node's sockets); a node publishing
// what another stored does not notify (Event.elsewhere).

// notifyLocked offers a notification of m to the sockets of the
// conversation's people that do not follow it. c.mu is held; the
// registry's mu is taken after it, never before.
func (c *conv) notifyLocked(m *Message) {
	s := c.session
	if s.Anonymous {
		return // alone in it, and with no other conversation
	}
	cl := c.hub.cfg.Cluster
	// Most messages are in a conversation of one user with a bot, whose
	// user follows nothing else here: then there is nothing to build.
	// Other nodes are told only of conversations of several people, so
	// that a user's chat with a bot costs no NOTIFY per message.
	broadcast := cl != nil && len(s.Members) > 0
	if !broadcast && !c.hub.followsOther(s.UserID, c.id) && len(s.Members) == 0 {
		return
	}
	e := &Event{Type: EventNotification, SessionID: c.id, Message: m,
		People: append([]string{s.UserID}, s.Members...)}
	c.hub.notifyLocal(e)
	if broadcast {
		cl.Broadcast(e)
	}
}

// followsOther reports whether a socket of user here does not follow sid.
func (h *Hub) followsOther(user string, sid SessionID) bool {
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	if p := h.reg.people[user]; p != nil {
		for k := range p.sockets {
			if !k.followsSession(sid) {
				return true
			}
		}
	}
	return false
}

// notifyLocal offers e to this node's sockets of e.People that do not
// follow e's conversation.
func (h *Hub) notifyLocal(e *Event) {
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	for _, user := range e.People {
		p := h.reg.people[user]
		if p == nil {
			continue
		}
		for k := range p.sockets {
			if !k.followsSession(e.SessionID) {
				k.offer(e)
			}
		}
	}
}
