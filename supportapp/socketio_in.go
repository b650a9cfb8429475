package supportapp

import (
	"encoding/json"

	"github.com/zishang520/socket.io/servers/socket/v3"

	"parley/runtime"
)

// The client's events (docs/socketio.md, "Client → server"). Each one is
// a call of the runtime as the caller: the access rule, the rate limits,
// the sizes and the idempotency of client ids are the runtime's. A bad
// payload or a refusal is an error event to this socket alone, and the
// socket stays open.

// listen registers the handlers of the client's events.
func (c *client) listen() {
	handlers := map[string]func(*inPayload, socket.Ack){
		"conversation:join":          c.join,
		"conversation:leave":         c.leave,
		"message:send":               c.send,
		"typing:start":               func(p *inPayload, _ socket.Ack) { c.setTyping(p, true) },
		"typing:stop":                func(p *inPayload, _ socket.Ack) { c.setTyping(p, false) },
		"message:read":               c.read,
		"conversation:mark-all-read": c.readAll,
	}
	for event, handle := range handlers {
		c.sock.On(event, func(args ...any) {
			p, ack, err := decodeArgs(args)
			if err != nil {
				c.fail(p, err)
				ackFailure(ack, err)
				return
			}
			handle(p, ack)
		})
	}
}

// decodeArgs reads an event's payload (an object, or a JSON string of
// one, as some apps send) and its acknowledgement callback, if any.
func decodeArgs(args []any) (*inPayload, socket.Ack, error) {
	var ack socket.Ack
	if n := len(args); n > 0 {
		if fn, ok := args[n-1].(socket.Ack); ok {
			ack, args = fn, args[:n-1]
		}
	}
	p := &inPayload{}
	if len(args) == 0 || args[0] == nil {
		return p, ack, runtime.Errorf(runtime.KindInvalid, "the event needs a payload object")
	}
	raw, ok := args[0].(string)
	if !ok {
		b, err := json.Marshal(args[0])
		if err != nil {
			return p, ack, runtime.Errorf(runtime.KindInvalid, "the payload is not JSON")
		}
		raw = string(b)
	}
	if err := json.Unmarshal([]byte(raw), p); err != nil {
		return &inPayload{}, ack, runtime.Errorf(runtime.KindInvalid, "the payload must be an object with the event's fields")
	}
	return p, ack, nil
}

// fail tells the client that one of its events failed.
func (c *client) fail(p *inPayload, err error) {
	if runtime.ErrorKind(err) == runtime.KindInternal {
		c.log.Error("socket.io event failed", "err", err)
	}
	out := errorPayload(err)
	if p != nil {
		out.ConversationID = p.ConversationID
	}
	_ = c.sock.Emit("error", out)
}

// conversation names the conversation an event is about.
func conversation(p *inPayload) (runtime.SessionID, error) {
	if p.ConversationID == "" {
		return "", runtime.Errorf(runtime.KindInvalid, "conversationId is required")
	}
	return runtime.SessionID(p.ConversationID), nil
}

// join follows the conversation (its room): its events reach the socket
// from now on. Joining one already joined is harmless, as in Socket.IO.
// The acknowledgement, if asked for, comes once the room is joined.
func (c *client) join(p *inPayload, ack socket.Ack) {
	sid, err := conversation(p)
	if err == nil && !c.joins.Allow() {
		err = runtime.Errorf(runtime.KindRateLimited, "too many conversation:join events; slow down")
	}
	if err == nil && c.rs.Following(sid) == nil {
		_, err = c.rs.Follow(c.ctx, sid, -1)
	}
	c.answer(p, ack, err)
}

// leave stops following the conversation; leaving one not joined is
// harmless.
func (c *client) leave(p *inPayload, ack socket.Ack) {
	sid, err := conversation(p)
	if err == nil && c.rs.Following(sid) != nil {
		err = c.rs.Leave(sid)
	}
	c.answer(p, ack, err)
}

// answer ends a join or a leave: an error event when it failed, and the
// acknowledgement, if asked for: {conversationId}, or {error, code}.
func (c *client) answer(p *inPayload, ack socket.Ack, err error) {
	if err != nil {
		c.fail(p, err)
	}
	switch {
	case err != nil:
		ackFailure(ack, err)
	case ack != nil:
		ack([]any{map[string]any{"conversationId": p.ConversationID}}, nil)
	}
}

// ackFailure calls a failed event's acknowledgement, if the client
// asked for one, with {error, code}.
func ackFailure(ack socket.Ack, err error) {
	if ack != nil {
		out := errorPayload(err)
		ack([]any{map[string]any{"error": out.Message, "code": out.Code}}, nil)
	}
}

// setTyping shows or ends the caller's typing indicator in a joined
// conversation.
func (c *client) setTyping(p *inPayload, active bool) {
	sid, err := conversation(p)
	if err != nil {
		c.fail(p, err)
		return
	}
	if !c.typing.Allow() {
		return // an indicator loses nothing
	}
	sub := c.rs.Following(sid)
	if sub == nil {
		c.fail(p, runtime.Errorf(runtime.KindForbidden, "join conversation %s before typing in it", sid))
		return
	}
	if err := sub.Typing(sid, active); err != nil {
		c.fail(p, err)
	}
}

// read marks the conversation read up to messageId.
func (c *client) read(p *inPayload, _ socket.Ack) {
	sid, err := conversation(p)
	if err == nil {
		_, err = c.hub.MarkReadMessage(c.ctx, c.id, sid, p.MessageID)
	}
	if err != nil {
		c.fail(p, err)
	}
}

// readAll marks every message of the conversation read.
func (c *client) readAll(p *inPayload, _ socket.Ack) {
	sid, err := conversation(p)
	if err == nil {
		_, err = c.hub.MarkAllRead(c.ctx, c.id, sid)
	}
	if err != nil {
		c.fail(p, err)
	}
}
