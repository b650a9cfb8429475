package runtime

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"
)

// Several nodes on one database (PostgreSQL). Any node serves any socket:
// a user's phone may be on one node and the laptop on another. Two things
// make that work.
//
// Fan-out. A node learns that other nodes wrote to a conversation from
// Cluster.Changes: batches of conversation ids, a wake-up and never the
// source of truth. For the conversations of a batch live here it reads
// their session rows and the messages after the last seq it published,
// all in one query (Store.FindSince), and publishes each conversation's
// in seq order (catchUp). A local append whose seq is not the next
// one first publishes the messages in between (fillGapLocked), so each
// node's sockets see every message once, in seq order, whoever wrote it.
// A nil batch means the feed was interrupted: every live conversation is
// read again.
//
// One runner. Only the node holding a conversation's lease runs its
// dialog (Cluster.Acquire). The node that stores a user message tries to
// take the lease; when another live node holds it, that node learns of the
// message through the feed and gives it to its dialog. Each dialog write
// carries the lease's fence, and the store refuses it once another node
// has taken the lease (ErrNotRunner): a stalled node cannot answer twice.
// A node's leases die with it; every node looks for conversations with
// work and no live runner (Cluster.Orphans) and takes them over, rebuilding
// their dialogs from the journal.

// Cluster is what a node shares with the other nodes of its database.
// Nil in Config means a single node: it runs every dialog.
type Cluster interface {
	// Acquire makes this node the runner of sid's dialog unless another
	// live node is, and returns the fence its dialog writes must carry
	// (DialogWrite.Fence). 0 means another node runs it.
	Acquire(ctx context.Context, sid SessionID) (fence int64, err error)
	// Release gives up the lease taken with fence, if still held.
	Release(ctx context.Context, sid SessionID, fence int64) error
	// Orphans lists the conversations whose dialog has work to do (as
	// DialogStore.PendingDialogs) and no live node running it.
	Orphans(ctx context.Context) ([]SessionID, error)
	// Changes delivers the ids of conversations other nodes wrote to, in
	// batches. A nil batch says changes may have been missed.
	Changes() <-chan []SessionID
	// Broadcast offers e, an event that is not a row (typing, a dialog
	// error), to the other nodes, at most once and without blocking.
	Broadcast(e *Event)
	// Events delivers the other nodes' broadcasts, each with Node set to
	// the node that broadcast it.
	Events() <-chan *Event
	// SweepEvery is how often to look for orphans.
	SweepEvery() time.Duration
	// Lock takes a lock named key across all nodes, waiting for it while
	// ctx allows; unlock gives it back.
	Lock(ctx context.Context, key string) (unlock func(), err error)
	// SaveTicket keeps a /ws ticket (its hash) for any node to redeem,
	// once, until expires.
	SaveTicket(ctx context.Context, hash string, id Identity, expires time.Time) error
	// RedeemTicket deletes the ticket and returns its identity; ok is
	// false when it is unknown, used or expired.
	RedeemTicket(ctx context.Context, hash string) (id Identity, ok bool, err error)
}

// ErrNotRunner is the store's answer to a dialog write whose fence is no
// longer the conversation's: another node runs the dialog now.
var ErrNotRunner = errors.New("another node runs this conversation's dialog")

// watchLoop applies the other nodes' changes to the live conversations.
// A conversation whose catch-up failed (the database went away) is tried
// again, with backoff, until it succeeds: its sockets must not wait for
// the next change to see what they missed.
func (h *Hub) watchLoop() {
	defer h.wg.Done()
	ch, events := h.cfg.Cluster.Changes(), h.cfg.Cluster.Events()
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	var failed []SessionID
	backoff := time.Duration(0)
	for {
		select {
		case <-h.ctx.Done():
			return
		case ids, ok := <-ch:
			if !ok {
				return
			}
			h.feedWake.wake()
			if ids != nil {
				ids = append(ids, failed...)
			}
			failed = h.applyChanges(ids)
		case <-retry.C:
			failed = h.applyChanges(failed)
		case e := <-events:
			switch e.Type {
			case EventNotification:
				h.notifyLocal(e)
				continue
			case EventPresence:
				h.remotePresence(e)
				continue
			}
			h.mu.Lock()
			c, live := h.convs[e.SessionID]
			h.mu.Unlock()
			if live {
				c.mu.Lock()
				c.remoteLocked(e)
				c.publishLocked(e)
				c.mu.Unlock()
			}
			continue
		}
		switch {
		case len(failed) == 0:
			backoff = 0
			retry.Stop()
		default:
			backoff = min(max(2*backoff, 50*time.Millisecond), 2*time.Second)
			retry.Reset(backoff)
		}
	}
}

// applyChanges catches up the conversations of ids that are live here
// (all of them when ids is nil) and returns those that failed.
func (h *Hub) applyChanges(ids []SessionID) (failed []SessionID) {
	h.mu.Lock()
	var convs []*conv
	if ids == nil {
		for _, c := range h.convs {
			convs = append(convs, c)
		}
	} else {
		seen := make(map[SessionID]bool, len(ids))
		for _, id := range ids {
			if c, ok := h.convs[id]; ok && !seen[id] {
				seen[id] = true
				convs = append(convs, c)
			}
		}
	}
	h.mu.Unlock()
	for len(convs) > 0 {
		n := min(len(convs), catchUpConvs)
		bad, err := h.catchUp(h.ctx, convs[:n])
		if len(bad) > 0 && h.ctx.Err() == nil {
			h.log.Warn("catching up with other nodes failed; trying again", "err", err, "count", len(bad))
			for _, c := range bad {
				failed = append(failed, c.id)
			}
		}
		convs = convs[n:]
	}
	return failed
}

// A catch-up reads at most catchUpConvs conversations at once, and at
// most catchUpMessages messages of each (a conversation with more reads
// the rest on its own, fillGapLocked): a wake-up names a message or two
// per conversation, a resync after a lost connection every live one.
const (
	catchUpConvs    = 100
	catchUpMessages = 25
)

// catchUp publishes what other nodes stored in convs since this node
// last published: one read of all their sessions and new messages
// (FindSince), then, for each, the messages after its LastSeq in order
// and the suggestions as its session row has them. The row and the
// messages are read as of one moment, and the messages only up to its
// last_seq, so the suggestions published are those in force after the
// last message published. A conversation no longer in the store was
// deleted on another node: it ends here. It returns the conversations
// whose catch-up failed and the (first) error.
func (h *Hub) catchUp(ctx context.Context, convs []*conv) (failed []*conv, err error) {
	live := make([]*conv, 0, len(convs))
	marks := make([]SeqMark, 0, len(convs))
	for _, c := range convs {
		c.mu.Lock()
		if !c.evicted && !c.deleted {
			live = append(live, c)
			marks = append(marks, SeqMark{SessionID: c.id, AfterSeq: c.session.LastSeq})
		}
		c.mu.Unlock()
	}
	if len(marks) == 0 {
		return nil, nil
	}
	list, err := h.store.FindSince(ctx, marks, catchUpMessages)
	if err != nil {
		return live, err
	}
	news := make(map[SessionID]*SessionNews, len(list))
	for _, n := range list {
		news[n.Session.ID] = n
	}
	for _, c := range live {
		n, ok := news[c.id]
		if !ok {
			h.forget(c.id) // deleted on another node
			continue
		}
		if e := c.caughtUp(ctx, n); e != nil {
			failed, err = append(failed, c), cmp.Or(err, e)
		}
	}
	return failed, err
}

// catchUp is Hub.catchUp of this conversation alone.
func (c *conv) catchUp(ctx context.Context) error {
	_, err := c.hub.catchUp(ctx, []*conv{c})
	return err
}

// caughtUp publishes n, what FindSince read of this conversation: the
// switches first (a user message among those read is heard or not as the
// bot switch now says), then the messages this node has not published,
// in seq order, then the suggestions if they are still those in force.
// Messages published meanwhile (a local append or another catch-up) are
// skipped, and any not read (beyond the limit) are read now.
func (c *conv) caughtUp(ctx context.Context, n *SessionNews) error {
	s := n.Session
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evicted || c.deleted {
		return nil
	}
	c.refreshLocked(s)
	for _, m := range n.Messages {
		if m.Seq <= c.session.LastSeq {
			continue
		}
		// Reads nothing unless m is not the next one.
		if err := c.fillGapLocked(ctx, m.Seq); err != nil {
			return err
		}
		c.publishElsewhereLocked(m)
	}
	if err := c.fillGapLocked(ctx, s.LastSeq+1); err != nil {
		return err
	}
	if c.session.LastSeq == s.LastSeq && !slices.Equal(c.session.Suggestions, s.Suggestions) {
		c.session.Suggestions = s.Suggestions
		c.publishLocked(&Event{Type: EventSuggestion, SessionID: c.id, Suggestions: s.Suggestions})
	}
	return nil
}

// orphanLoop takes over the dialogs that no live node runs.
func (h *Hub) orphanLoop() {
	defer h.wg.Done()
	t := time.NewTicker(h.cfg.Cluster.SweepEvery())
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			if _, err := h.adoptOrphans(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Warn("looking for orphaned dialogs failed", "err", err)
			}
		}
	}
}

// adoptOrphans asks each orphaned conversation's dialog goroutine to take
// the lease and carry on from the journal. It returns how many it asked.
func (h *Hub) adoptOrphans(ctx context.Context) (int, error) {
	ids, err := h.cfg.Cluster.Orphans(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		h.mu.Lock()
		c, live := h.convs[id]
		h.mu.Unlock()
		if live && (c.leased.Load() || c.queued()) {
			// Ours already, or its goroutine has inputs still to step
			// (a resume of an earlier sweep among them), and each step
			// takes the lease first: its goroutine has the work in hand.
			continue
		}
		c, err := h.conv(ctx, id)
		if IsKind(err, KindNotFound) {
			continue
		}
		if err != nil {
			return n, err
		}
		c.enqueue(resumeInput)
		n++
	}
	if n > 0 {
		h.log.Info("taking over dialogs", "count", n)
	}
	return n, nil
}

// lease makes sure this node may run the dialog, taking the lease when it
// has none. false means another live node runs it. On the dialog
// goroutine only.
func (c *conv) lease() (bool, error) {
	cl := c.hub.cfg.Cluster
	if cl == nil || c.fence > 0 {
		return true, nil
	}
	fence, err := cl.Acquire(c.ctx, c.id)
	if err != nil || fence == 0 {
		return false, err
	}
	// Set before the runner reads the store: a message another node
	// stores from now on is either in what load reads or handed over by
	// catchUp, which checks leased.
	c.fence = fence
	c.leased.Store(true)
	c.runner.reset() // the last runner may have been another node
	return true, nil
}

// lostLease forgets a lease another node has taken.
func (c *conv) lostLease() {
	c.logger().Info("another node took over the dialog")
	c.fence = 0
	c.leased.Store(false)
	c.runner.reset()
}

// releaseLease gives the lease back as the dialog goroutine exits, so
// that another node may take the conversation at once.
func (c *conv) releaseLease() {
	cl := c.hub.cfg.Cluster
	if cl == nil || c.fence == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := cl.Release(ctx, c.id, c.fence); err != nil {
		c.logger().Warn("releasing the dialog lease failed; it lapses with this node", "err", err)
	}
	c.fence = 0
	c.leased.Store(false)
}
