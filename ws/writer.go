package ws

import (
	"sync/atomic"

	"github.com/coder/websocket"

	"parley/runtime"
)

// The writer: a goroutine that exists only while the socket has
// something to write. The runtime calls kick after it queues an event for
// the socket and once when the socket ends (Subscription.Notify); kick
// starts a writer unless one runs, and the writer drains the queue and
// exits. So an idle socket parks no goroutine on its queue, and a busy
// one has exactly one writer at a time, which keeps its frames in queue
// order.

// A wakeup runs drain on a goroutine of its own after each kick, one
// goroutine at a time, none while there is nothing to do.
//
// pending counts kicks not yet drained. The kick that takes it from 0 to
// 1 starts a goroutine. That goroutine reads the count, drains, then
// subtracts what it read: if the result is 0, no kick came since it read
// it and it exits (the next kick starts a new one); otherwise a kick came
// while it drained, perhaps just after drain found the queue empty, so it
// drains again. An event is queued before its kick, and the subtraction
// observes every earlier kick, so no event is stranded in the queue with
// no goroutine to come: the lost wakeup cannot happen.
//
// When drain reports that there will be nothing more to do (false), the
// goroutine adds wakeupDone, so that the count never returns to 0 and no
// goroutine starts again.
type wakeup struct {
	pending atomic.Int64
	drain   func() bool
}

const wakeupDone = 1 << 62

// kick never blocks: the runtime calls it under its locks.
func (w *wakeup) kick() {
	if w.pending.Add(1) == 1 {
		go w.loop()
	}
}

func (w *wakeup) loop() {
	for {
		n := w.pending.Load()
		if !w.drain() {
			w.pending.Add(wakeupDone)
			return
		}
		if w.pending.Add(-n) == 0 {
			return
		}
	}
}

// drain is the socket's writer: it writes the queued events in order,
// until the queue is empty (true) or the socket is finished (false): its
// subscription ended and end closed it, or a write failed.
func (c *connection) drain() bool {
	for {
		select {
		case <-c.sub.Done():
			c.end()
			return false
		default:
		}
		select {
		case e := <-c.sub.Events():
			if c.writeEvent(c.ctx, e) != nil {
				c.conn.CloseNow()
				return false
			}
		default:
			return true
		}
	}
}

// end closes a socket whose subscription ended, after the frames that
// were queued before the end (such as the shutting_down status); a slow
// reader's are dropped, which is why it ended.
func (c *connection) end() {
	reason := c.sub.Reason()
	if reason == runtime.ReasonSlow {
		c.conn.Close(websocket.StatusPolicyViolation, "reading too slowly; reconnect with after=SEQ")
		return
	}
queued:
	for {
		select {
		case e := <-c.sub.Events():
			if c.writeEvent(c.ctx, e) != nil {
				c.conn.CloseNow()
				return
			}
		default:
			break queued
		}
	}
	switch reason {
	case runtime.ReasonShuttingDown:
		c.conn.Close(websocket.StatusGoingAway, "server shutting down")
	case runtime.ReasonDeleted:
		c.conn.Close(CloseNotFound, "conversation expired")
	default:
		c.conn.Close(websocket.StatusNormalClosure, "")
	}
}
