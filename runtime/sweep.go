package runtime

import (
	"context"
	"time"
)

// sweepLoop deletes idle anonymous conversations until the hub closes.
func (h *Hub) sweepLoop() {
	defer h.wg.Done()
	t := time.NewTicker(h.sweepInterval())
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			if err := h.Sweep(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Error("anonymous sweep failed", "err", err)
			}
			if err := h.sweepFeed(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Error("feed sweep failed", "err", err)
			}
			if err := h.sweepUploads(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Error("upload sweep failed", "err", err)
			}
		}
	}
}

// sweepInterval checks often enough that a conversation outlives its TTL
// by at most a quarter of it (and by at most a minute).
func (h *Hub) sweepInterval() time.Duration {
	return min(h.cfg.AnonymousTTL/4, time.Minute)
}

// Sweep deletes the anonymous conversations idle for longer than the TTL,
// with their messages and memory. A conversation with an open socket is
// not idle: its last activity is moved to now first.
func (h *Hub) Sweep(ctx context.Context) error {
	now := h.now()
	for _, c := range h.attachedAnonymous() {
		if _, err := h.store.UpdateSession(ctx, c.id, SessionUpdate{LastActivity: &now}); err != nil && !IsKind(err, KindNotFound) {
			return err
		}
	}
	ids, err := h.store.DeleteIdleAnonymous(ctx, now.Add(-h.cfg.AnonymousTTL))
	for _, id := range ids {
		h.forget(id)
	}
	if len(ids) > 0 {
		h.log.Info("deleted idle anonymous conversations", "count", len(ids))
	}
	return err
}

// attachedAnonymous lists live anonymous conversations with subscribers.
func (h *Hub) attachedAnonymous() []*conv {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*conv
	for _, c := range h.convs {
		if c.session.Anonymous && c.hasSubscribers() {
			out = append(out, c)
		}
	}
	return out
}
