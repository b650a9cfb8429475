package runtime

import "context"

// LastMessage returns the newest message of s, nil when it has none: a
// conversation shown after a change (PATCH, assign) has its last message
// as the list shows it. s is one the caller was let see.
func (h *Hub) LastMessage(ctx context.Context, s *Session) (*Message, error) {
	if s.LastSeq == 0 {
		return nil, nil
	}
	list, err := h.store.FindMessages(ctx, MessageFilter{SessionID: s.ID, AfterSeq: s.LastSeq - 1, Limit: 1})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}
