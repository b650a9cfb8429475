package runtime

import "context"

// The users the server has seen, by the name and role of their latest
// credentials (UserStore, UserDirectory).

// maxPeople bounds the users one People call reads.
const maxPeople = 1000

// People returns the users among ids that the server has seen (they
// opened a socket or started a conversation), by user id, with the name
// and role of their latest credentials. Others are absent: a transport
// calls them by their id. Without a store that reads users
// (UserDirectory) it knows nobody.
func (h *Hub) People(ctx context.Context, ids []string) (map[string]Identity, error) {
	out := make(map[string]Identity, len(ids))
	dir, ok := h.store.(UserDirectory)
	if !ok || len(ids) == 0 {
		return out, nil
	}
	if len(ids) > maxPeople {
		return nil, Errorf(KindInvalid, "at most %d people at once", maxPeople)
	}
	users, err := dir.FindUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out[u.UserID] = u
	}
	return out, nil
}

// RememberUser records the caller's name and role, as opening a socket
// does, for a transport whose callers may never open one (REST): so
// that others see their name (People).
func (h *Hub) RememberUser(ctx context.Context, id Identity) error {
	if id.Anonymous || id.UserID == "" {
		return nil
	}
	return h.store.UpsertUser(ctx, id)
}
