package runtime

import "context"

// The dialog goroutine of a live conversation. It takes stored user
// messages in seq order and steps the dialog with each; the dialog's
// outputs go through the conversation's host (host.go).

// enqueue hands a stored user message (nil: start the dialog) to the
// dialog goroutine. It never blocks the sender: the queue is bounded by
// the rate limits on sending.
func (c *conv) enqueue(m *Message) {
	c.inMu.Lock()
	c.inputs = append(c.inputs, m)
	c.busy++
	c.inMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// next pops the oldest input. ok is false when there is none.
func (c *conv) next() (m *Message, ok bool) {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if len(c.inputs) == 0 {
		return nil, false
	}
	m = c.inputs[0]
	c.inputs[0] = nil
	c.inputs = c.inputs[1:]
	return m, true
}

// done1 marks one input finished and wakes WaitIdle callers at zero.
func (c *conv) done1() {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	if c.busy--; c.busy == 0 {
		close(c.idle)
		c.idle = make(chan struct{})
	}
}

// waitIdle returns once every queued input has been stepped.
func (c *conv) waitIdle(ctx context.Context) error {
	for {
		c.inMu.Lock()
		busy, idle := c.busy, c.idle
		c.inMu.Unlock()
		if busy == 0 {
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

// stop asks the goroutine to exit once its queue is empty.
func (c *conv) stop() {
	c.inMu.Lock()
	c.closing = true
	c.inMu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *conv) stopping() bool {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	return c.closing && len(c.inputs) == 0
}

// run is the dialog goroutine.
func (c *conv) run() {
	defer close(c.done)
	defer func() {
		if c.dialog != nil {
			c.dialog.Close()
		}
	}()
	for {
		for m, ok := c.next(); ok; m, ok = c.next() {
			c.step(m)
			c.done1()
		}
		if c.stopping() {
			return
		}
		select {
		case <-c.ctx.Done():
			return
		case <-c.wake:
		}
	}
}

// step runs the dialog with one input. A script failure is logged by the
// engine and reported to the conversation as an error event; the next
// message starts the script again.
func (c *conv) step(m *Message) {
	if c.ctx.Err() != nil {
		return
	}
	if c.dialog == nil {
		d, err := c.hub.engine.NewDialog(c.snapshot(), &host{c: c})
		if err != nil {
			c.logger().Error("cannot start dialog", "err", err)
			c.publish(ErrorEvent(c.id, Wrap(KindDialog, err, "the bot is not available"), ""))
			return
		}
		c.dialog = d
	}
	if err := c.dialog.Step(c.ctx, m); err != nil && c.ctx.Err() == nil {
		c.logger().Warn("dialog step failed", "err", err)
		if ErrorKind(err) != KindDialog {
			err = Wrap(KindDialog, err, "the bot failed; send a message to start again")
		}
		c.publish(ErrorEvent(c.id, err, ""))
	}
}
