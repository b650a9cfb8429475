package schema

import (
	"sync/atomic"
	"time"
)

// Latency histograms for metrics. schema does not know Prometheus
// (cmd/parley/metrics.go turns these into its histograms at scrape
// time), so it counts into fixed buckets with atomics: an observation is
// three atomic adds, cheap enough for every write.

// latencyBuckets are the upper bounds, in seconds, from 100 µs (a batch
// of one on a fast disk) to 2.5 s (a stalled disk).
var latencyBuckets = [...]float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// histogram counts durations into latencyBuckets.
type histogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64 // one per bucket, and the last for +Inf
	sumNS  atomic.Int64
}

func (h *histogram) observe(d time.Duration) {
	s := d.Seconds()
	i := 0
	for i < len(latencyBuckets) && s > latencyBuckets[i] {
		i++
	}
	h.counts[i].Add(1)
	h.sumNS.Add(int64(d))
}

// Histogram is a snapshot of a latency histogram, in Prometheus' shape:
// Counts[i] is how many observations were at most Bounds[i] seconds
// (cumulative), Count all of them, Sum their total in seconds.
type Histogram struct {
	Bounds []float64
	Counts []uint64
	Count  uint64
	Sum    float64
}

func (h *histogram) snapshot() Histogram {
	out := Histogram{Bounds: latencyBuckets[:], Counts: make([]uint64, len(latencyBuckets))}
	for i := range h.counts {
		out.Count += h.counts[i].Load()
		if i < len(latencyBuckets) {
			out.Counts[i] = out.Count
		}
	}
	out.Sum = float64(h.sumNS.Load()) / 1e9
	return out
}
