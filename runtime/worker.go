package runtime

import (
	"context"
	"errors"
	"time"
)

// The dialog goroutine of a live conversation. It takes stored user
// messages in seq order and steps the dialog with each; the dialog's
// outputs go through the conversation's host (host.go).
//
// The goroutine runs only while there is work: enqueue starts it, and it
// exits once its queue is empty, so that an idle conversation (a dialog
// parked in HEAR for as long as the user is away) holds no goroutine of
// its own, with the stack a turn had grown (3.5 KB per parked
// conversation, docs/benchmarks.md). At most one runs at a
// time (running), and each starts after the last has let go of inMu, so
// the runner still belongs to one goroutine at a time. Once the
// conversation is stopped or cancelled, the last one ends it (end).

// enqueue hands an input to the dialog goroutine. It never blocks the
// sender: the queue is bounded by the rate limits on sending.
func (c *conv) enqueue(in input) {
	c.inMu.Lock()
	start := c.enqueueLocked(in)
	c.inMu.Unlock()
	if start {
		go c.run()
	}
}

// enqueueLocked is enqueue with inMu held; the caller starts the dialog
// goroutine when it reports true.
func (c *conv) enqueueLocked(in input) (start bool) {
	c.inputs = append(c.inputs, in)
	c.busy++
	if in.kind != inputEvict {
		c.lastInput, c.evictedDialog = c.hub.now(), false
	}
	return c.startLocked()
}

// startLocked reports whether the caller is to start the dialog
// goroutine: none runs. inMu is held.
func (c *conv) startLocked() bool {
	if c.running {
		return false
	}
	c.running = true
	return true
}

// kick starts the dialog goroutine if none runs, so that it sees that the
// conversation is stopping or cancelled and ends it.
func (c *conv) kick() {
	c.inMu.Lock()
	start := c.startLocked()
	c.inMu.Unlock()
	if start {
		go c.run()
	}
}

// next pops the oldest input. ok is false when there is none.
func (c *conv) next() (in input, ok bool) {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if len(c.inputs) == 0 {
		return input{}, false
	}
	in = c.inputs[0]
	c.inputs[0] = input{}
	c.inputs = c.inputs[1:]
	return in, true
}

// queued reports whether inputs are queued or being stepped.
func (c *conv) queued() bool {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	return c.busy > 0
}

// waitIdle returns once every queued input has been stepped.
func (c *conv) waitIdle(ctx context.Context) error {
	for {
		c.inMu.Lock()
		busy, idle, handover := c.busy, c.idle, c.handover
		c.inMu.Unlock()
		if busy == 0 || handover {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return Errorf(KindUnavailable, "the conversation was closed")
		}
	}
}

// stop asks the dialog goroutine to end the conversation once its queue
// is empty.
func (c *conv) stop() {
	c.inMu.Lock()
	c.closing = true
	c.inMu.Unlock()
	c.kick()
}

// run is the dialog goroutine: it steps the queued inputs, then exits,
// ending the conversation if it is stopping or cancelled.
//
// An input is marked done (busy, waking WaitIdle at zero) under the same
// lock as the goroutine lets go of the runner when nothing else is queued:
// once WaitIdle returns, the next message may be offered to the parked
// dialog (early.go).
func (c *conv) run() {
	for {
		in, ok := c.next()
		if ok {
			c.step(in)
		}
		c.inMu.Lock()
		more := len(c.inputs) > 0
		ending := !more && (c.closing || c.ctx.Err() != nil)
		if !more && !ending {
			c.running = false
		} // ending: running stays set, so no goroutine starts again
		if ok {
			if c.busy--; c.busy == 0 {
				close(c.idle)
				c.idle = make(chan struct{})
			}
		}
		c.inMu.Unlock()
		switch {
		case more:
			continue
		case ending:
			c.end()
		}
		return
	}
}

// end ends the conversation, once, on the last dialog goroutine: the
// dialog is closed, its lease given back, and done closed.
func (c *conv) end() {
	defer c.hub.wg.Done() // adopt's Add
	defer close(c.done)
	defer c.releaseLease()
	c.runner.closeDialog()
}

// step handles one input on the dialog goroutine.
func (c *conv) step(in input) {
	r := &c.runner
	if in.kind == inputOffer {
		r.input = in.offer
		defer r.dropInput() // should the turn end without committing it
	}
	if c.ctx.Err() != nil {
		return
	}
	if in.kind == inputEvict {
		if r.dialog != nil {
			c.hub.counters.evictions.Add(1)
		}
		r.reset()
		return
	}
	mine, err := c.lease()
	if err == nil && !mine {
		// Another node runs the dialog: it has the message from the
		// store, and its answer reaches this node's sockets the same way.
		r.reset()
		return
	}
	if err == nil {
		err = c.loadRunner()
	}
	switch {
	case err != nil:
	case in.kind == inputStart:
		// Only a conversation's first run starts without a message; a
		// second start (two joins racing) finds it started.
		if r.run == 0 {
			_, err = r.start(c.ctx)
		}
	case in.kind == inputOffer:
		c.hub.counters.turns.Add(1)
		err = r.giveOffered(c.ctx, in.offer)
	case in.kind == inputMessage:
		c.hub.counters.turns.Add(1)
		err = r.give(c.ctx, in.msg)
	case in.kind == inputSkip:
		err = r.skip(c.ctx, in.msg)
	}
	// inputResume: loading the runner was the work.
	switch {
	case errors.Is(err, ErrInputStored) || errors.Is(err, ErrInputBehind) || errors.Is(err, errInputLost):
		// The message the dialog heard is not a new one, or not the next
		// (early.go): the sender has its answer, and the dialog starts
		// again from its journal.
		r.reset()
	case err == nil:
		r.retry = 0
	case errors.Is(err, ErrNotRunner):
		c.lostLease()
	case errors.Is(err, errHubClosing):
		r.reset() // a handover's wait, ended by the server stopping: the journal has it
	case c.ctx.Err() == nil:
		c.stepFailed(err)
	}
}

// loadRunner rebuilds the runner from the store the first time it is
// needed.
func (c *conv) loadRunner() error {
	if c.runner.loaded {
		return nil
	}
	return c.runner.load(c.ctx)
}

// stepFailed reports a failed turn. A script failure is the bot's: its
// message reaches the conversation. Anything else is ours: it is logged,
// the conversation hears only that something went wrong, and the runner
// starts over from the store on the next input.
func (c *conv) stepFailed(err error) {
	if IsKind(err, KindDialog) {
		c.logger().Warn("dialog failed", "err", err)
		c.publish(ErrorEvent(c.id, err, ""))
		return
	}
	c.logger().Error("dialog step failed; retrying from the store", "err", err)
	c.runner.reset()
	c.publish(ErrorEvent(c.id, Wrap(KindInternal, err, "the bot could not answer yet; it will try again"), ""))
	// The message is stored (it was acknowledged): rebuild from the store
	// and answer it once the store is back. A re-send with the same
	// client_id would not queue it again.
	r := &c.runner
	r.retry = min(max(2*r.retry, time.Second), time.Minute)
	time.AfterFunc(r.retry, func() {
		if c.ctx.Err() == nil {
			c.enqueue(resumeInput)
		}
	})
}
