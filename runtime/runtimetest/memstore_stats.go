package runtimetest

import (
	"context"
	"slices"
	"strings"
	"time"

	"parley/runtime"
)

// SupportStats counts the conversations that entered the queue at or
// after since, and returns the times of the most recent sample of them.
func (s *MemStore) SupportStats(ctx context.Context, since time.Time, sample int) (*runtime.SupportTally, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := make(map[runtime.SupportGroup]int)
	var match []*runtime.Session
	for _, sess := range s.sessions {
		if sess.WaitingSince.IsZero() || sess.WaitingSince.Before(since) {
			continue
		}
		counts[runtime.SupportGroup{SupportStatus: sess.SupportStatus, AssignedAgent: sess.AssignedAgent}]++
		match = append(match, sess)
	}
	t := &runtime.SupportTally{}
	for g, n := range counts {
		g.Count = n
		t.Groups = append(t.Groups, g)
	}
	slices.SortFunc(match, func(a, b *runtime.Session) int {
		if c := b.WaitingSince.Compare(a.WaitingSince); c != 0 {
			return c
		}
		return strings.Compare(string(b.ID), string(a.ID))
	})
	for _, sess := range match[:min(len(match), max(sample, 0))] {
		t.Times = append(t.Times, runtime.SupportTimes{SupportStatus: sess.SupportStatus,
			WaitingSince: sess.WaitingSince, FirstReplyAt: sess.FirstReplyAt, ResolvedAt: sess.ResolvedAt})
	}
	return t, nil
}
