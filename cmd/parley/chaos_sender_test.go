package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/coder/websocket"
)

// runSender says message after message until the run stops, each one
// acknowledged and answered before the next.
func (c *chaosClient) runSender(ctx context.Context) {
	defer func() {
		c.conv.final = c.lastSeq
		close(c.conv.finished)
	}()
	for k := 1; !c.r.stopping.Load(); k++ {
		content, id := fmt.Sprintf("%s m%d", c.conv.user, k), fmt.Sprintf("c%d", k)
		if err := c.say(ctx, content, id); err != nil {
			c.fail("message %s: %v", id, err)
			return
		}
		if err := c.awaitAnswer(ctx, k, content, id); err != nil {
			c.fail("answer to %s: %v", id, err)
			return
		}
		c.sent++
	}
}

// say sends content until the server acknowledges it (a user message
// frame with its client_id), re-sending after every reconnect.
func (c *chaosClient) say(ctx context.Context, content, id string) error {
	for c.acked[id] == 0 {
		if c.conn == nil {
			if err := c.connect(ctx); err != nil {
				return err
			}
			continue // re-send at once: a duplicate client_id gets the stored message back
		}
		msg := fmt.Sprintf(`{"type":"message","content":%q,"client_id":%q}`, content, id)
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := c.conn.Write(wctx, websocket.MessageText, []byte(msg))
		cancel()
		if err != nil {
			c.drop()
			continue
		}
		if err := c.waitFor(ctx, func() bool { return c.acked[id] > 0 }, "the acknowledgement of "+id); err != nil {
			return err
		}
	}
	return nil
}

// awaitAnswer waits for the answer to the k-th message: the counting
// bot's "r<k>:<content>", right after the message.
func (c *chaosClient) awaitAnswer(ctx context.Context, k int, content, id string) error {
	ack := c.acked[id]
	f, err := c.nextBot(ctx, id)
	for err == nil && f.Seq <= ack {
		// An answer to nothing: a message answered twice. Skipped, so
		// that one fault is reported once, not at every later answer.
		c.fail("bot message %q (seq %d) comes before %s (seq %d) and after its predecessor's answer", f.Content, f.Seq, id, ack)
		f, err = c.nextBot(ctx, id)
	}
	if err != nil {
		return err
	}
	if want := fmt.Sprintf("r%d:%s", k, content); f.Content != want || f.Seq != ack+1 {
		c.fail("answer %s (seq %d) to %s (seq %d); want %q at seq %d: a message answered twice, not at all, out of order, or by a dialog that started over",
			f.Content, f.Seq, id, ack, want, ack+1)
	}
	if lat := c.recvAt[f.Seq].Sub(c.recvAt[ack]); lat > c.maxLatency {
		c.maxLatency, c.maxLatMsg = lat, fmt.Sprintf("%s: seq %d acked %s, answered %s", id, ack,
			c.recvAt[ack].Format("15:04:05.000"), c.recvAt[f.Seq].Format("15:04:05.000"))
	}
	return nil
}

// nextBot returns the next bot message the sender has not taken yet.
func (c *chaosClient) nextBot(ctx context.Context, id string) (frame, error) {
	for len(c.bots) == 0 {
		if c.conn == nil {
			if err := c.connect(ctx); err != nil {
				return frame{}, err
			}
		}
		if err := c.waitFor(ctx, func() bool { return len(c.bots) > 0 }, "the answer to "+id); err != nil {
			return frame{}, err
		}
	}
	f := c.bots[0]
	c.bots = c.bots[1:]
	return f, nil
}

// waitFor pumps frames until done holds or the socket ends. When no frame
// comes for the stall time, it reports what the server holds and
// reconnects: an answer stored but never delivered to an open socket is a
// fault, and the reconnect shows whether the replay brings it.
func (c *chaosClient) waitFor(ctx context.Context, done func() bool, what string) error {
	stall := time.NewTimer(c.r.stallAfter)
	defer stall.Stop()
	for c.conn != nil && !done() {
		err := c.pump(ctx, stall.C)
		if errors.Is(err, errStall) {
			c.reportStall(what)
			c.drop()
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// reportStall fails with the evidence: the socket, and the conversation's
// stored messages after the last seq the client saw.
func (c *chaosClient) reportStall(what string) {
	node := c.r.nodes[c.node]
	stored := "history unavailable"
	if h, err := fetchHistory(c.r.liveURL(), c.conv.sid, c.conv.token); err != nil {
		stored += ": " + err.Error()
	} else {
		stored = describeAfter(h, c.lastSeq)
	}
	// The same node first: does its replay bring what it did not send?
	// After a second stall in a row, another node.
	next := c.node
	if c.stalled != "" {
		next = (c.node + 1) % len(c.r.nodes)
	}
	c.home.Store(int32(next))
	c.stalled = fmt.Sprintf("the stall waiting for %s", what)
	c.fail("no frame for %v waiting for %s on an open socket on %s (connected %s with after=%d, connected frame last_seq %d; last seq seen %d at %s); stored: %s; reconnecting to %s",
		c.r.stallAfter, what, node.name, c.connAt.Format("15:04:05.000"), c.after, c.helloSeq, c.lastSeq,
		c.recvAt[c.lastSeq].Format("15:04:05.000"), stored, c.r.nodes[next].name)
}

// describeAfter lists the stored messages after seq.
func describeAfter(h []frame, seq int64) string {
	s := ""
	for _, m := range h {
		if m.Seq > seq {
			s += fmt.Sprintf("[seq %d %s %q stored %s] ", m.Seq, m.Sender, m.Content, m.Timestamp)
		}
	}
	if s == "" {
		return fmt.Sprintf("nothing after seq %d", seq)
	}
	return s
}

// runViewer reads the conversation until it has seen everything the
// sender saw.
func (c *chaosClient) runViewer(ctx context.Context) {
	select {
	case <-c.conv.sidReady:
	case <-ctx.Done():
		return
	}
	finished := c.conv.finished
	for finished != nil || c.lastSeq < c.conv.final {
		if c.conn == nil {
			if err := c.connect(ctx); err != nil {
				c.fail("%v", err)
				return
			}
		}
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.drop()
				continue
			}
			c.handle(f)
		case <-finished:
			finished = nil // conv.final is set
		case <-ctx.Done():
			c.fail("saw up to seq %d when the run ended", c.lastSeq)
			return
		}
	}
}
