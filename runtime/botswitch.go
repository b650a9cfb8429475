package runtime

import "context"

// The bot switch (docs/support.md, "Turning the bot off"): in a
// conversation of people the bot can be switched off. Whether the bot
// hears a user message is decided when the message is stored, under the
// lock the append holds (conv.userMessageLocked queues it as inputSkip,
// which the runner takes unheard: runner.skip); the switch reaches every
// node through conv.refreshLocked, which tells the sockets (bot_off,
// bot_on).

// SetBot switches the bot of a conversation on or off. Off, user messages
// are stored and delivered and the dialog does not hear them; on again,
// it hears the next one. Agents and admins may switch it, and the members
// of a conversation of several users: a user alone with a bot has nobody
// to talk to without it.
func (h *Hub) SetBot(ctx context.Context, id Identity, sid SessionID, enabled bool) (*Session, error) {
	off := !enabled
	var s *Session
	err := h.retryEvicted(ctx, sid, func(c *conv) error {
		cur := c.snapshot()
		if err := mayAccess(id, cur); err != nil {
			return err
		}
		if id.Role != RoleAgent && id.Role != RoleAdmin && len(cur.Members) == 0 {
			return Errorf(KindForbidden, "only agents, admins and the members of a conversation of several users may switch its bot")
		}
		var err error
		s, err = c.update(ctx, SessionUpdate{BotOff: &off})
		return err
	})
	return s, err
}

// unheard reports whether the dialog is to take the user message seq
// without hearing it: it was stored here while the conversation was with
// people (withPeopleLocked), or before the conversation went live here (a
// restart, another node) while it is with people now: whether the bot was
// off when a message was stored is not kept. (A message stored during a
// handover is marked taken by the store itself, so none of them comes
// here: schema's forPeople.)
func (c *conv) unheard(seq int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.stillUnheard[seq]; ok {
		return true
	}
	return seq <= c.adoptedSeq && c.withPeopleLocked()
}

// heardOrSkipped forgets seq once the dialog has taken it.
func (c *conv) heardOrSkipped(seq int64) {
	c.mu.Lock()
	delete(c.stillUnheard, seq)
	c.mu.Unlock()
}
