package main

import (
	"bufio"
	"math"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Millisecond // 1..100 ms
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{
		{50, 50 * time.Millisecond},
		{90, 90 * time.Millisecond},
		{99, 99 * time.Millisecond},
		{99.9, 100 * time.Millisecond},
		{100, 100 * time.Millisecond},
		{0.1, 1 * time.Millisecond},
	} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one sample: p99 = %v", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("no samples: p50 = %v", got)
	}
}

func TestSummaryMergesShards(t *testing.T) {
	t.Parallel()
	var r recorder
	for s := range 4 {
		sh := r.shard()
		for i := range 25 {
			sh.add(time.Duration(100-(s*25+i)) * time.Microsecond) // 100..1 µs, unsorted
		}
		sh.done()
	}
	s := r.summary()
	if s.Count != 100 || s.P50 != 50*time.Microsecond || s.P99 != 99*time.Microsecond || s.Max != 100*time.Microsecond {
		t.Errorf("summary = %+v", s)
	}
	if s.Mean != 50500*time.Nanosecond {
		t.Errorf("mean = %v", s.Mean)
	}
	if (&recorder{}).summary() != (summary{}) {
		t.Error("an empty recorder has a non-zero summary")
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("odd: %v", m)
	}
	if m := median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even: %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("empty: not NaN")
	}
}

// Medians of runs: each number, and the ratio as the median of the runs'
// own ratios (not the ratio of the medians).
func TestMedianReport(t *testing.T) {
	t.Parallel()
	var runs []*report
	for _, x := range [][2]float64{{10, 100}, {30, 60}, {20, 40}} {
		r := &report{Scenario: "turns", Runs: 1}
		r.pair("turns/s", "turns/s", x[0], x[1])
		r.one("parley only", "KB", x[0])
		runs = append(runs, r)
	}
	m := medianReport(runs)
	tps := m.Metrics[0]
	if m.Runs != 3 || tps.Parley != 20 || *tps.Bare != 60 || *tps.Ratio != 0.5 {
		t.Errorf("turns/s = %v / %v ratio %v (runs %d)", tps.Parley, *tps.Bare, *tps.Ratio, m.Runs)
	}
	if one := m.Metrics[1]; one.Bare != nil || one.Ratio != nil || one.Parley != 20 {
		t.Errorf("parley only = %+v", one)
	}
}

func TestParseHeapProfile(t *testing.T) {
	t.Parallel()
	profile := `heap profile: 1: 2 [3: 4] @ heap/1048576
1: 2 [3: 4] @ 0x1 0x2
#	0x1	main.f+0x1	/x.go:1

# runtime.MemStats
# Alloc = 123
# HeapAlloc = 4567890
# HeapSys = 9999999
# Stack = 655360 / 655360
# MSpan = 1 / 2
`
	s, err := parseHeapProfile(bufio.NewScanner(strings.NewReader(profile)))
	if err != nil || s.Heap != 4567890 || s.Stack != 655360 {
		t.Errorf("got %+v, %v", s, err)
	}
	if _, err := parseHeapProfile(bufio.NewScanner(strings.NewReader("# Alloc = 1\n"))); err == nil {
		t.Error("a profile without HeapAlloc was accepted")
	}
}

func TestBudget(t *testing.T) {
	t.Parallel()
	b := newBudget(3, time.Now().Add(time.Hour))
	n := 0
	for b.take() {
		n++
	}
	if n != 3 {
		t.Errorf("budget of 3 gave %d", n)
	}
	if newBudget(0, time.Now().Add(-time.Second)).take() {
		t.Error("a budget past its time gave a turn")
	}
}
