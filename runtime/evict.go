package runtime

import (
	"context"
	"errors"
	"time"
)

// Eviction keeps memory in proportion to active conversations. A dialog
// idle for Config.DialogIdleEvict is dropped; its journal brings it back
// on the next message. A conversation nobody follows leaves memory
// altogether (nothing of it stays but its rows).

// errEvicted tells a caller holding an evicted conv to look it up again.
var errEvicted = errors.New("conversation evicted")

// retryEvicted runs f on the live conversation sid, again when the one
// it found was evicted meanwhile.
func (h *Hub) retryEvicted(ctx context.Context, sid SessionID, f func(*conv) error) error {
	for {
		c, err := h.conv(ctx, sid)
		if err != nil {
			return err
		}
		if err := f(c); !errors.Is(err, errEvicted) {
			return err
		}
	}
}

func (h *Hub) evictLoop() {
	defer h.wg.Done()
	t := time.NewTicker(max(h.cfg.DialogIdleEvict/4, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.Evict(h.now().Add(-h.cfg.DialogIdleEvict))
		}
	}
}

// Evict drops the dialogs idle since before cutoff, and the
// conversations of those that nobody follows. It returns how many
// conversations left memory.
func (h *Hub) Evict(cutoff time.Time) int {
	h.mu.Lock()
	var idle []*conv
	for _, c := range h.convs {
		if c.idleSince(cutoff) {
			idle = append(idle, c)
		}
	}
	h.mu.Unlock()
	n := 0
	for _, c := range idle {
		switch {
		case h.drop(c, cutoff):
			n++
		case !c.dialogEvicted():
			c.evictDialog()
		}
	}
	return n
}

// drop removes c from the hub when it has no subscribers and is still
// idle. The idleness is checked again under c.mu: a send that was
// appending while c was picked has queued its message by now, and the
// conversation must then stay (else a second goroutine would answer it).
func (h *Hub) drop(c *conv, cutoff time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.subs) > 0 || h.convs[c.id] != c || !c.idleSince(cutoff) {
		return false
	}
	c.evicted = true
	delete(h.convs, c.id)
	c.stop()
	h.counters.evictions.Add(1)
	return true
}

// idleSince reports whether the dialog goroutine has had nothing to do
// since before cutoff.
func (c *conv) idleSince(cutoff time.Time) bool {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	return c.busy == 0 && c.lastInput.Before(cutoff)
}

// dialogEvicted reports whether the dialog was dropped with nothing since.
func (c *conv) dialogEvicted() bool {
	c.inMu.Lock()
	defer c.inMu.Unlock()
	return c.evictedDialog
}

// evictDialog asks the goroutine to drop the dialog, keeping the conv.
func (c *conv) evictDialog() {
	c.inMu.Lock()
	c.evictedDialog = true
	c.inMu.Unlock()
	c.enqueue(evictInput)
}

// Reload drops a conversation's dialog from memory and rebuilds it from
// the store at once, as after a restart; it returns when the dialog is
// live again. Benchmarks measure replay with it; operators can use it to
// check that a conversation replays.
func (h *Hub) Reload(ctx context.Context, sid SessionID) error {
	c, err := h.conv(ctx, sid)
	if err != nil {
		return err
	}
	c.enqueue(evictInput)
	c.enqueue(resumeInput)
	return c.waitIdle(ctx)
}
