package main

import (
	"bufio"
	"math"
	"slices"
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
	for _, x := range [][3]float64{{10, 100, 5}, {30, 60, 10}, {20, 40, 40}} {
		r := &report{Scenario: "turns", Runs: 1}
		r.pair("turns/s", "turns/s", x[0], x[1])
		r.withBotkit(x[2], true)
		r.both("errors", "count", 0, 0)
		r.withBotkit(0, false)
		r.one("parley only", "KB", x[0])
		runs = append(runs, r)
	}
	m := medianReport(runs)
	tps := m.Metrics[0]
	if m.Runs != 3 || tps.Parley != 20 || *tps.Bare != 60 || *tps.Ratio != 0.5 {
		t.Errorf("turns/s = %v / %v ratio %v (runs %d)", tps.Parley, *tps.Bare, *tps.Ratio, m.Runs)
	}
	// parley / botkit: 2, 3, 0.5
	if *tps.Botkit != 10 || *tps.BotkitRatio != 2 {
		t.Errorf("turns/s botkit = %v ratio %v", *tps.Botkit, *tps.BotkitRatio)
	}
	if errs := m.Metrics[1]; errs.Botkit == nil || *errs.Botkit != 0 || errs.BotkitRatio != nil {
		t.Errorf("errors = %+v", errs)
	}
	if one := m.Metrics[2]; one.Bare != nil || one.Ratio != nil || one.Botkit != nil || one.Parley != 20 {
		t.Errorf("parley only = %+v", one)
	}
}

// The table has the botkit columns when a row has the peer's value, and
// not otherwise.
func TestTableBotkitColumns(t *testing.T) {
	t.Parallel()
	r := &report{Scenario: "turns", Backend: "sqlite", Params: map[string]any{}, Runs: 1}
	r.pair("turns/s", "turns/s", 1000, 10000)
	var without strings.Builder
	writeTable(&without, r)
	r.withBotkit(2000, true)
	var with strings.Builder
	writeTable(&with, r)
	if strings.Contains(without.String(), "botkit") {
		t.Errorf("without the peer:\n%s", without.String())
	}
	lines := strings.Split(with.String(), "\n") // title, header, row
	header, row := strings.Fields(lines[1]), strings.Fields(lines[2])
	if !slices.Equal(header[len(header)-2:], []string{"botkit", "parley/botkit"}) || !slices.Equal(row[len(row)-2:], []string{"2000", "0.50×"}) {
		t.Errorf("with the peer:\n%s", with.String())
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
