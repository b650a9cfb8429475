package runtime

import (
	"sync"
	"time"
)

// registry is the hub's view of the people here: every open socket by
// user, for notifications (notify.go) and presence (presence.go), who is
// online on the other nodes, and the live conversations that have
// sockets, listed under each of their people, so that a person's presence
// reaches the others without a look at every conversation. Its mu is
// taken after conv.mu and before a socket's.
type registry struct {
	mu     sync.Mutex
	people map[string]*person
	rooms  map[string]map[*conv]struct{}
}

// person is one user as this node knows them.
type person struct {
	role    string               // as their sockets (or the node that told) say
	sockets map[*socket]struct{} // open here
	present int                  // of those, how many count them online (arrive)
	nodes   map[string]time.Time // other nodes they are online on, until when
}

// online: on this node or, as far as it knows, another.
func (p *person) online() bool { return p.present > 0 || len(p.nodes) > 0 }

func newRegistry() registry {
	return registry{people: make(map[string]*person), rooms: make(map[string]map[*conv]struct{})}
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
	if len(p.sockets) == 0 && !p.online() {
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

// move lists c under the people of want instead of those of had.
func (r *registry) move(c *conv, had, want []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, user := range had {
		delete(r.rooms[user], c)
		if len(r.rooms[user]) == 0 {
			delete(r.rooms, user)
		}
	}
	for _, user := range want {
		set := r.rooms[user]
		if set == nil {
			set = make(map[*conv]struct{})
			r.rooms[user] = set
		}
		set[c] = struct{}{}
	}
}

// roomsOf returns the live conversations with sockets that user is a
// person of.
func (r *registry) roomsOf(user string) []*conv {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := make([]*conv, 0, len(r.rooms[user]))
	for c := range r.rooms[user] {
		list = append(list, c)
	}
	return list
}
