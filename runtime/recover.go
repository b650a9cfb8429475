package runtime

import "context"

// Recover brings back, at start-up, every conversation whose dialog has
// work to do without waiting for a message: a user message acknowledged
// but not answered before a crash, a turn cut short, a pending WAIT.
// Their dialogs are rebuilt from the journal and carry on.
//
// With several nodes it takes only the conversations no live node runs
// (those of this node before a restart among them); the others stay with
// their nodes.
func (h *Hub) Recover(ctx context.Context) (int, error) {
	if h.cfg.Cluster != nil {
		return h.adoptOrphans(ctx)
	}
	pending, err := h.store.PendingDialogs(ctx)
	if err != nil {
		return 0, err
	}
	for _, p := range pending {
		c, err := h.conv(ctx, p.SessionID)
		if err != nil {
			return 0, err
		}
		c.enqueue(resumeInput)
	}
	if len(pending) > 0 {
		h.log.Info("resumed dialogs", "count", len(pending))
	}
	return len(pending), nil
}
