package runtime

import "context"

// sweepUploads deletes the uploads nobody can reach any more (never sent
// and older than the orphan TTL, or sent only in conversations that are
// gone, deleted or expired) and then the blobs no upload names.
//
// blobMu orders this against Upload on this node: an upload puts its blob
// and then inserts its row under the read lock, so a blob the sweep finds
// unreferenced under the write lock cannot be one an upload is about to
// name. Nodes that share a blob directory are not ordered this way; a
// blob is deleted only when the database says no upload has its content,
// so the window is an upload of the very bytes being swept, at that
// moment, on another node.
func (h *Hub) sweepUploads(ctx context.Context) error {
	h.blobMu.Lock()
	defer h.blobMu.Unlock()
	shas, err := h.store.DeleteOrphanUploads(ctx, h.now().Add(-h.cfg.Uploads.OrphanTTL))
	if err != nil {
		return err
	}
	for _, sha := range shas {
		if err := h.cfg.Blobs.Delete(ctx, sha); err != nil {
			return err
		}
	}
	if len(shas) > 0 {
		h.log.Info("deleted files nobody can reach", "count", len(shas))
	}
	return nil
}

// SweepUploads runs the upload sweep now (tests; the hub runs it with the
// anonymous sweep).
func (h *Hub) SweepUploads(ctx context.Context) error { return h.sweepUploads(ctx) }
