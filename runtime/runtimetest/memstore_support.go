package runtimetest

import (
	"context"
	"slices"

	"parley/runtime"
)

// ListSupport returns one page of the support queue, least recent
// activity first, and the total.
func (s *MemStore) ListSupport(ctx context.Context, f runtime.SupportFilter) ([]*runtime.SessionSummary, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*runtime.Session
	for _, sess := range s.sessions {
		if inQueue(sess, f) {
			match = append(match, sess)
		}
	}
	slices.SortFunc(match, func(a, b *runtime.Session) int { return newerFirst(b, a) })
	return s.pageLocked(match, f.Limit, f.Offset), len(match), nil
}

func inQueue(sess *runtime.Session, f runtime.SupportFilter) bool {
	switch {
	case sess.SupportStatus != f.SupportStatus:
		return false
	case sess.Anonymous && sess.WaitingSince.IsZero() && sess.AssignedAgent == "":
		return false // a visitor's conversation the desk never had
	case f.Unassigned:
		return sess.AssignedAgent == ""
	}
	return f.Agent == "" || sess.AssignedAgent == f.Agent
}
