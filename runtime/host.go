package runtime

import "context"

// host is a conversation's DialogHost. Its methods run on the dialog
// goroutine while Step runs.
type host struct{ c *conv }

var _ DialogHost = (*host)(nil)

func (h *host) Talk(ctx context.Context, text string) error {
	_, err := h.c.append(ctx, &Message{Sender: SenderBot, Content: text})
	return err
}

func (h *host) Suggest(ctx context.Context, list []string) error {
	return h.c.setSuggestions(ctx, list)
}

func (h *host) Typing(ctx context.Context, active bool) error {
	h.c.publish(&Event{Type: EventTyping, SessionID: h.c.id, Sender: SenderBot, Active: active})
	return nil
}

func (h *host) GetMemory(ctx context.Context, key string) (string, bool, error) {
	return h.c.hub.store.GetMemory(ctx, h.scope(), key)
}

func (h *host) SetMemory(ctx context.Context, key, value string) error {
	return h.c.hub.store.SetMemory(ctx, h.scope(), key, value)
}

// scope is the memory of this user with this bot; an anonymous visitor
// has no identity beyond the conversation, so its memory is per
// conversation and goes with it.
func (h *host) scope() MemoryScope {
	s := h.c.session // BotID, UserID and Anonymous never change
	if s.Anonymous {
		return MemoryScope{BotID: s.BotID, Owner: "session:" + string(s.ID)}
	}
	return MemoryScope{BotID: s.BotID, Owner: "user:" + s.UserID}
}
