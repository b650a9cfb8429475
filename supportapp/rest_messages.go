package supportapp

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"parley/runtime"
)

// The message endpoints: a conversation's messages by page, and sending
// one (text, or a file uploaded with POST /media).

// listMessages is GET /messages/{conversationId}?page=1&limit=50. Page 1
// is the newest limit messages, page 2 the limit before them, and so on,
// as the app pages back; within a page they come oldest first, as a chat
// shows them. Seqs are gapless, so pages are cut by seq from the
// conversation's last seq when it is read: messages that arrive while the
// app pages back do not shift the pages it has yet to ask for.
func (a *REST) listMessages(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	p, err := pageOf(r, 50)
	if err != nil {
		return err
	}
	sid := runtime.SessionID(r.PathValue("conversationId"))
	s, err := a.hub.Lookup(r.Context(), id, sid)
	if err != nil {
		return err
	}
	var msgs []*runtime.Message
	if before := s.LastSeq - int64(p.offset()) + 1; before > 1 {
		msgs, _, err = a.hub.History(r.Context(), id, sid, runtime.HistoryQuery{Limit: p.Limit, BeforeSeq: before})
		if err != nil {
			return err
		}
	}
	v := NewView(a.hub, id)
	if err := v.LearnAuthors(r.Context(), msgs); err != nil {
		return err
	}
	replyPage(w, "Messages retrieved", v.Messages(s, msgs), p, int(s.LastSeq))
	return nil
}

// messageTypes are the messageType values the app sends.
var messageTypes = []string{TypeText, TypeImage, TypeAudio, TypeVideo, TypeFile}

// sendBody is POST /messages's body, and message:send's payload.
type sendBody struct {
	ConversationID string          `json:"conversationId"`
	MessageType    string          `json:"messageType"`
	Content        string          `json:"content"`
	MediaID        json.RawMessage `json:"mediaId"` // an upload id, or a list of them
	ClientID       string          `json:"clientId"`
}

// request checks b and turns it into the runtime's request. A text
// message needs content; any other type needs mediaId (and may have a
// caption in content). The message's type is then its first file's
// kind, as the runtime sniffed it.
func (b sendBody) request() (runtime.SendRequest, error) {
	req := runtime.SendRequest{SessionID: runtime.SessionID(b.ConversationID), Content: b.Content, ClientID: b.ClientID}
	typ := b.MessageType
	if typ == "" {
		typ = TypeText
	}
	ids, err := mediaIDs(b.MediaID)
	switch {
	case err != nil:
		return req, err
	case b.ConversationID == "":
		return req, runtime.Errorf(runtime.KindInvalid, "conversationId is required")
	case !slices.Contains(messageTypes, typ):
		return req, runtime.Errorf(runtime.KindInvalid, "messageType must be one of %s", strings.Join(messageTypes, ", "))
	case typ == TypeText && len(ids) > 0:
		return req, runtime.Errorf(runtime.KindInvalid, "a text message has no mediaId; give the media's messageType")
	case typ != TypeText && len(ids) == 0:
		return req, runtime.Errorf(runtime.KindInvalid, "a %s message needs mediaId (upload with POST /media first)", typ)
	}
	if len(ids) > 0 {
		req.Attachments, _ = json.Marshal(ids)
	}
	return req, nil
}

// mediaIDs reads mediaId: absent, one id, or a list of ids.
func mediaIDs(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, runtime.Errorf(runtime.KindInvalid, "mediaId must be an id or a list of ids")
	}
	return list, nil
}

// postMessage is POST /messages: 201 with the message. A clientId used
// before in the conversation stores nothing and answers with the message
// stored then.
func (a *REST) postMessage(w http.ResponseWriter, r *http.Request, id runtime.Identity) error {
	var body sendBody
	if err := a.decode(w, r, &body); err != nil {
		return err
	}
	req, err := body.request()
	if err != nil {
		return err
	}
	m, _, err := a.hub.Send(r.Context(), id, req)
	if err != nil {
		return err
	}
	s, err := a.hub.Lookup(r.Context(), id, req.SessionID)
	if err != nil {
		return err
	}
	reply(w, http.StatusCreated, "Message sent", NewView(a.hub, id).Message(s, m))
	return nil
}
