package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// SendRequest is a user message for a conversation.
type SendRequest struct {
	SessionID   SessionID
	Content     string
	ClientID    string
	Attachments json.RawMessage
}

// Send stores a person's message, publishes it to every socket of the
// conversation and, when a user wrote it, hands it to the dialog, which
// answers asynchronously (an agent's message is not the dialog's to hear).
// It returns once the message has committed: the returned message is the
// acknowledgement. When req.ClientID was already used in the conversation
// nothing is stored or run again, and created is false with the stored
// message.
func (h *Hub) Send(ctx context.Context, id Identity, req SendRequest) (m *Message, created bool, err error) {
	if err := validateSend(req); err != nil {
		return nil, false, err
	}
	err = h.retryEvicted(ctx, req.SessionID, func(c *conv) error {
		if err := mayAccess(id, c.snapshot()); err != nil {
			return err
		}
		m, created, err = h.send(ctx, c, id, req)
		return err
	})
	return m, created, err
}

// Send is Hub.Send for the conversation of a socket, whose access was
// checked when it joined. req.SessionID, when set, must name it.
func (s *Subscription) Send(ctx context.Context, req SendRequest) (*Message, bool, error) {
	if err := validateSend(req); err != nil {
		return nil, false, err
	}
	if req.SessionID != "" && req.SessionID != s.Session.ID {
		return nil, false, Errorf(KindForbidden, "this socket belongs to conversation %s", s.Session.ID)
	}
	m, created, err := s.conv.hub.send(ctx, s.conv, s.Identity, req)
	if errors.Is(err, errEvicted) {
		// Unreachable: a conversation with subscribers is never evicted.
		err = Errorf(KindUnavailable, "the conversation is being reloaded; send again")
	}
	return m, created, err
}

// send stores, publishes and enqueues a validated message.
func (h *Hub) send(ctx context.Context, c *conv, id Identity, req SendRequest) (*Message, bool, error) {
	if err := h.allow(BucketMessages, id); err != nil {
		return nil, false, err
	}
	s := c.snapshot()
	atts, err := h.attach(ctx, id, s, req.Attachments)
	if err != nil {
		return nil, false, err
	}
	c.typing(id, false) // their message ends their typing
	sender, name := authorOf(id, s)
	m := &Message{Sender: sender, SenderName: name, SenderID: senderID(id, s), Content: req.Content, ClientID: req.ClientID, Attachments: atts}
	created, err := c.append(ctx, m) // enqueues a user's m for the dialog
	if err != nil {
		return nil, false, err
	}
	return m, created, nil
}

// validateSend applies the limits every transport shares.
func validateSend(req SendRequest) error {
	switch {
	case len(req.Content) > MaxContentLen:
		return Errorf(KindTooLarge, "content is longer than %d bytes", MaxContentLen)
	case strings.TrimSpace(req.Content) == "" && !hasAttachments(req.Attachments):
		return Errorf(KindInvalidMsg, "content is empty")
	case utf8.RuneCountInString(req.ClientID) > MaxClientIDLen:
		return Errorf(KindInvalidMsg, "client_id is longer than %d characters", MaxClientIDLen)
	case !utf8.ValidString(req.Content):
		return Errorf(KindInvalidMsg, "content is not valid UTF-8")
	}
	return nil
}

// hasAttachments reports whether raw is a non-empty JSON array: only
// real attachments excuse empty content.
func hasAttachments(raw json.RawMessage) bool {
	var list []json.RawMessage
	return json.Unmarshal(raw, &list) == nil && len(list) > 0
}
