package runtimetest

import (
	"context"
	"slices"
	"time"

	"parley/runtime"
)

// The uploads of MemStore live beside its sessions: links to a session
// that is gone count for nothing, as the SQL stores' cascade deletes them.

// CreateUploads stores copies of ups.
func (s *MemStore) CreateUploads(ctx context.Context, ups []*runtime.Upload) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.uploads == nil {
		s.uploads = make(map[string]*memUpload)
	}
	for _, up := range ups {
		if s.uploads[up.ID] != nil {
			return runtime.Errorf(runtime.KindConflict, "upload %s exists", up.ID)
		}
	}
	for _, up := range ups {
		c := *up
		c.CreatedAt = utcMicro(c.CreatedAt)
		s.uploads[up.ID] = &memUpload{Upload: c}
	}
	return nil
}

type memUpload struct {
	runtime.Upload
	sessions []runtime.SessionID
	attached bool
}

// FindUploads returns copies of the uploads among ids.
func (s *MemStore) FindUploads(ctx context.Context, ids []string) ([]*runtime.Upload, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*runtime.Upload
	for _, id := range ids {
		if u := s.uploads[id]; u != nil {
			c := u.Upload
			out = append(out, &c)
		}
	}
	return out, nil
}

// UploadBytes sums the sizes of owner's uploads.
func (s *MemStore) UploadBytes(ctx context.Context, owner string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, u := range s.uploads {
		if u.Owner == owner {
			n += u.Size
		}
	}
	return n, nil
}

// LinkUploads records that ids were sent in sid.
func (s *MemStore) LinkUploads(ctx context.Context, sid runtime.SessionID, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[sid] == nil {
		return runtime.Errorf(runtime.KindNotFound, "conversation not found")
	}
	for _, id := range ids {
		u := s.uploads[id]
		if u == nil {
			return runtime.Errorf(runtime.KindNotFound, "no such file")
		}
		u.attached = true
		if !slices.Contains(u.sessions, sid) {
			u.sessions = append(u.sessions, sid)
		}
	}
	return nil
}

// UploadSessions lists the sessions id was sent in that still exist.
func (s *MemStore) UploadSessions(ctx context.Context, id string) ([]runtime.SessionID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[id]
	if u == nil {
		return nil, nil
	}
	return s.liveSessions(u), nil
}

func (s *MemStore) liveSessions(u *memUpload) []runtime.SessionID {
	var out []runtime.SessionID
	for _, sid := range u.sessions {
		if s.sessions[sid] != nil {
			out = append(out, sid)
		}
	}
	return out
}

// DeleteOrphanUploads deletes what nobody can reach and returns the
// hashes no upload has any more.
func (s *MemStore) DeleteOrphanUploads(ctx context.Context, cutoff time.Time) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gone := map[string]bool{}
	for id, u := range s.uploads {
		if (u.attached && len(s.liveSessions(u)) == 0) || (!u.attached && u.CreatedAt.Before(cutoff)) {
			delete(s.uploads, id)
			gone[u.SHA256] = true
		}
	}
	for _, u := range s.uploads {
		delete(gone, u.SHA256)
	}
	out := make([]string, 0, len(gone))
	for sha := range gone {
		out = append(out, sha)
	}
	slices.Sort(out)
	return out, nil
}
