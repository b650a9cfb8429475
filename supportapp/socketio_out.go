package supportapp

import (
	"time"

	"parley/runtime"
)

// The server's events (docs/socketio.md, "Server → client"), from the
// runtime socket's events: a message of a joined conversation is
// message:new, one of another conversation of the user's is
// notification:new-message; typing, read receipts and presence are the
// runtime's people events (runtime/people.go, presence.go), which reach
// this node from the others as they reach /ws. Events the app has no
// name for (suggestions, streamed bot text, support statuses) are not
// sent.

// pump emits the runtime socket's events until it ends. Before each it
// waits while the library holds more than Backlog packets for the
// client, so that a client that does not read fills its runtime queue
// and is dropped as a slow socket, never buffered without bound.
func (c *client) pump() {
	for {
		select {
		case <-c.rs.Done():
			c.ended()
			return
		case e := <-c.rs.Events():
			if !c.waitBacklog() {
				c.ended()
				return
			}
			c.deliver(e)
		}
	}
}

// waitBacklog returns once the library's buffer for the client is below
// Backlog, false when the socket ended first.
func (c *client) waitBacklog() bool {
	for c.pending.Load() > int64(c.s.cfg.Backlog) {
		select {
		case <-c.flushed:
		case <-c.rs.Done():
			return false
		}
	}
	return true
}

// ended closes the connection of a runtime socket that ended: dropped
// for reading too slowly, or the server shutting down. Closing the
// transport (not a namespace disconnect) makes the app reconnect, and
// rejoin; what it missed is in the history. A slow client's connection
// is discarded at once: a graceful close would wait for it to read what
// it has not read.
func (c *client) ended() {
	if c.ctx.Err() != nil {
		return // the client went first
	}
	reason := c.rs.Reason()
	c.log.Info("socket.io: closing connection", "reason", reason)
	if reason == runtime.ReasonSlow {
		c.sock.Conn().Close(true)
	} else {
		c.sock.Disconnect(true)
	}
	c.close()
}

// deliver emits what e means to the app, if anything.
func (c *client) deliver(e *runtime.Event) {
	var err error
	switch e.Type {
	case runtime.EventMessage:
		err = c.newMessage(e)
	case runtime.EventNotification:
		err = c.notification(e)
	case runtime.EventTyping:
		err = c.typingEvent(e)
	case runtime.EventRead:
		err = c.receipt(e)
	case runtime.EventPresence:
		c.presence(e)
	case runtime.EventError:
		out := errorOut{Message: e.Text, ConversationID: string(e.SessionID), Code: string(e.Code)}
		_ = c.sock.Emit("error", out)
	}
	if err != nil && !runtime.IsKind(err, runtime.KindForbidden) && !runtime.IsKind(err, runtime.KindNotFound) {
		c.log.Warn("socket.io: event not delivered", "type", e.Type, "session", e.SessionID, "err", err)
	}
}

// describe is m of conversation sid as the app shows it (View), as of
// now: a message's sender is derived from the conversation's people.
func (c *client) describe(sid runtime.SessionID, m *runtime.Message) (Message, error) {
	s, err := c.hub.Lookup(c.ctx, c.id, sid)
	if err != nil {
		return Message{}, err
	}
	return NewView(c.hub, c.id).Message(s, m), nil
}

// botName is the name of a bot, its id when it has none.
func (c *client) botName(id runtime.BotID) string {
	if b, err := c.hub.Bot(id); err == nil && b.Name != "" {
		return b.Name
	}
	return string(id)
}

// newMessage is message:new, to every socket that joined, the sender's
// included.
func (c *client) newMessage(e *runtime.Event) error {
	c.last[e.SessionID] = e.Message
	msg, err := c.describe(e.SessionID, e.Message)
	if err != nil {
		return err
	}
	return c.sock.Emit("message:new", newMessageOut{Message: msg, ConversationID: string(e.SessionID)})
}

// notification is notification:new-message, of a message in a
// conversation of the user's that the socket did not join; not of the
// user's own messages.
func (c *client) notification(e *runtime.Event) error {
	msg, err := c.describe(e.SessionID, e.Message)
	if err != nil || msg.SenderID.ID == c.id.UserID {
		return err
	}
	return c.sock.Emit("notification:new-message", notificationOut{
		ConversationID: string(e.SessionID), Message: msg,
		Sender: senderID{ID: msg.SenderID.ID, Name: fullName(msg.SenderID)},
	})
}

// typingEvent is typing:user-typing or typing:user-stopped. The bot's
// typing (no user) is that of "bot:<bot id>".
func (c *client) typingEvent(e *runtime.Event) error {
	out := typingOut{ConversationID: string(e.SessionID), UserID: e.User, UserName: e.Name}
	if e.User == "" {
		sub := c.rs.Following(e.SessionID)
		if sub == nil {
			return nil
		}
		bot := sub.Session.BotID
		out.UserID, out.UserName = BotUserID(bot), c.botName(bot)
	}
	if out.UserName == "" {
		out.UserName = out.UserID
	}
	if !e.Active {
		out.UserName = ""
		return c.sock.Emit("typing:user-stopped", out)
	}
	return c.sock.Emit("typing:user-typing", out)
}

// receipt is message:read-receipt: e says up to which seq its user has
// read, the app names the message. The last message the socket saw
// usually is it; else the store says.
func (c *client) receipt(e *runtime.Event) error {
	m := c.last[e.SessionID]
	if m == nil || m.Seq != e.Seq {
		sub := c.rs.Following(e.SessionID)
		if sub == nil {
			return nil
		}
		var err error
		if m, err = sub.MessageAt(c.ctx, e.Seq); err != nil {
			return err
		}
	}
	return c.sock.Emit("message:read-receipt", receiptOut{
		MessageID: m.ID, ConversationID: string(e.SessionID),
		ReadBy: e.User, ReadAt: Time(time.Now()),
	})
}

// presence is user:online or user:offline, once per change of the
// user's state as this socket has heard it: the runtime tells each
// joined conversation the user is a person of.
func (c *client) presence(e *runtime.Event) {
	if e.User == "" || e.User == c.id.UserID || c.online[e.User] == e.Online {
		return
	}
	c.online[e.User] = e.Online
	if e.Online {
		_ = c.sock.Emit("user:online", presenceOut{UserID: e.User})
		return
	}
	delete(c.online, e.User)
	_ = c.sock.Emit("user:offline", presenceOut{UserID: e.User})
}
