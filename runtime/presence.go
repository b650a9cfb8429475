package runtime

import (
	"cmp"
	"slices"
)

// Presence (docs/support.md, "Presence"): the people of a conversation
// see each other come online and go offline. A user is online while they
// have a socket open on any node. The sockets told are those that follow
// a conversation the user is a person of (its owner, a member, its
// assigned agent), one presence event per such conversation, with its
// session id; the user's own sockets are not told. A socket that starts
// following a conversation is told who of its people is online already.
//
// Each node counts its own sockets of a user (arrive, unregister) and
// tells the others when its count leaves or reaches zero
// (presence_nodes.go); it keeps which other nodes have the user online,
// and tells its sockets when the user comes online somewhere or goes
// offline everywhere. The transitions of one user are serialised by a
// stripe of presenceMu, held from the change of count to the last event
// published, so that "online" and "offline" reach a conversation in the
// order they happened. Lock order: a presenceMu stripe, then conv.mu,
// then the registry's mu.

// arrive counts the user of k online here, once its first conversation
// is joined (an agent who joined it is a member by then).
func (h *Hub) arrive(k *socket) {
	user := k.id.UserID
	if k.id.Anonymous || user == "" {
		return
	}
	mu := &h.presenceMu[stripe(user, len(h.presenceMu))]
	mu.Lock()
	defer mu.Unlock()
	h.reg.mu.Lock()
	p := h.reg.personLocked(user)
	was := p.online()
	k.present = true
	if p.present++; p.present == 1 {
		p.role = cmp.Or(k.id.Role, RoleUser)
		h.tellNodesLocked(user, p.role, true)
	}
	role := p.role
	h.reg.mu.Unlock()
	if !was {
		h.announce(user, role, true)
	}
}

// unregister takes a closed socket off the registry. When it was the last
// of its user here, the other nodes are told, and when it was their last
// anywhere, the people of their conversations are.
func (h *Hub) unregister(k *socket) {
	user := k.id.UserID
	if k.id.Anonymous || user == "" {
		return
	}
	mu := &h.presenceMu[stripe(user, len(h.presenceMu))]
	mu.Lock()
	defer mu.Unlock()
	h.reg.mu.Lock()
	p := h.reg.people[user]
	if p == nil {
		h.reg.mu.Unlock()
		return
	}
	delete(p.sockets, k)
	gone := false
	if k.present {
		k.present = false
		if p.present--; p.present == 0 {
			h.tellNodesLocked(user, p.role, false)
			gone = !p.online()
		}
	}
	role := p.role
	h.reg.tidyLocked(user, p)
	h.reg.mu.Unlock()
	if gone {
		h.announce(user, role, false)
	}
}

// announce tells the sockets of the live conversations user is a person
// of that they came online or went offline. The caller holds the user's
// presenceMu stripe.
func (h *Hub) announce(user, role string, online bool) {
	for _, c := range h.reg.roomsOf(user) {
		c.mu.Lock()
		if c.hasPersonLocked(user) {
			c.publishLocked(&Event{Type: EventPresence, SessionID: c.id, User: user, Role: role, Online: online})
		}
		c.mu.Unlock()
	}
}

// greetPresenceLocked tells a new subscriber which people of the
// conversation are online, before its live events. An event already on
// its way may repeat one: presence events state a fact, and a client
// keeps the last it got.
func (c *conv) greetPresenceLocked(sub *Subscription) {
	s, self := c.session, sub.Identity.UserID
	if s.Anonymous || (s.UserID == self && len(s.Members) == 0 && s.AssignedAgent == "") {
		return // alone in it
	}
	var events []*Event
	c.hub.reg.mu.Lock()
	for _, user := range c.everyoneLocked() {
		if p := c.hub.reg.people[user]; p != nil && user != self && p.online() {
			events = append(events, &Event{Type: EventPresence, SessionID: c.id, User: user, Role: p.role, Online: true})
		}
	}
	c.hub.reg.mu.Unlock()
	for _, e := range events {
		sub.sock.offer(e)
	}
}

// roomLocked keeps c listed in the registry under each of its people
// while it has subscribers and more than one person, so that a person's
// presence reaches the others' sockets of it. It looks again at the
// people only when they changed (force) or the first subscriber came or
// the last went.
func (c *conv) roomLocked(force bool) {
	has := len(c.subs) > 0
	if !force && has == c.roomed {
		return
	}
	followed := c.roomed && has // not the first subscriber, whom greetPresenceLocked tells
	c.roomed = has
	var want []string
	if has {
		if want = c.everyoneLocked(); len(want) < 2 {
			want = nil
		}
	}
	if !slices.Equal(want, c.rooms) {
		c.hub.reg.move(c, c.rooms, want)
		if followed {
			c.tellNewPeopleLocked(c.rooms, want)
		}
		c.rooms = want
	}
}

// tellNewPeopleLocked tells the subscribers which of the people who just
// joined the conversation's people (were not in was, are in now) are
// online. Their coming online may have been announced before this node
// knew they were people of it (an assignment made on another node, whose
// news raced the presence broadcast), and would then never reach these
// sockets.
func (c *conv) tellNewPeopleLocked(was, now []string) {
	var events []*Event
	c.hub.reg.mu.Lock()
	for _, user := range now {
		if p := c.hub.reg.people[user]; p != nil && !slices.Contains(was, user) && p.online() {
			events = append(events, &Event{Type: EventPresence, SessionID: c.id, User: user, Role: p.role, Online: true})
		}
	}
	c.hub.reg.mu.Unlock()
	for _, e := range events {
		c.publishLocked(e)
	}
}

// everyoneLocked lists the people of the conversation: its owner, its
// members and its assigned agent. An anonymous visitor has no presence.
func (c *conv) everyoneLocked() []string {
	s := c.session
	if s.Anonymous {
		return nil
	}
	people := append([]string{s.UserID}, s.Members...)
	if s.AssignedAgent != "" && !slices.Contains(people, s.AssignedAgent) {
		people = append(people, s.AssignedAgent)
	}
	return people
}

// hasPersonLocked reports whether user is one of the conversation's people.
func (c *conv) hasPersonLocked(user string) bool {
	s := c.session
	return !s.Anonymous && (s.UserID == user || s.AssignedAgent == user || slices.Contains(s.Members, user))
}

// Online lists the users online with role (any role when empty), here or,
// as far as this node has heard, on another node, sorted. The support
// desk uses it to see which agents are at work.
func (h *Hub) Online(role string) []string {
	h.reg.mu.Lock()
	defer h.reg.mu.Unlock()
	var list []string
	for user, p := range h.reg.people {
		if p.online() && (role == "" || p.role == role) {
			list = append(list, user)
		}
	}
	slices.Sort(list)
	return list
}
