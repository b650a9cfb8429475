package runtime

import "sync"

// registry is the hub's view of the people here: every open socket by
// user, for notifications (notify.go). Its mu is taken after conv.mu and
// before a socket's.
type registry struct {
	mu     sync.Mutex
	people map[string]*person
}

// person is one user as this node knows them.
type person struct {
	sockets map[*socket]struct{} // open here
}

func newRegistry() registry {
	return registry{people: make(map[string]*person)}
}

// personLocked returns user's entry, making one.
func (r *registry) personLocked(user string) *person {
	p := r.people[user]
	if p == nil {
		p = &person{sockets: make(map[*socket]struct{})}
		r.people[user] = p
	}
	return p
}

// tidyLocked drops user's entry once nothing is left in it.
func (r *registry) tidyLocked(user string, p *person) {
	if len(p.sockets) == 0 {
		delete(r.people, user)
	}
}

// register records a new socket under its user: from now on it is
// notified of their other conversations. Anonymous visitors are alone in
// theirs. Called under the mu of the socket's first conversation.
func (h *Hub) register(k *socket) {
	if k.id.Anonymous || k.id.UserID == "" {
		return
	}
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	h.reg.personLocked(k.id.UserID).sockets[k] = struct{}{}
}

// unregister takes a closed socket off the registry.
func (h *Hub) unregister(k *socket) {
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	if p := h.reg.people[k.id.UserID]; p != nil {
		delete(p.sockets, k)
		h.reg.tidyLocked(k.id.UserID, p)
	}
}
