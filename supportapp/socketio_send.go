package supportapp

import (
	"github.com/zishang520/socket.io/servers/socket/v3"

	"parley/runtime"
)

// message:send: a text, or media uploaded before (POST /media) named by
// mediaId, stored by Hub.Send as any message is. clientId is the
// message's client id: a resend with the same one stores nothing more
// and is acknowledged with the message stored the first time. The
// sender's socket gets message:sent, and the acknowledgement callback
// (if the client passed one) the same payload; every socket that joined
// the conversation, the sender's included, gets message:new from the
// runtime's publish. A refusal is an error event, and the callback gets
// {error, code}.

func (c *client) send(p *inPayload, ack socket.Ack) {
	m, err := c.store(p)
	if err != nil {
		c.fail(p, err)
		ackFailure(ack, err)
		return
	}
	out := sentOut{MessageID: m.ID, Timestamp: Time(m.CreatedAt), ClientID: m.ClientID}
	_ = c.sock.Emit("message:sent", out)
	if ack != nil {
		ack([]any{out}, nil)
	}
}

// store checks a message:send as POST /messages checks its body
// (sendBody, rest_messages.go) and sends it.
func (c *client) store(p *inPayload) (*runtime.Message, error) {
	body := sendBody{ConversationID: p.ConversationID, MessageType: p.MessageType,
		Content: p.Content, MediaID: p.MediaID, ClientID: p.ClientID}
	req, err := body.request()
	if err != nil {
		return nil, err
	}
	m, _, err := c.hub.Send(c.ctx, c.id, req)
	return m, err
}
