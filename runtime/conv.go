package runtime

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// conv is a live conversation: its subscribers, the writes that give its
// messages their seq, and the goroutine that runs its dialog.
//
// mu is held across each append and the publish that follows it, so that
// publish order is seq order and a new subscriber's snapshot (LastSeq,
// Suggestions) is exact: every message up to LastSeq was published before
// it subscribed and every later one reaches it live.
type conv struct {
	hub *Hub
	id  SessionID

	mu      sync.Mutex
	session *Session // snapshot kept current under mu
	subs    map[*Subscription]struct{}
	closed  bool // the hub is closing: user messages are refused
	evicted bool // dropped from the hub: callers must look it up again
	deleted bool // deleted from the store: the dialog must write nothing
	// offer is a user message handed to the dialog before it was stored,
	// until it has its seq (early.go); other appends wait for it.
	offer     *offer
	oneCommit bool // user messages may be offered to a parked dialog

	// inputs for the dialog goroutine (input.go).
	inMu    sync.Mutex
	inputs  []input
	running bool // a dialog goroutine runs (worker.go)
	closing bool
	busy    int           // inputs queued or being stepped
	idle    chan struct{} // closed when busy drops to 0, then replaced
	// handover: the dialog waits for people in a TRANSFER (transfer.go),
	// which counts as idle: it has nothing to answer until they are done.
	handover bool

	// stillUnheard holds the seqs of user messages stored here while the
	// bot was off and not yet taken, so that a backlog read (after a
	// failure or an eviction) takes them unheard too; adoptedSeq is the
	// last seq when the conversation went live (under mu).
	stillUnheard map[int64]struct{}
	adoptedSeq   int64

	// People (people.go), under mu: who is typing, and how far each reader
	// who is not the owner has read (the owner's mark is session.ReadSeq).
	typists map[string]*typist
	reads   map[string]int64
	// changed is closed (and set to nil) when refreshLocked takes a change
	// of the session from the store: a pending handover waits on it
	// (transfer.go). Made by whoever waits.
	changed chan struct{}
	// The people whose presence its subscribers are told, under mu
	// (presence.go): roomed says it has subscribers, rooms whom it is
	// listed under in the hub's registry.
	roomed bool
	rooms  []string

	lastInput     time.Time // when the last input was queued
	evictedDialog bool      // the dialog was dropped and nothing came since

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the conversation has ended (worker.go, end)
	runner runner        // owned by the dialog goroutine

	// The dialog lease when nodes share the database (cluster.go): fence
	// belongs to the dialog goroutine; leased mirrors fence > 0 for the
	// goroutines that hand it messages.
	fence  int64
	leased atomic.Bool
}

func newConv(h *Hub, s *Session) *conv {
	// Not derived from the hub's context: a draining hub lets dialogs
	// finish their stored messages and cancels them only at the deadline.
	ctx, cancel := context.WithCancel(context.Background())
	c := &conv{
		hub: h, id: s.ID, session: s,
		subs: make(map[*Subscription]struct{}),
		idle: make(chan struct{}),
		ctx:  ctx, cancel: cancel,
		done:      make(chan struct{}),
		lastInput: h.now(),
		oneCommit: h.oneCommitTurns(),

		adoptedSeq: s.LastSeq,
	}
	c.runner.c = c
	context.AfterFunc(ctx, c.kick) // a cancelled conversation ends even if idle
	return c
}

// subscribe adds a subscriber of id and takes its snapshot under mu: on
// sock, a socket that follows other conversations already (its greeting
// is queued first, so that no live event of c precedes it), or on a new
// socket when sock is nil.
func (c *conv) subscribe(id Identity, sock *socket, after int64) (*Subscription, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evicted {
		return nil, errEvicted
	}
	if c.closed {
		return nil, Errorf(KindUnavailable, "the server is shutting down")
	}
	snap := *c.session
	snap.Suggestions = append([]string(nil), c.session.Suggestions...)
	sub := &Subscription{Session: &snap, Identity: id, After: -1, conv: c}
	if sock == nil {
		sub.sock = newSocket(c.hub, id)
		sub.sock.first, sub.sock.onFirst = sub, true
		c.hub.register(sub.sock)
	} else {
		sub.sock, sub.After = sock, after
		if err := sock.add(sub); err != nil {
			return nil, err
		}
		if !sock.offer(&Event{Type: EventStatus, SessionID: c.id, Status: StatusConnected, Follow: sub}) {
			sock.remove(sub)
			return nil, Errorf(KindUnavailable, "the socket was closed")
		}
	}
	sub.events = sub.sock.events
	c.subs[sub] = struct{}{}
	c.roomLocked(false)
	c.greetPresenceLocked(sub)
	return sub, nil
}

// unsubscribe takes sub out of the conversation's subscribers.
func (c *conv) unsubscribe(sub *Subscription) {
	c.mu.Lock()
	delete(c.subs, sub)
	c.roomLocked(false)
	c.mu.Unlock()
}

// snapshot returns a copy of the conversation's session.
func (c *conv) snapshot() *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := *c.session
	return &s
}

// hasSubscribers reports whether any socket follows the conversation.
func (c *conv) hasSubscribers() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subs) > 0
}

// append stores m and publishes it. A user message clears the suggestions
// in force (the store clears them in the same transaction) and is handed
// to the dialog under mu, so that the dialog gets user messages in seq
// order and none is accepted after closeInput. Messages other nodes
// stored before m are published first (fillGapLocked).
// created is false when m's client_id was already stored; m then holds the
// stored message and nothing is published. A user message for a dialog
// parked in HEAR is stored with the dialog's answer instead (early.go).
func (c *conv) append(ctx context.Context, m *Message) (created bool, err error) {
	m.SessionID = c.id
	c.mu.Lock()
	if err := c.waitOfferLocked(ctx); err != nil {
		c.mu.Unlock()
		return false, err
	}
	if c.evicted {
		c.mu.Unlock()
		return false, errEvicted
	}
	if c.closed && m.Sender == SenderUser {
		c.mu.Unlock()
		return false, Errorf(KindUnavailable, "the server is shutting down")
	}
	if m.Sender == SenderUser {
		if o := c.offerLocked(m); o != nil {
			c.mu.Unlock()
			return c.await(ctx, o)
		}
	}
	defer c.mu.Unlock()
	created, err = c.hub.store.AppendMessage(ctx, m)
	if err != nil || !created {
		return created, err
	}
	c.publishStoredLocked(context.WithoutCancel(ctx), m)
	switch m.Sender {
	case SenderUser:
		c.userMessageLocked(m)
	case SenderAgent:
		c.firstReplyLocked(context.WithoutCancel(ctx), m)
	}
	return true, nil
}

// publishStoredLocked publishes a message this node has just stored,
// after any another node stored before it.
func (c *conv) publishStoredLocked(ctx context.Context, m *Message) {
	c.precedeLocked(ctx, m.Seq)
	c.session.LastSeq = m.Seq
	c.session.LastActivity = m.CreatedAt
	c.publishLocked(&Event{Type: EventMessage, SessionID: c.id, Message: m})
}

// fillGapLocked publishes the stored messages with LastSeq < seq < before
// that this node has not published: those another node wrote (on a
// single node there are none, and it reads nothing). A user
// message among them clears the suggestions, as a local one does, and
// goes to the dialog when this node runs it.
func (c *conv) fillGapLocked(ctx context.Context, before int64) error {
	for c.session.LastSeq+1 < before {
		list, err := c.hub.store.FindMessages(ctx, MessageFilter{
			SessionID: c.id, AfterSeq: c.session.LastSeq, BeforeSeq: before, Limit: 100,
		})
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return nil // deleted meanwhile
		}
		for _, m := range list {
			c.publishElsewhereLocked(m)
		}
	}
	return nil
}

// publishElsewhereLocked publishes m, the next message, which another
// node stored. A user message clears the suggestions, as a local one
// does, and goes to the dialog when this node runs it.
func (c *conv) publishElsewhereLocked(m *Message) {
	c.session.LastSeq, c.session.LastActivity = m.Seq, m.CreatedAt
	c.publishLocked(&Event{Type: EventMessage, SessionID: c.id, Message: m, elsewhere: true})
	if m.Sender == SenderUser {
		c.userMessageLocked(m)
	}
}

// precedeLocked publishes, before a message this node stored with seq,
// those other nodes stored before it. A failure is logged, not returned:
// the message is stored, and clients that see the gap fetch it from
// history.
func (c *conv) precedeLocked(ctx context.Context, seq int64) {
	if err := c.fillGapLocked(ctx, seq); err != nil {
		c.logger().Warn("reading other nodes' messages failed", "err", err)
	}
}

// userMessageLocked does what follows a stored user message here: the
// suggestions in force are over (the store cleared them with the append),
// and the dialog gets the message if this node runs it, unless the
// conversation is with people (the bot is off, or a handover is pending):
// then it only takes it, unheard. That is read here, under the lock the
// append holds, so a message stored while the bot is off is never heard,
// even if the bot is switched on before the dialog gets to it.
func (c *conv) userMessageLocked(m *Message) {
	c.clearSuggestionsLocked()
	in := messageInput(m)
	if c.withPeopleLocked() {
		// Kept on every node, not only the runner: this one may take the
		// dialog over before the message is taken.
		in.kind = inputSkip
		if c.stillUnheard == nil {
			c.stillUnheard = map[int64]struct{}{}
		}
		c.stillUnheard[m.Seq] = struct{}{}
	}
	if c.hub.cfg.Cluster == nil || c.leased.Load() {
		c.enqueue(in)
	}
}

// clearSuggestionsLocked ends the suggestions in force, as the store did
// when it stored a user message.
func (c *conv) clearSuggestionsLocked() {
	if len(c.session.Suggestions) > 0 {
		c.session.Suggestions = []string{}
		c.publishLocked(&Event{Type: EventSuggestion, SessionID: c.id, Suggestions: []string{}})
	}
}

// closeInput refuses user messages from now on. Every message accepted
// before it is already queued for the dialog, which stop lets finish.
func (c *conv) closeInput() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
}

// update changes the conversation in the store and in memory.
func (c *conv) update(ctx context.Context, upd SessionUpdate) (*Session, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evicted {
		return nil, errEvicted
	}
	s, err := c.hub.store.UpdateSession(ctx, c.id, upd)
	if err != nil {
		return nil, err
	}
	c.hub.feedWake.wake()
	c.refreshLocked(s)
	return s, nil
}

// refreshLocked takes from s, read from the store, what UpdateSession
// changes (here or on another node): the status, the read mark, who may
// take part, the handover; and wakes a handover waiting for a change.
func (c *conv) refreshLocked(s *Session) {
	c.session.Status, c.session.ReadSeq = s.Status, s.ReadSeq
	people := !slices.Equal(c.session.Members, s.Members) || c.session.AssignedAgent != s.AssignedAgent
	c.session.Title, c.session.Members = s.Title, s.Members
	if c.session.SupportStatus != s.SupportStatus {
		// Told by each node to its own sockets, as the bot switch is.
		switch s.SupportStatus {
		case SupportWaiting:
			c.publishLocked(&Event{Type: EventStatus, SessionID: c.id, Status: StatusWaitingAgent})
		case SupportResolved:
			c.publishLocked(&Event{Type: EventStatus, SessionID: c.id, Status: StatusResolved})
		}
	}
	c.session.SupportStatus, c.session.AssignedAgent = s.SupportStatus, s.AssignedAgent
	c.refreshTransferLocked(s)
	if people {
		c.roomLocked(true)
	}
	if c.session.BotOff != s.BotOff {
		// Each node tells its own sockets when it learns of the switch,
		// under the lock its appends hold: a message a client sends after
		// it got the frame is stored with the switch as the frame says.
		c.session.BotOff = s.BotOff
		status := StatusBotOn
		if s.BotOff {
			status = StatusBotOff
		}
		c.publishLocked(&Event{Type: EventStatus, SessionID: c.id, Status: status})
	}
}

// publish fans e out to every subscriber, on every node. It is for the
// events that are not rows (typing, dialog errors); rows reach the other
// nodes through the store (cluster.go).
func (c *conv) publish(e *Event) {
	c.mu.Lock()
	c.publishLocked(e)
	c.mu.Unlock()
	c.broadcast(e)
}

// broadcast offers e (if any), an event that is not a row and that this
// node has published, to the other nodes.
func (c *conv) broadcast(e *Event) {
	if cl := c.hub.cfg.Cluster; cl != nil && e != nil {
		cl.Broadcast(e)
	}
}

// publishLocked offers e to each subscriber without blocking; one whose
// socket's queue is full is dropped rather than buffered without bound. A
// person's typing, read receipts and presence skip their own sockets.
func (c *conv) publishLocked(e *Event) {
	c.hub.feedWake.wake()
	for sub := range c.subs {
		if e.User != "" && sub.Identity.UserID == e.User {
			continue
		}
		// Unlike offer, this does not skip a socket that has ended: its
		// subscriptions let go of it when its transport closes it.
		if !sub.sock.enqueue(c.id, e) {
			// Its other conversations let go of it when the transport
			// closes the socket.
			delete(c.subs, sub)
			c.roomLocked(false)
		}
	}
	if e.Type == EventMessage && !e.elsewhere {
		c.notifyLocked(e.Message)
	}
}

// endAll ends every subscription with reason, after publishing e (if any).
// A deleted conversation that a socket joined after it connected is only
// left: the socket is told (an error not_found naming it) and goes on
// with the others; a socket's first conversation deleted ends it, as
// before sockets could follow several.
func (c *conv) endAll(e *Event, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e != nil {
		c.publishLocked(e)
	}
	for sub := range c.subs {
		delete(c.subs, sub)
		if reason == ReasonDeleted && sub != sub.sock.first {
			if sub.sock.remove(sub) {
				sub.sock.offer(&Event{Type: EventError, SessionID: c.id, Code: KindNotFound, Text: "the conversation was deleted"})
			}
			continue
		}
		sub.sock.end(reason)
	}
	c.roomLocked(false)
}

// logger returns the hub's logger tagged with this conversation.
func (c *conv) logger() *slog.Logger {
	return c.hub.log.With("session", c.id, "bot", c.session.BotID)
}

// applyLocked brings the in-memory session up to date with a committed
// dialog write.
func (c *conv) applyLocked(w *DialogWrite) {
	s := c.session
	for _, m := range w.Messages {
		s.LastSeq, s.LastActivity = m.Seq, m.CreatedAt
	}
	if w.Suggestions != nil {
		s.Suggestions = *w.Suggestions
	}
	if w.ConsumedSeq > s.ConsumedSeq {
		s.ConsumedSeq = w.ConsumedSeq
	}
	if w.WakeAt != nil {
		s.WakeAt = *w.WakeAt
	}
	if w.Run != nil {
		s.Run, s.RunEnded = w.Run.Run, w.Run.Ended
		if !w.Run.Ended {
			s.ScriptVersion = w.Run.Version
		}
	}
}
