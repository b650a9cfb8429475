package runtime

import (
	"context"
	"math"
	"slices"
	"time"
)

// The desk's statistics (docs/support.md, "Statistics"). The store counts
// and reads times (SupportStats, one range of the sessions_waiting_since
// index); the definitions live here, once for every store: which
// conversations have a first response or a resolution, and the
// percentiles. SQLite has no percentile function and keeps times as text,
// so percentiles in SQL would differ by dialect; Go over a bounded sample
// is the same everywhere.

const (
	// DefaultStatsWindow is how far back the stats look without since.
	DefaultStatsWindow = 30 * 24 * time.Hour
	// StatsSample bounds the conversations whose times make the
	// percentiles: the most recent ones of the window. The counts are
	// over the whole window.
	StatsSample = 10000
)

// SupportStats are the desk's figures over the conversations that entered
// the support queue at or after Since.
type SupportStats struct {
	Since         time.Time
	Conversations int
	ByStatus      map[string]int // every support status, 0 when none
	ByAgent       map[string]AgentStats
	FirstResponse Percentiles // first agent message − entering the queue
	Resolution    Percentiles // resolved or closed − entering the queue
}

// AgentStats are one agent's conversations among those counted: Assigned
// is all of them, Open those still in hand (open or waiting), Resolved
// those resolved or closed. Assigned = Open + Resolved.
type AgentStats struct {
	Assigned int `json:"assigned"`
	Open     int `json:"open"`
	Resolved int `json:"resolved"`
}

// Percentiles are in seconds, nearest rank; nil when there is no data.
type Percentiles struct {
	P50 *float64 `json:"p50"`
	P90 *float64 `json:"p90"`
}

// SupportStats answers GET /api/support/stats for agents and admins. A
// zero since is DefaultStatsWindow before now.
func (h *Hub) SupportStats(ctx context.Context, id Identity, since time.Time) (*SupportStats, error) {
	if err := mayWorkDesk(id); err != nil {
		return nil, err
	}
	if err := h.allow(BucketList, id); err != nil {
		return nil, err
	}
	if since.IsZero() {
		since = h.now().Add(-DefaultStatsWindow)
	}
	since = ceilMicro(since)
	t, err := h.store.SupportStats(ctx, since, StatsSample)
	if err != nil {
		return nil, err
	}
	st := &SupportStats{Since: since, ByStatus: make(map[string]int), ByAgent: make(map[string]AgentStats)}
	for _, s := range supportStatuses {
		st.ByStatus[s] = 0
	}
	for _, g := range t.Groups {
		st.count(g)
	}
	st.FirstResponse, st.Resolution = deskTimes(t.Times)
	return st, nil
}

// count adds one group to the totals.
func (st *SupportStats) count(g SupportGroup) {
	st.Conversations += g.Count
	st.ByStatus[g.SupportStatus] += g.Count
	if g.AssignedAgent == "" {
		return
	}
	a := st.ByAgent[g.AssignedAgent]
	a.Assigned += g.Count
	if g.SupportStatus == SupportResolved || g.SupportStatus == SupportClosed {
		a.Resolved += g.Count
	} else {
		a.Open += g.Count
	}
	st.ByAgent[g.AssignedAgent] = a
}

// deskTimes are the percentiles of the time to a first response (those
// with one) and to a resolution (those resolved or closed now, after they
// entered the queue).
func deskTimes(times []SupportTimes) (first, resolution Percentiles) {
	var f, r []float64
	for _, t := range times {
		if !t.FirstReplyAt.IsZero() && !t.FirstReplyAt.Before(t.WaitingSince) {
			f = append(f, t.FirstReplyAt.Sub(t.WaitingSince).Seconds())
		}
		done := t.SupportStatus == SupportResolved || t.SupportStatus == SupportClosed
		if done && !t.ResolvedAt.IsZero() && !t.ResolvedAt.Before(t.WaitingSince) {
			r = append(r, t.ResolvedAt.Sub(t.WaitingSince).Seconds())
		}
	}
	return percentiles(f), percentiles(r)
}

func percentiles(xs []float64) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	slices.Sort(xs)
	return Percentiles{P50: nearestRank(xs, 50), P90: nearestRank(xs, 90)}
}

// nearestRank is the p-th percentile of sorted xs: the smallest value
// with at least p% of them at or below it, always one of the values.
func nearestRank(xs []float64, p float64) *float64 {
	rank := int(math.Ceil(p / 100 * float64(len(xs))))
	v := xs[max(rank, 1)-1]
	return &v
}

// ceilMicro rounds t up to the microsecond the stores keep times in, so
// that a stored time is at or after it exactly when it is at or after t.
func ceilMicro(t time.Time) time.Time {
	c := t.UTC().Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
}
