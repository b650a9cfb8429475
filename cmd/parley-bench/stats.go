package main

import (
	"math"
	"slices"
	"sort"
	"sync"
	"time"
)

// recorder collects latencies from many goroutines. Each goroutine adds
// to its own slice (no lock on the hot path); merge sorts them once.
type recorder struct {
	mu     sync.Mutex
	shards [][]time.Duration
}

// shard returns a slice-holder for one goroutine.
func (r *recorder) shard() *shard {
	return &shard{r: r}
}

type shard struct {
	r *recorder
	d []time.Duration
}

func (s *shard) add(d time.Duration) { s.d = append(s.d, d) }

// done hands the shard's samples to the recorder.
func (s *shard) done() {
	s.r.mu.Lock()
	s.r.shards = append(s.r.shards, s.d)
	s.r.mu.Unlock()
}

// summary merges every shard handed in.
func (r *recorder) summary() summary {
	r.mu.Lock()
	defer r.mu.Unlock()
	return summarize(slices.Concat(r.shards...))
}

// summary is a latency distribution.
type summary struct {
	Count         int
	P50, P90, P99 time.Duration
	Max, Mean     time.Duration
}

func summarize(d []time.Duration) summary {
	if len(d) == 0 {
		return summary{}
	}
	slices.Sort(d)
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	return summary{
		Count: len(d),
		P50:   percentile(d, 50), P90: percentile(d, 90), P99: percentile(d, 99),
		Max:  d[len(d)-1],
		Mean: sum / time.Duration(len(d)),
	}
}

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted d:
// the smallest sample with at least p% of the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// median of xs (the mean of the middle two for an even count); NaN when
// xs is empty.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// perSecond is count over elapsed, 0 when nothing elapsed.
func perSecond(count int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(count) / elapsed.Seconds()
}
