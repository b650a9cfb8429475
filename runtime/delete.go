package runtime

import "context"

// errDeleted stops a dialog write that comes after its conversation was
// deleted (the dialog goroutine is cancelled at the same time, so it is
// not reported).
var errDeleted = Errorf(KindNotFound, "the conversation was deleted")

// DeleteConversation deletes one of the caller's conversations with its
// messages, journal and memory. The access rule is mayDelete's: the owner
// or an admin (an admin may delete a visitor's too; the visitor, who has
// no credentials, cannot call it). Its open sockets are ended with
// ReasonDeleted and its dialog is stopped; nothing is written for it
// afterwards.
func (h *Hub) DeleteConversation(ctx context.Context, id Identity, sid SessionID) error {
	return h.retryEvicted(ctx, sid, func(c *conv) error {
		if err := mayDelete(id, c.snapshot()); err != nil {
			return err
		}
		if err := c.delete(ctx); err != nil {
			return err
		}
		h.forget(sid)
		return nil
	})
}

// delete removes the conversation from the store. It holds mu, which
// every write of the conversation holds too, so no write is half done
// when the rows go, and none starts afterwards: append and update see
// evicted, the dialog's flush sees deleted, and the dialog goroutine is
// cancelled.
func (c *conv) delete(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evicted {
		return errEvicted
	}
	if err := c.hub.store.DeleteSession(ctx, c.id); err != nil {
		return err
	}
	c.evicted, c.deleted = true, true
	c.cancel()
	return nil
}
