package runtime

import (
	"context"
	"errors"
	"time"
)

// A turn in one commit.
//
// A user message is stored before the dialog hears it, and the dialog's
// answer after: two durable commits a turn, each waiting for the batch in
// progress and then its own (schema's group commit). When the dialog is
// parked in HEAR with nothing else to do, the message is instead offered
// to it unstored: it runs the turn at once, and its commit stores the
// message first, in the same transaction as the answer
// (DialogWrite.Input). The sender's acknowledgement then waits for that
// commit, which is one commit sooner than the reply came before.
//
// What the sender and everyone else see is unchanged: the message is
// acknowledged once it is on disk, and published, with its seq, before
// the answer. To keep it so:
//   - While an offered message has no seq yet (c.offer), every other
//     append to the conversation waits for it (waitOfferLocked), so seqs
//     are given in the order messages were accepted, and the dialog takes
//     user messages in seq order.
//   - The sender does not wait for a slow script: after flushAfter it
//     stores the message on its own (storeOffer), as it would have from
//     the start; the dialog's next commit then gives that seq to its HEAR.
//   - Nothing leaves the server before the message is stored: an HTTP
//     request commits the turn so far first (host_http.go), as WAIT does.
//     A typing indicator is shown as soon as the message is published.
//   - A message whose client id was stored before is not new: the commit
//     carrying it fails whole (ErrInputStored), the sender gets the
//     stored message, and the dialog, which heard it, is rebuilt from its
//     journal (a retry after a lost ack costs a replay, nothing more).
//   - A commit that fails with the message in it is the sender's error, as
//     a failed append was. A turn that fails before its commit (the host
//     failed, the conversation was cancelled) stores the message alone and
//     queues it, as append would have (dropInput). Either way the dialog
//     is rebuilt from its journal.
//   - With several nodes, another node may store a user message of the
//     conversation while this one's is offered, before this node hears of
//     it. The dialog must hear that one first. So the store refuses a
//     commit whose message would come after a user message the dialog has
//     not taken (ErrInputBehind); a commit refused because another node
//     now runs the dialog (ErrNotRunner) is no fault of the message
//     either. Both store the message on its own and queue it behind
//     the other (storeAloneLocked), and the dialog is rebuilt, to hear
//     them in seq order. A message the sender stored on its own while the
//     dialog ran (storeOffer) may likewise have come after another node's:
//     the turn then ends unwritten (behind), and the dialog is rebuilt.
//
// Only where the store asks for it (TurnsInOneCommit), as both of
// schema's do: a turn's cost there is its commits and the rows they
// rewrite.

// oneCommitStore is a Store that would rather store a user message for a
// parked dialog with its answer (DialogWrite.Input) than on its own.
type oneCommitStore interface {
	TurnsInOneCommit() bool
}

// offer is a user message handed to a parked dialog before it is stored.
type offer struct {
	m     *Message      // the sender's: the store writes it when it stores it
	heard Message       // the dialog's copy of m, taken before the offer
	done  chan struct{} // closed once settled: the sender has its answer

	// Under c.mu: the typing indicators the turn showed before m was
	// stored, to publish right after it.
	typing []*Event

	// Set under c.mu, before done is closed.
	settled bool
	created bool  // m was stored now; false with err nil: m is the one stored before
	err     error // m was not stored
	// behind: m, stored on its own, came after a message another node
	// stored, which the dialog has not heard: the turn that heard m
	// first must not be written.
	behind bool
}

// errInputLost is the dialog's commit when the message it heard was
// stored before, or could not be stored, by the sender's own append: its
// journal is not written, and the dialog is rebuilt.
var errInputLost = errors.New("the message the dialog heard was not stored as new")

// oneCommitTurns reports whether user messages may be offered to parked
// dialogs.
func (h *Hub) oneCommitTurns() bool {
	s, ok := h.store.(oneCommitStore)
	return ok && s.TurnsInOneCommit()
}

// waitOfferLocked waits, c.mu held, until no offered message waits for
// its seq.
func (c *conv) waitOfferLocked(ctx context.Context) error {
	for c.offer != nil {
		o := c.offer
		c.mu.Unlock()
		select {
		case <-o.done:
		case <-ctx.Done():
		}
		c.mu.Lock()
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// offerLocked hands m, unstored, to the dialog when it is parked in HEAR
// with nothing queued, and returns the offer; nil when m must be stored
// first. c.mu is held.
func (c *conv) offerLocked(m *Message) *offer {
	if !c.oneCommit || c.deleted || c.withPeopleLocked() {
		return nil
	}
	c.inMu.Lock()
	// No dialog goroutine runs (running is false), so none touches the
	// runner while it is read here, and none starts before inMu is let go.
	if c.running || len(c.inputs) > 0 || c.closing || c.ctx.Err() != nil || !c.runner.parked() {
		c.inMu.Unlock()
		return nil
	}
	o := &offer{m: m, heard: *m, done: make(chan struct{})}
	c.offer = o
	start := c.enqueueLocked(input{kind: inputOffer, offer: o})
	c.inMu.Unlock()
	if start {
		go c.run()
	}
	return o
}

// await waits for the dialog to store o's message with its answer, and
// stores it alone if that takes longer than flushAfter (a script computing
// before its next blocking point) or the sender leaves.
func (c *conv) await(ctx context.Context, o *offer) (created bool, err error) {
	t := time.NewTimer(flushAfter)
	defer t.Stop()
	select {
	case <-o.done:
	case <-t.C:
	case <-ctx.Done():
	}
	c.storeOffer(context.WithoutCancel(ctx), o)
	return o.created, o.err
}

// storeOffer stores o's message on its own unless it is settled already.
// The dialog, which heard it, gives it its seq when it commits, unless
// another node's message came before it (behind).
func (c *conv) storeOffer(ctx context.Context, o *offer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !o.settled {
		c.storeAloneLocked(ctx, o, false)
	}
}

// storeAloneLocked stores o's message on its own, publishes it, and
// settles o. queue hands the message to the dialog, as append does: the
// dialog that heard it is rebuilt and hears it again. Without queue, the
// dialog's commit gives it its seq, which is only right when no message
// of another node came between: one that did makes o behind, and the
// message is queued all the same. c.mu is held.
func (c *conv) storeAloneLocked(ctx context.Context, o *offer, queue bool) {
	before := c.session.LastSeq
	created, err := c.hub.store.AppendMessage(ctx, o.m)
	if err == nil && created {
		// Seqs in between are other nodes' messages (on one node there
		// are none): publishing o.m publishes them first.
		o.behind = !queue && o.m.Seq > before+1
		c.publishInputLocked(ctx, o, queue || o.behind)
	}
	c.settleLocked(o, created, err)
}

// typingLocked shows a typing indicator of the turn o started: now if o's
// message is published already, else right after it. c.mu is held.
func (o *offer) typingLocked(c *conv, e *Event) {
	if o.settled {
		if o.created {
			c.publishLocked(e)
		}
		return
	}
	o.typing = append(o.typing, e)
}

// settleLocked gives the sender its answer and lets other appends go on.
func (c *conv) settleLocked(o *offer, created bool, err error) {
	o.settled, o.created, o.err = true, created, err
	close(o.done)
	if c.offer == o {
		c.offer = nil
	}
}

// publishInputLocked publishes o's message, which this node has just
// stored, ends the suggestions in force as the store did, and shows the
// typing indicators the turn asked for meanwhile; queue also hands the
// message to the dialog, as append does.
func (c *conv) publishInputLocked(ctx context.Context, o *offer, queue bool) {
	c.publishStoredLocked(ctx, o.m)
	if queue {
		c.userMessageLocked(o.m)
	} else {
		c.clearSuggestionsLocked()
	}
	for _, e := range o.typing {
		c.publishLocked(e)
	}
	o.typing = nil
}

// parked reports whether the dialog waits in HEAR with nothing pending:
// a message given now starts a turn from a clean slate.
func (r *runner) parked() bool {
	return r.loaded && r.running && r.dialog != nil && !r.replaying() &&
		r.empty() && len(r.events) == 0 && r.input == nil && r.retry == 0
}

// giveOffered steps the dialog with o, which step made r.input. Its HEAR
// entry gets the message's seq when the message is stored: by the commit
// that carries it (flush), or before by the sender (storeOffer).
func (r *runner) giveOffered(ctx context.Context, o *offer) error {
	r.record(hearEntry(&o.heard)) // no seq yet: set at commit
	r.inputEntry = len(r.pending.Entries) - 1
	done, err := r.dialog.Step(ctx, &o.heard)
	_, err = r.settle(ctx, done, err)
	return err
}

// inputLocked readies w, a copy of pending, for commit: with the offered
// message as its Input, or, stored by the sender already, with its seq in
// the HEAR entry. c.mu is held.
func (r *runner) inputLocked(w *DialogWrite) error {
	o := r.input
	switch {
	case o == nil:
		return nil
	case !o.settled:
		w.Input, w.InputEntry = o.m, r.inputEntry
		return nil
	case o.err != nil || !o.created || o.behind:
		r.input = nil
		return errInputLost
	}
	w.Entries[r.inputEntry].Seq = o.m.Seq // pending's entry too: they share the array
	w.ConsumedSeq = o.m.Seq
	r.consumed, r.input = o.m.Seq, nil
	return nil
}

// committedLocked settles the offer a commit of w carried, and publishes
// its message before the dialog's events; err is the commit's. c.mu is
// held.
func (r *runner) committedLocked(ctx context.Context, w *DialogWrite, err error) {
	o := r.input
	if o == nil || w.Input == nil {
		return
	}
	r.input = nil
	c := r.c
	switch {
	case errors.Is(err, ErrInputStored):
		c.settleLocked(o, false, nil) // o.m is the message stored before
	case errors.Is(err, ErrInputBehind) || errors.Is(err, ErrNotRunner):
		// The dialog's turn cannot be written, through no fault of the
		// message: it is stored on its own, behind the messages before
		// it, for the dialog to hear in its turn.
		c.storeAloneLocked(ctx, o, true)
	case err != nil:
		var e *Error
		if !errors.As(err, &e) { // the conversation was cancelled, say
			err = Wrap(KindUnavailable, err, "the message was not stored; send it again")
		}
		c.settleLocked(o, false, err)
	default:
		r.consumed = o.m.Seq
		c.publishInputLocked(ctx, o, false)
		c.settleLocked(o, true, nil)
	}
}

// dropInput settles an offer whose turn ended before it committed the
// message (the host failed, the conversation was cancelled): the message
// is stored on its own and queued for the dialog, which starts again from
// its journal, as if it had never been offered.
func (r *runner) dropInput() {
	o := r.input
	if o == nil {
		return
	}
	r.input = nil
	c := r.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if !o.settled {
		c.storeAloneLocked(context.Background(), o, true)
	}
}
