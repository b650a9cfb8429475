package runtime

import "context"

// A user's conversations seen from one bot (rest's /api/bots/:id/…):
// the history of their latest conversation with it, as a chat client
// shows it before the next message.

// BotHistory returns the newest limit messages (oldest first) of the
// caller's conversation sid with bot, or, with sid empty, of their most
// recently active conversation with it (as Chat picks). With no
// conversation yet it returns nil and no messages.
func (h *Hub) BotHistory(ctx context.Context, id Identity, bot BotID, sid SessionID, limit int) (*Session, []*Message, error) {
	if id.Anonymous {
		return nil, nil, Errorf(KindUnauthorized, "log in to read history over REST")
	}
	b, err := h.botFor(id, bot)
	if err != nil {
		return nil, nil, err
	}
	var s *Session
	if sid != "" {
		s, err = h.resumable(ctx, id, JoinRequest{BotID: b.ID, SessionID: sid})
	} else {
		s, err = h.store.FindLatestSession(ctx, id.UserID, b.ID)
		if IsKind(err, KindNotFound) {
			return nil, nil, h.allow(BucketHistory, id)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	msgs, _, err := h.History(ctx, id, s.ID, HistoryQuery{Limit: limit})
	return s, msgs, err
}
