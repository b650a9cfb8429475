package runtime

import "context"

// What the support app's interface (package supportapp: Socket.IO and
// /api/v1/chat) asks of the hub beyond what /ws and /api use: the one
// open conversation of a user with support and a conversation read
// through the access rule (here), its people's read marks and unread
// counts (readmarks.go), the desk's list across statuses (desk.go) and
// the names of people (users.go).

// maxSupportScan bounds the user's conversations SupportConversation
// looks through for an open one: their most recent.
const maxSupportScan = 50

// SupportConversation returns the caller's open conversation with
// support, creating it if there is none (created is then true): their
// most recently active conversation with the default bot that they
// started, that is not archived and whose support status is neither
// resolved nor closed. Two calls at once find or create the same one.
func (h *Hub) SupportConversation(ctx context.Context, id Identity) (s *Session, created bool, err error) {
	if id.Anonymous || id.UserID == "" {
		return nil, false, Errorf(KindUnauthorized, "log in to talk to support")
	}
	bot, err := h.botFor(id, "")
	if err != nil {
		return nil, false, err
	}
	unlock, err := h.joinLock(ctx, id)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if s, err = h.openSupport(ctx, id, bot.ID); s != nil || err != nil {
		return s, false, err
	}
	s, err = h.CreateConversation(ctx, id, NewConversation{BotID: bot.ID})
	return s, err == nil, err
}

// openSupport finds the conversation SupportConversation returns, nil
// when there is none.
func (h *Hub) openSupport(ctx context.Context, id Identity, bot BotID) (*Session, error) {
	rows, _, err := h.store.ListSessions(ctx, SessionFilter{UserID: id.UserID, BotID: bot, Status: StatusActive, Limit: maxSupportScan})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		st := r.SupportStatus
		if r.UserID == id.UserID && st != SupportResolved && st != SupportClosed {
			return h.session(ctx, r.ID) // as it stands now, live or stored
		}
	}
	return nil, nil
}

// Lookup returns conversation sid if the caller may read it.
func (h *Hub) Lookup(ctx context.Context, id Identity, sid SessionID) (*Session, error) {
	return h.accessible(ctx, id, sid)
}
