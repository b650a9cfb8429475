package supportapp

import (
	"encoding/json"

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

// sendableTypes are the messageType values a client may send.
var sendableTypes = map[string]bool{TypeText: true, TypeImage: true, TypeAudio: true, TypeVideo: true, TypeFile: true}

func (c *client) send(p *inPayload, ack socket.Ack) {
	m, err := c.store(p)
	if err != nil {
		c.fail(p, err)
		if ack != nil {
			out := errorPayload(err)
			ack([]any{map[string]any{"error": out.Message, "code": out.Code}}, nil)
		}
		return
	}
	out := sentOut{MessageID: m.ID, Timestamp: Time(m.CreatedAt), ClientID: m.ClientID}
	_ = c.sock.Emit("message:sent", out)
	if ack != nil {
		ack([]any{out}, nil)
	}
}

// store checks a message:send and sends it.
func (c *client) store(p *inPayload) (*runtime.Message, error) {
	sid, err := conversation(p)
	if err != nil {
		return nil, err
	}
	kind := p.MessageType
	if kind == "" {
		kind = TypeText
	}
	if !sendableTypes[kind] {
		return nil, runtime.Errorf(runtime.KindInvalid, "messageType must be text, image, audio, video or file")
	}
	ids, err := p.mediaIDs()
	if err != nil {
		return nil, err
	}
	req := runtime.SendRequest{SessionID: sid, Content: p.Content, ClientID: p.ClientID}
	switch {
	case kind == TypeText && p.Content == "":
		return nil, runtime.Errorf(runtime.KindInvalid, "a text message needs content")
	case kind != TypeText && len(ids) == 0:
		return nil, runtime.Errorf(runtime.KindInvalid, "a %s message needs the mediaId of an upload (POST /api/v1/chat/media)", kind)
	}
	if len(ids) > 0 {
		req.Attachments, _ = json.Marshal(ids)
	}
	m, _, err := c.hub.Send(c.ctx, c.id, req)
	return m, err
}
