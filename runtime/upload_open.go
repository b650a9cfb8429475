package runtime

import (
	"context"
	"io"
)

// Visitor is the identity of an anonymous visitor who names their
// conversation by its resume token, for the calls that are not on their
// socket (uploading and reading files): it owns what it uploads as the
// conversation's user ("anon:<session id>").
func (h *Hub) Visitor(ctx context.Context, sid SessionID, token, ip string) (Identity, error) {
	s, err := h.session(ctx, sid)
	if err == nil && (!s.Anonymous || token == "" || !secretMatches(token, s.ResumeTokenHash)) {
		err = Errorf(KindUnauthorized, "a valid resume_token is needed for this conversation")
	}
	if IsKind(err, KindNotFound) {
		err = Errorf(KindUnauthorized, "a valid resume_token is needed for this conversation")
	}
	if err != nil {
		return Identity{}, err
	}
	return Identity{UserID: s.UserID, Anonymous: true, IP: ip}, nil
}

// OpenUpload returns an upload and its bytes to its uploader and to those
// who may see a conversation it was sent in. Anyone else gets
// KindNotFound, as for an upload that does not exist: ids do not leak.
func (h *Hub) OpenUpload(ctx context.Context, id Identity, uploadID string) (*Upload, io.ReadSeekCloser, error) {
	notFound := Errorf(KindNotFound, "no such file")
	ups, err := h.store.FindUploads(ctx, []string{uploadID})
	if err != nil {
		return nil, nil, err
	}
	if len(ups) == 0 {
		return nil, nil, notFound
	}
	up := ups[0]
	if !h.maySeeUpload(ctx, id, up) {
		return nil, nil, notFound
	}
	blob, err := h.cfg.Blobs.Open(ctx, up.SHA256)
	if IsKind(err, KindNotFound) {
		h.log.Error("an upload's blob is missing", "upload", up.ID, "sha256", up.SHA256)
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, Wrap(KindUnavailable, err, "could not read the file; try again")
	}
	return up, blob, nil
}

// maySeeUpload is the access rule for files: the uploader, and whoever
// the one access rule (mayAccess) lets into a conversation the file was
// sent in; a visitor, into their own conversation.
func (h *Hub) maySeeUpload(ctx context.Context, id Identity, up *Upload) bool {
	if id.UserID != "" && id.UserID == up.Owner {
		return true
	}
	sids, err := h.store.UploadSessions(ctx, up.ID)
	if err != nil {
		h.log.Error("could not read where an upload was sent", "upload", up.ID, "err", err)
		return false
	}
	for _, sid := range sids {
		s, err := h.session(ctx, sid)
		if err != nil {
			continue
		}
		if id.Anonymous && id.UserID != "" && s.Anonymous && s.UserID == id.UserID {
			return true
		}
		if mayAccess(id, s) == nil {
			return true
		}
	}
	return false
}
