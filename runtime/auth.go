package runtime

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Authenticator verifies a bearer credential (a JWT or an API key) and says
// whom it names. Failures are KindUnauthorized.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Identity, error)
}

// mayAccess is the one access rule: whether id may read and write
// conversation s. Every endpoint and frame that names a conversation goes
// through it (docs/support.md, "Who may do what"):
//   - an admin may do anything;
//   - a member may read and write: the user who started it and those in
//     Members (participants added at creation, agents who joined);
//   - an agent may read and write a conversation in the support queue
//     (SupportWaiting) or assigned to them.
//
// A visitor (anonymous) reaches their conversation only by its resume
// token, which Join checks. Their conversation is reached by the desk as
// any other (a bot hands visitors over too), and by nobody else: its
// owner is a generated id no credential names.
func mayAccess(id Identity, s *Session) error {
	switch {
	case id.Anonymous:
	case id.Role == RoleAdmin:
		return nil
	case id.Role == RoleAgent && (s.SupportStatus == SupportWaiting || s.AssignedAgent == id.UserID):
		return nil
	case slices.Contains(s.Members, id.UserID):
		return nil
	case s.UserID == id.UserID && !s.Anonymous:
		return nil
	}
	return Errorf(KindForbidden, "this conversation belongs to someone else")
}

// mayDelete is the rule's one stricter case: deleting a conversation
// removes it for every member, so only the user who started it (or an
// admin) may.
func mayDelete(id Identity, s *Session) error {
	if err := mayAccess(id, s); err != nil {
		return err
	}
	if id.Role != RoleAdmin && id.UserID != s.UserID {
		return Errorf(KindForbidden, "only the user who started this conversation may delete it")
	}
	return nil
}

// authorOf is who a message id sends to s is from, as its credentials
// say: an agent or admin who did not start the conversation speaks as an
// agent (never heard by the dialog), everyone else as a user. A client
// cannot choose either.
func authorOf(id Identity, s *Session) (Sender, string) {
	name := id.Name
	if name == "" {
		name = id.UserID
	}
	if (id.Role == RoleAgent || id.Role == RoleAdmin) && id.UserID != s.UserID {
		return SenderAgent, name
	}
	return SenderUser, name
}

// senderID is the user id a message id sends to s records: a visitor's
// is their conversation's.
func senderID(id Identity, s *Session) string {
	if id.Anonymous {
		return s.UserID
	}
	return id.UserID
}

// IssueTicket returns a single-use ticket that opens one socket as id,
// for browsers, which cannot set headers on a WebSocket. With several
// nodes it is kept in the database, so that any node redeems it: the
// socket need not reach the node that issued it.
func (h *Hub) IssueTicket(ctx context.Context, id Identity) (ticket string, ttl time.Duration, err error) {
	if err := h.allow(BucketTickets, id); err != nil {
		return "", 0, err // unredeemed tickets are held until they expire
	}
	if cl := h.cfg.Cluster; cl != nil {
		secret := newSecret()
		if err := cl.SaveTicket(ctx, hashSecret(secret), id, h.now().Add(h.cfg.TicketTTL)); err != nil {
			return "", 0, err
		}
		return secret, h.cfg.TicketTTL, nil
	}
	return h.tickets.issue(id), h.cfg.TicketTTL, nil
}

// RedeemTicket returns the identity of a ticket and invalidates it.
func (h *Hub) RedeemTicket(ctx context.Context, ticket string) (Identity, error) {
	if cl := h.cfg.Cluster; cl != nil {
		id, ok, err := cl.RedeemTicket(ctx, hashSecret(ticket))
		if err == nil && !ok {
			err = errBadTicket
		}
		return id, err
	}
	return h.tickets.redeem(ticket)
}

var errBadTicket = Errorf(KindUnauthorized, "the ticket is unknown, used or expired")

// tickets keeps issued tickets in memory, by hash.
type tickets struct {
	now func() time.Time
	ttl time.Duration

	mu      sync.Mutex
	byHash  map[string]ticket
	counter int
}

type ticket struct {
	id      Identity
	expires time.Time
}

func newTickets(now func() time.Time, ttl time.Duration) *tickets {
	return &tickets{now: now, ttl: ttl, byHash: make(map[string]ticket)}
}

func (t *tickets) issue(id Identity) string {
	secret := newSecret()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byHash[hashSecret(secret)] = ticket{id: id, expires: t.now().Add(t.ttl)}
	if t.counter++; t.counter%64 == 0 {
		t.purgeLocked()
	}
	return secret
}

func (t *tickets) redeem(secret string) (Identity, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := hashSecret(secret)
	tk, ok := t.byHash[h]
	delete(t.byHash, h)
	if !ok || t.now().After(tk.expires) {
		return Identity{}, errBadTicket
	}
	return tk.id, nil
}

// purgeLocked drops expired tickets so that unredeemed ones cannot pile up.
func (t *tickets) purgeLocked() {
	now := t.now()
	for h, tk := range t.byHash {
		if now.After(tk.expires) {
			delete(t.byHash, h)
		}
	}
}
