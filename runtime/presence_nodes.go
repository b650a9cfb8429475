package runtime

import "time"

// Presence between nodes. Each node tells the others when its count of a
// user's sockets reaches or leaves zero (a broadcast, best effort as
// typing is), and every Config.PresenceEvery it lists everyone online on
// it. A node keeps, for each user, the other nodes that have them online
// and until when: a listing or an "online" moves that to presenceTTL
// PresenceEvery from now, an "offline" ends it, and an entry nobody
// renews ends by itself. So a lost broadcast is mended by the next
// listing, and the users of a node that died go offline on the others
// between 2 and 4 PresenceEvery after it died. Nodes are expected to share
// PresenceEvery (cmd derives it from the lease time, which they share).

// presenceTTL is how many listings a node may miss before its users are
// taken for offline.
const presenceTTL = 3

// presenceChunk bounds the bytes of one listing, to keep each broadcast
// well under what one NOTIFY carries.
const presenceChunk = 3000

// Presence is one user online on a node, in that node's listing.
type Presence struct {
	User string `json:"u"`
	Role string `json:"r,omitempty"`
}

// tellNodesLocked tells the other nodes that user is online on this node,
// or no longer. Under the registry's mu, so that they get this node's
// changes and listings in the order they happened.
func (h *Hub) tellNodesLocked(user, role string, online bool) {
	if cl := h.cfg.Cluster; cl != nil {
		cl.Broadcast(&Event{Type: EventPresence, User: user, Role: role, Online: online})
	}
}

// remotePresence applies another node's presence broadcast.
func (h *Hub) remotePresence(e *Event) {
	if e.Node == "" {
		return // not from a node: nothing to keep it under
	}
	until := time.Now().Add(presenceTTL * h.cfg.PresenceEvery)
	seen := func(user, role string) {
		h.changeRemote(user, func(p *person) {
			if p.nodes == nil {
				p.nodes = make(map[string]time.Time)
			}
			p.nodes[e.Node] = until
			if p.present == 0 {
				p.role = role
			}
		})
	}
	switch {
	case e.Present != nil:
		for _, p := range e.Present {
			seen(p.User, p.Role)
		}
	case e.Online:
		seen(e.User, e.Role)
	default:
		h.changeRemote(e.User, func(p *person) { delete(p.nodes, e.Node) })
	}
}

// changeRemote applies f to what this node knows of user, under their
// presenceMu stripe and the registry's mu, and tells this node's sockets
// when that makes them come online or go offline.
func (h *Hub) changeRemote(user string, f func(*person)) {
	mu := &h.presenceMu[stripe(user, len(h.presenceMu))]
	mu.Lock()
	defer mu.Unlock()
	h.reg.mu.Lock()
	p := h.reg.personLocked(user)
	was := p.online()
	f(p)
	now, role := p.online(), p.role
	h.reg.tidyLocked(user, p)
	h.reg.mu.Unlock()
	if was != now {
		h.announce(user, role, now)
	}
}

// presenceLoop lists this node's users to the others and forgets the
// other nodes' users they stopped listing.
func (h *Hub) presenceLoop() {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.PresenceEvery)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.listPresence()
			h.expirePresence(time.Now())
		}
	}
}

// listPresence broadcasts everyone online on this node, in chunks.
func (h *Hub) listPresence() {
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	var list []Presence
	size := 0
	for user, p := range h.reg.people {
		if p.present == 0 {
			continue
		}
		list = append(list, Presence{User: user, Role: p.role})
		if size += len(user) + len(p.role) + 16; size >= presenceChunk {
			h.cfg.Cluster.Broadcast(&Event{Type: EventPresence, Online: true, Present: list})
			list, size = nil, 0
		}
	}
	if len(list) > 0 {
		h.cfg.Cluster.Broadcast(&Event{Type: EventPresence, Online: true, Present: list})
	}
}

// expirePresence forgets the other nodes' users not listed in time.
func (h *Hub) expirePresence(now time.Time) {
	h.reg.mu.Lock()
	var stale []string
	for user, p := range h.reg.people {
		for _, until := range p.nodes {
			if until.Before(now) {
				stale = append(stale, user)
				break
			}
		}
	}
	h.reg.mu.Unlock()
	for _, user := range stale {
		h.changeRemote(user, func(p *person) {
			for node, until := range p.nodes {
				if until.Before(now) {
					delete(p.nodes, node)
				}
			}
		})
	}
}
